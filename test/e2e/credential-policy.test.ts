import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startHarness, tenantState, initArgs, json } from '../helpers/harness.js';

/** The tenant's credential policy (defaultAppManagementPolicy), read before the certificate is made. */

const CAP_90 = [{ restrictionType: 'asymmetricKeyLifetime' as const, maxLifetime: 'P90D' }];
const policyReads = (h: Awaited<ReturnType<typeof startHarness>>) =>
  h.sandbox.faults.log.filter(
    (e) => e.endpoint === '/v1.0/policies/defaultAppManagementPolicy' && e.status === 200,
  );

describe('tenant credential policies', () => {
  test('a 90-day cap: init fits the certificate under it, says so, and the upload is accepted', async () => {
    const h = await startHarness({ faults: { keyPolicy: CAP_90 } });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(policyReads(h).length >= 1, 'the policy was read');
      assert.match(r.stderr, /caps certificate lifetimes at 90 days/);
      const out = json<{ notBefore: string; notAfter: string; verified: boolean }>(r);
      assert.equal(out.verified, true);
      const days = (Date.parse(out.notAfter) - Date.parse(out.notBefore)) / 86_400_000;
      assert.ok(days <= 90, `the certificate lives ${days} days`);
      assert.equal(tenantState(h.sandbox).apps.length, 1);
    } finally {
      await h.close();
    }
  });

  test('a 90-day cap: --validity-days 365 is exit 2 naming the cap and the policy, before any change', async () => {
    const h = await startHarness({ faults: { keyPolicy: CAP_90 } });
    try {
      const outDir = path.join(h.dir, 'certs');
      const r = await h.run([...initArgs(h, ['--validity-days', '365', '--out-dir', outDir]), '--json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /at most 90 days/);
      assert.match(r.stderr, /default app management policy/);
      assert.equal(JSON.parse(r.stdout).error.code, 'EXO-POLICY-LIFETIME');
      assert.equal(tenantState(h.sandbox).apps.length, 0, 'the tenant is unchanged');
      assert.ok(!existsSync(outDir) || readdirSync(outDir).length === 0, 'no certificate files were written');
    } finally {
      await h.close();
    }
  });

  test('a trusted-CA rule: init stops before any change and says how to bring a certificate', async () => {
    const h = await startHarness({
      faults: { keyPolicy: [{ restrictionType: 'trustedCertificateAuthority' }] },
    });
    try {
      const outDir = path.join(h.dir, 'certs');
      const r = await h.run([...initArgs(h, ['--out-dir', outDir]), '--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(policyReads(h).length >= 1, 'the policy was read');
      assert.match(r.stderr, /trusted certificate authority/);
      assert.match(r.stderr, /--cert-file/);
      assert.equal(JSON.parse(r.stdout).error.code, 'EXO-POLICY-TRUSTED-CA');
      assert.equal(tenantState(h.sandbox).apps.length, 0, 'the tenant is unchanged');
      assert.ok(!existsSync(outDir) || readdirSync(outDir).length === 0, 'no certificate files were written');
    } finally {
      await h.close();
    }
  });

  test('where the policy cannot be read, init says so and goes on', async () => {
    const h = await startHarness({ faults: { deniedScopes: ['Policy.Read.All'] } });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        h.sandbox.faults.log.some(
          (e) => e.endpoint === '/v1.0/policies/defaultAppManagementPolicy' && e.status === 403,
        ),
        'the read was refused',
      );
      assert.match(r.stderr, /credential policy could not be read/);
    } finally {
      await h.close();
    }
  });
});
