import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json, expectFaultServed } from '../helpers/harness.js';
import type { LogEntry } from '../../src/sandbox/faults.js';

const converged = (h: Awaited<ReturnType<typeof startHarness>>) => {
  const s = tenantState(h.sandbox);
  assert.equal(s.apps.length, 1, 'one app');
  assert.equal(s.sps.length, 1, 'one service principal');
  assert.equal(s.grants.length, 1, 'one grant');
  assert.equal(s.roles.length, 1, 'one role assignment');
  assert.ok(s.apps[0]!.keyCredentials.length >= 1, 'a key');
};

describe('init copes with Entra as it really behaves', () => {
  test('waits out a replication delay of several seconds, with no fixed sleep, and verifies', async () => {
    const h = await startHarness({ faults: { replicationDelayMs: 3000 } });
    try {
      const started = Date.now();
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(json<{ verified: boolean }>(r).verified, true);
      const took = Date.now() - started;
      assert.ok(took >= 3000, `cannot finish before the delay (${took} ms)`);
      converged(h);
      const gaps = h.sandbox.faults.log.filter(
        (e) => e.status === 404 || e.status === 400 || (e.service === 'token' && e.status >= 400),
      );
      assert.ok(gaps.length > 0, 'the delay was really met');
    } finally {
      await h.close();
    }
  });

  test('retries throttled Graph calls (429 + Retry-After) and still converges', async () => {
    const h = await startHarness({ faults: { throttleEvery: 4, throttleRetryAfterS: 1 } });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      expectFaultServed(h.sandbox, { kind: 'throttle', status: 429 }, 2);
      converged(h);
    } finally {
      await h.close();
    }
  });

  test('where the uniqueName upsert is refused, init creates the app plainly', async () => {
    const h = await startHarness({
      faults: { failOnce: [{ service: 'graph', method: 'PATCH', path: 'uniqueName', status: 400 }] },
    });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      converged(h);
      expectFaultServed(h.sandbox, { service: 'graph', method: 'PATCH', path: 'uniqueName', status: 400 });
      assert.ok(h.sandbox.faults.log.some((e) => e.method === 'POST' && e.endpoint === '/v1.0/applications'));
    } finally {
      await h.close();
    }
  });

  test('a one-off 503 on creating the service principal is retried', async () => {
    const h = await startHarness({
      faults: { failOnce: [{ service: 'graph', method: 'POST', path: '/servicePrincipals', status: 503 }] },
    });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      expectFaultServed(h.sandbox, {
        service: 'graph',
        method: 'POST',
        path: '/servicePrincipals',
        status: 503,
      });
      converged(h);
    } finally {
      await h.close();
    }
  });

  // Kill the process right after each step's write reached the tenant, then run again.
  const steps: { name: string; match: (e: LogEntry) => boolean }[] = [
    { name: 'creating the app', match: (e) => e.method === 'PATCH' && e.endpoint.includes('uniqueName') },
    {
      name: 'creating the service principal',
      match: (e) => e.method === 'POST' && e.endpoint === '/v1.0/servicePrincipals',
    },
    {
      name: 'granting the app role',
      match: (e) => e.method === 'POST' && e.endpoint.endsWith('/appRoleAssignedTo'),
    },
    {
      name: 'assigning the directory role',
      match: (e) => e.method === 'POST' && e.endpoint.endsWith('/roleAssignments'),
    },
    {
      name: 'the first app-only token request',
      match: (e) => e.service === 'token' && e.method === 'POST' && e.endpoint === '/{id}/oauth2/v2.0/token',
    },
    { name: 'the first Exchange call', match: (e) => e.service === 'exchange' },
  ];
  for (const step of steps) {
    test(`a run killed right after ${step.name} converges when started again`, async () => {
      let kill: (() => void) | undefined;
      let armed = true;
      const h = await startHarness({
        faults: { replicationDelayMs: 500 },
        onRequest: (e) => {
          if (armed && step.match(e) && e.status < 300) {
            armed = false;
            kill?.();
          }
        },
      });
      try {
        const first = await h.run(initArgs(h), { onSpawn: (k) => (kill = k) });
        assert.equal(first.signal, 'SIGKILL', `the first run was killed (stderr: ${first.stderr})`);
        const second = await h.run([...initArgs(h), '--json']);
        assert.equal(second.code, 0, second.stderr);
        assert.equal(json<{ verified: boolean }>(second).verified, true);
        converged(h);
        const keys = tenantState(h.sandbox).apps[0]!.keyCredentials.length;
        const third = await h.run([...initArgs(h), '--json']);
        assert.equal(third.code, 0, third.stderr);
        converged(h);
        assert.equal(
          tenantState(h.sandbox).apps[0]!.keyCredentials.length,
          keys,
          'a further run adds no key',
        );
      } finally {
        await h.close();
      }
    });
  }

  test('verification that cannot succeed in --wait fails with exit 1, says why, and keeps what was done', async () => {
    const h = await startHarness();
    try {
      const r1 = await h.run(initArgs(h, ['--no-verify', '--json']));
      assert.equal(r1.code, 0, r1.stderr);
      assert.equal(json<{ verified: boolean }>(r1).verified, false);
      // Every step is in place; only Exchange keeps answering 503, so verification alone cannot succeed.
      h.sandbox.faults.set({ failOnce: [{ service: 'exchange', status: 503, count: 999 }] });
      const r2 = await h.run(initArgs(h, ['--wait', '2s']));
      assert.equal(r2.code, 1, r2.stderr);
      expectFaultServed(h.sandbox, { service: 'exchange', status: 503 });
      assert.match(r2.stderr, /not verified/i);
      assert.match(r2.stderr, /503|unavailable|busy/i, 'says why');
      const s = tenantState(h.sandbox);
      assert.equal(s.apps.length, 1, 'the app is kept');
      assert.equal(s.grants.length, 1, 'the grant is kept');
      assert.equal(s.roles.length, 1, 'the role is kept');
    } finally {
      await h.close();
    }
  });

  test('a denied device-code sign-in fails cleanly before any change', async () => {
    const h = await startHarness({
      faults: { deviceCode: { mode: 'deny', approveAfterMs: 0, interval: 1 } },
    });
    try {
      const r = await h.run(initArgs(h));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /declined/);
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    } finally {
      await h.close();
    }
  });

  test('a tenant that blocks the default client gets told about --client-id', async () => {
    const h = await startHarness({ faults: { blockedClients: ['14d82eec-204b-4c2f-b7e8-296a70dab67e'] } });
    try {
      const r = await h.run(initArgs(h));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--client-id/);
    } finally {
      await h.close();
    }
  });

  test('an admin without Privileged Role Administrator is stopped before anything changes, told which role is missing', async () => {
    const h = await startHarness();
    try {
      const d = h.sandbox.directory.data;
      d.roleAssignments = d.roleAssignments.map((r) => ({
        ...r,
        roleDefinitionId: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
      }));
      const dry = await h.run([...initArgs(h), '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(
        dry.stdout,
        /STOP: the signed-in admin may not assign a directory role to the app \(needs Privileged Role Administrator or Global Administrator\)/,
      );
      const r = await h.run(initArgs(h));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /may not assign a directory role to the app/);
      assert.match(
        r.stderr,
        /Privileged Role Administrator or Global Administrator; the admin holds Application Administrator/,
      );
      assert.match(r.stderr, /Nothing was changed/);
      assert.equal(tenantState(h.sandbox).apps.length, 0, 'nothing was made before the refusal');
    } finally {
      await h.close();
    }
  });

  test('an admin with enough rights sees it in the plan', async () => {
    const h = await startHarness();
    try {
      const dry = await h.run([...initArgs(h), '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(
        dry.stdout,
        /check: the signed-in admin holds Global Administrator: enough for every step/,
      );
    } finally {
      await h.close();
    }
  });
});
