import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json } from '../helpers/harness.js';
import { rbacOf } from '../../src/sandbox/exchange-rbac.js';

/**
 * Exchange answers cmdlet errors with the same envelope under 400, 403 and other statuses (graph2otel, from live
 * captures): exo-cba reads the exception type, so "already exists" on a resumed run is an answer, whatever the status.
 */
const GROUP = 'View-Only Organization Management';

describe("Exchange's cmdlet errors, classified by their envelope under any status", () => {
  for (const status of [400, 403, 404]) {
    test(`under ${status}: the look-ups that find nothing are answers, and init converges`, async () => {
      const h = await startHarness({ faults: { exchangeCmdletErrorStatus: status } });
      try {
        const r = await h.run([...initArgs(h, ['--exchange-role-group', GROUP]), '--json']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(json<{ verified: boolean }>(r).verified, true);
        const served = h.sandbox.faults.log.filter((e) => e.service === 'exchange' && e.status === status);
        assert.ok(served.length >= 1, `a cmdlet error was served under ${status}`);
        const rbac = rbacOf(h.sandbox.directory);
        assert.equal(rbac.servicePrincipals.length, 1);
        assert.equal(rbac.roleGroupMembers[GROUP]!.length, 1);
        const again = await h.run([...initArgs(h, ['--exchange-role-group', GROUP]), '--json']);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(
          rbacOf(h.sandbox.directory).roleGroupMembers[GROUP]!.length,
          1,
          'a re-run changes nothing',
        );
        assert.equal(tenantState(h.sandbox).apps.length, 1);
      } finally {
        await h.close();
      }
    });
  }
});
