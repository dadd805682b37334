import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json } from '../helpers/harness.js';

/** A cloud or tenant without the applications' alternate key (uniqueName): microsoft-facts §8. */

const oneApp = (h: Awaited<ReturnType<typeof startHarness>>) => {
  const s = tenantState(h.sandbox);
  assert.equal(s.apps.length, 1, 'one app');
  assert.equal(s.sps.length, 1, 'one service principal');
  assert.equal(s.grants.length, 1, 'one grant');
  assert.equal(s.apps[0]!.uniqueName, undefined, 'the create carried no uniqueName');
  assert.deepEqual(
    s.apps[0]!.tags,
    ['exo-cba', 'exo-cba-workload:exchange'],
    "the app carries exo-cba's tags",
  );
};

describe('where Graph refuses the uniqueName alternate key', () => {
  test('init creates the app by a plain POST, found again by tag and name, and names uniqueName only once', async () => {
    const h = await startHarness({ faults: { alternateKey: 'refused' } });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(json<{ verified: boolean }>(r).verified, true);
      oneApp(h);
      const keyed = h.sandbox.faults.log.filter((e) => e.path.includes('uniqueName'));
      assert.equal(keyed.length, 1, 'only the first upsert named the alternate key');
      assert.equal(keyed[0]!.status, 400, 'and it was refused');
      assert.ok(
        h.sandbox.faults.log.some((e) => e.method === 'GET' && e.path === '/v1.0/applications'),
        'looked up by $filter',
      );
      const again = await h.run([...initArgs(h), '--json']);
      assert.equal(again.code, 0, again.stderr);
      oneApp(h);
    } finally {
      await h.close();
    }
  });

  test('a run killed right after its POST /applications makes no second app when run again', async () => {
    let kill: (() => void) | undefined;
    let armed = true;
    const h = await startHarness({
      faults: { alternateKey: 'refused', replicationDelayMs: 1500 },
      onRequest: (e) => {
        if (armed && e.method === 'POST' && e.endpoint === '/v1.0/applications' && e.status < 300) {
          armed = false;
          kill?.();
        }
      },
    });
    try {
      const first = await h.run(initArgs(h), { onSpawn: (k) => (kill = k) });
      assert.equal(first.signal, 'SIGKILL', `the first run was killed (stderr: ${first.stderr})`);
      assert.equal(tenantState(h.sandbox).apps.length, 1, 'the killed run had created the app');
      const second = await h.run([...initArgs(h), '--json']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(json<{ verified: boolean }>(second).verified, true);
      oneApp(h);
      assert.equal(
        h.sandbox.faults.log.filter((e) => e.method === 'POST' && e.endpoint === '/v1.0/applications').length,
        1,
        'one POST in all',
      );
    } finally {
      await h.close();
    }
  });
});
