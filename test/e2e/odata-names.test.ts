import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';

/** App names with characters that OData or a URL treat specially work through init, status, check and rotate. */
describe('app names with OData and URL special characters (built binary)', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  const names = [
    'R&D Exchange',
    'Exo Jobs #1',
    "O'Brien's app",
    '100% done',
    'a+b = c',
    'Ops/Mail?x=1',
    'Über Café ✓',
  ];
  names.forEach((name, n) => {
    test(`init, a second init and rotate work for the name ${JSON.stringify(name)}`, async () => {
      h.sandbox.faults.log.length = 0;
      const before = tenantState(h.sandbox).apps.length;
      const r = await h.run(initArgs(h, ['--app-name', name, '--profile', `n${n}`, '--json']));
      assert.equal(r.code, 0, r.stderr);
      const out = json<{ objectId: string; verified: boolean }>(r);
      assert.equal(out.verified, true);
      const apps = tenantState(h.sandbox).apps;
      assert.equal(apps.length, before + 1, 'exactly one new app');
      const app = apps.find((a) => a.id === out.objectId);
      assert.equal(app?.displayName, name, 'the display name is kept exactly');
      // The name lookup was sent with the name intact, not cut at a special character.
      const lookups = h.sandbox.faults.log.filter(
        (e) => e.method === 'GET' && e.endpoint === '/v1.0/applications' && e.status === 200,
      );
      assert.ok(lookups.length > 0, 'the app was looked up by name');
      const refused = h.sandbox.faults.log.filter((e) => e.status === 400).map((e) => e.endpoint);
      assert.deepEqual(refused, [], 'no request was refused as malformed');
      // A second init with the same name finds the same app (no duplicate).
      const again = await h.run(initArgs(h, ['--app-name', name, '--profile', `n${n}`, '--json']));
      assert.equal(again.code, 0, again.stderr);
      assert.equal(json<{ objectId: string }>(again).objectId, out.objectId);
      assert.equal(tenantState(h.sandbox).apps.length, before + 1, 'still one app for this name');
      const rot = await h.run(['rotate', '--profile', `n${n}`, '--json']);
      assert.equal(rot.code, 0, rot.stderr);
      const chk = await h.run(['check', '--profile', `n${n}`]);
      assert.equal(chk.code, 0, chk.stdout + chk.stderr);
    });
  });
});
