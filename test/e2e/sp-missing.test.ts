import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, initArgs, json } from '../helpers/harness.js';

/** Entra can issue an app-only token while the app's service principal is missing: no oid (pnp/cli-microsoft365#7589). */

interface CheckJson {
  status: string;
  reports: { checks: { id: string; status: string; message: string; fix?: string }[] }[];
}

describe('a token without oid', () => {
  test("check reports the app's service principal as missing, with the fix, not as missing consent", async () => {
    const h = await startHarness({ faults: { missingServicePrincipal: 'token-without-oid' } });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const { appId } = json<{ appId: string }>(r);
      // The service principal is deleted behind exo-cba's back.
      const d = h.sandbox.directory.data;
      const sp = d.servicePrincipals.find((s) => s.appId === appId)!;
      d.servicePrincipals = d.servicePrincipals.filter((s) => s.id !== sp.id);
      d.appRoleAssignments = d.appRoleAssignments.filter((g) => g.principalId !== sp.id);
      const before = h.sandbox.faults.log.length;
      const c = await h.run(['check', '--json']);
      assert.equal(c.code, 1, c.stderr);
      const tokens = h.sandbox.faults.log
        .slice(before)
        .filter((e) => e.service === 'token' && e.method === 'POST' && e.status === 200);
      assert.ok(tokens.length >= 1, 'the token service issued a token (the oid-less one) to the app');
      const checks = json<CheckJson>(c).reports[0]!.checks;
      const signIn = checks.find((x) => x.id === 'sign-in')!;
      assert.equal(signIn.status, 'fail');
      assert.match(signIn.message, /service principal is missing \(deleted, or not created yet\)/);
      assert.match(signIn.fix ?? '', /exo-cba init/);
      const consent = checks.find((x) => x.id === 'consent')!;
      assert.equal(consent.status, 'skip', 'consent is not blamed');
      assert.doesNotMatch(c.stdout, /admin consent is missing/);
    } finally {
      await h.close();
    }
  });
});
