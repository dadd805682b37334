import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, existsSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';
import {
  EXO_APP_ID as EXCHANGE_APP_ID,
  MANAGE_AS_APP_ROLE_ID as EXCHANGE_MANAGE_AS_APP_ROLE_ID,
} from '../../src/sandbox/microsoft-ids.js';

interface InitJson {
  appId: string;
  objectId: string;
  servicePrincipalId: string;
  tenantId: string;
  organization: string;
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  files: Record<string, string>;
  role: string;
  cloud: string;
  verified: boolean;
  outcomes: Record<string, string>;
}

describe('init against the sandbox (built binary)', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('a fresh init --yes --json sets up exactly one app, SP, grant, role and key, and verifies', async () => {
    const r = await h.run([...initArgs(h), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json<InitJson>(r);
    for (const k of [
      'appId',
      'objectId',
      'servicePrincipalId',
      'tenantId',
      'organization',
      'thumbprint',
      'thumbprintSha256',
      'notBefore',
      'notAfter',
      'files',
      'role',
      'cloud',
      'verified',
    ])
      assert.ok(k in out, `missing ${k}`);
    assert.equal(out.verified, true);
    assert.equal(out.organization, h.sandbox.directory.tenant.initialDomain);
    assert.match(out.thumbprint, /^[0-9A-F]{40}$/);
    const s = tenantState(h.sandbox);
    assert.equal(s.apps.length, 1);
    assert.deepEqual(s.apps[0]!.requiredResourceAccess, [
      {
        resourceAppId: EXCHANGE_APP_ID,
        resourceAccess: [{ id: EXCHANGE_MANAGE_AS_APP_ROLE_ID, type: 'Role' }],
      },
    ]);
    assert.equal(s.apps[0]!.signInAudience, 'AzureADMyOrg');
    assert.equal(s.sps.length, 1);
    assert.equal(s.grants.length, 1);
    assert.equal(s.grants[0]!.appRoleId, EXCHANGE_MANAGE_AS_APP_ROLE_ID);
    assert.equal(s.roles.length, 1);
    assert.equal(s.roles[0]!.roleDefinitionId, '29232cdf-9323-42fd-ade2-1d097af3e4de');
    assert.equal(s.apps[0]!.keyCredentials.length, 1);
    const der = readFileSync(out.files['cer']!);
    assert.equal(
      s.apps[0]!.keyCredentials[0]!.key,
      der.toString('base64'),
      'the uploaded key is the written certificate',
    );
    // No secret on stdout: the JSON names files, never key or password.
    assert.doesNotMatch(r.stdout, /PRIVATE KEY|password"\s*:/i);
  });

  test('files are private, and OpenSSL reads them: thumbprint, PFX with its password, key matching the certificate', async () => {
    const r = await h.run([...initArgs(h), '--json']);
    const out = json<InitJson>(r);
    const f = out.files;
    assert.equal(statSync(f['dir']!).mode & 0o777, 0o700);
    assert.equal(statSync(f['key']!).mode & 0o777, 0o600);
    assert.equal(statSync(f['pfx']!).mode & 0o777, 0o600);
    assert.equal(statSync(f['pfxPasswordFile']!).mode & 0o777, 0o600);
    const fp = execFileSync('openssl', [
      'x509',
      '-inform',
      'der',
      '-in',
      f['cer']!,
      '-noout',
      '-fingerprint',
      '-sha1',
    ]).toString();
    assert.equal(fp.split('=')[1]!.trim().replace(/:/g, ''), out.thumbprint);
    execFileSync(
      'openssl',
      ['pkcs12', '-info', '-in', f['pfx']!, '-passin', `file:${f['pfxPasswordFile']!}`, '-noout'],
      { stdio: 'pipe' },
    );
    const a = execFileSync('openssl', ['x509', '-in', f['pem']!, '-noout', '-pubkey']).toString();
    const b = execFileSync('openssl', ['pkey', '-in', f['key']!, '-pubout']).toString();
    assert.equal(a, b);
    assert.match(readFileSync(f['key']!, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  });

  test('re-running init reuses the app, service principal, grant, role and key and says so', async () => {
    const r = await h.run([...initArgs(h), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json<InitJson>(r);
    assert.deepEqual(out.outcomes, {
      application: 'reused',
      servicePrincipal: 'reused',
      grant: 'reused',
      rights: 'reused',
      certificate: 'reused',
      key: 'reused',
    });
    assert.match(r.stderr, /Application 'Exo Background Process' reused/);
    const s = tenantState(h.sandbox);
    assert.equal(s.apps.length, 1);
    assert.equal(s.sps.length, 1);
    assert.equal(s.grants.length, 1);
    assert.equal(s.roles.length, 1);
    assert.equal(s.apps[0]!.keyCredentials.length, 1);
  });

  test('--dry-run prints the plan and changes nothing in the tenant or on disk', async () => {
    const before = JSON.stringify(h.sandbox.directory.data);
    const r = await h.run([
      ...initArgs(h),
      '--app-name',
      'Dry Run App',
      '--profile',
      'dry',
      '--json',
      '--dry-run',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ dryRun: boolean; plan: string[] }>(r);
    assert.equal(out.dryRun, true);
    assert.ok(out.plan.some((p) => /create application 'Dry Run App'/.test(p)));
    assert.equal(JSON.stringify(h.sandbox.directory.data), before);
    const profiles = JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as {
      profiles: Record<string, unknown>;
    };
    assert.equal(profiles.profiles['dry'], undefined);
  });

  test('text output prints the AppId / thumbprint / organization triple and paste-ready PowerShell', async () => {
    const r = await h.run(initArgs(h, ['--role', 'global-reader']));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /AppId\s+[0-9a-f-]{36}/);
    assert.match(r.stdout, /Thumbprint\s+[0-9A-F]{40}/);
    assert.match(
      r.stdout,
      /Connect-ExchangeOnline -AppId [0-9a-f-]{36} -CertificateThumbprint [0-9A-F]{40} -Organization exocbasandbox\.onmicrosoft\.com/,
    );
    assert.match(r.stdout, /-CertificateFilePath .*\.pfx' -CertificatePassword \$pfxPassword/);
    assert.doesNotMatch(r.stdout, /Connect-IPPSSession -AppId/, 'S&C takes an app of its own');
    assert.match(r.stdout, /exo-cba init --workload compliance/, 'and the output says how to make it');
    assert.match(r.stdout, /New-ServicePrincipal -AppId/);
  });
});

describe('init with bad input: exit 2, nothing changed', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  const cases: { name: string; args: string[]; env?: Record<string, string>; expect: RegExp }[] = [
    {
      name: 'malformed tenant',
      args: ['init', '--tenant', 'not a tenant!', '--yes'],
      expect: /not a tenant id or domain/,
    },
    { name: 'empty app name', args: ['--app-name', ''], expect: /app name is empty/ },
    { name: 'over-long app name', args: ['--app-name', 'x'.repeat(200)], expect: /characters long/ },
    {
      name: 'unknown role',
      args: ['--role', 'teams-administrator'],
      expect: /not a directory role Exchange Online accepts/,
    },
    {
      name: 'Global Administrator without --allow-global-admin',
      args: ['--role', 'global-administrator'],
      expect: /--allow-global-admin/,
    },
    {
      name: 'validity out of range',
      args: ['--validity-days', '0'],
      expect: /--validity-days must be a whole number from 1 to 3650/,
    },
    { name: 'key size too small', args: ['--key-size', '1024'], expect: /too small/ },
    { name: 'key size not offered', args: ['--key-size', '5000'], expect: /--key-size must be one of/ },
    {
      name: 'unwritable output dir',
      args: ['--out-dir', '/proc/1/nope'],
      expect: /output directory cannot be used/,
    },
    {
      name: 'password env variable unset',
      args: ['--pfx-password-env', 'EXO_CBA_TEST_UNSET_VAR'],
      expect: /is not set/,
    },
    {
      name: 'password given as a value, not a name',
      args: ['--pfx-password-env', 'hunter2!'],
      expect: /takes the NAME of an environment variable/,
    },
    { name: 'unreadable --cert-file', args: ['--cert-file', '/nonexistent/cert.pfx'], expect: /no file at/ },
    { name: 'unknown cloud', args: ['--cloud', 'mars'], expect: /Allowed choices|unknown cloud/i },
    { name: 'bad --wait', args: ['--wait', 'soon'], expect: /--wait must be a duration/ },
    { name: 'bad --client-id', args: ['--client-id', 'abc'], expect: /--client-id must be a GUID/ },
  ];
  for (const c of cases) {
    test(`rejects ${c.name}`, async () => {
      const before = JSON.stringify(h.sandbox.directory.data);
      const requests = h.sandbox.faults.log.length;
      const args = c.args[0] === 'init' ? c.args : initArgs(h, c.args);
      const r = await h.run(args, { ...(c.env ? { env: c.env } : {}) });
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, c.expect);
      assert.equal(r.stdout, '');
      assert.equal(JSON.stringify(h.sandbox.directory.data), before, 'the tenant is unchanged');
      assert.equal(h.sandbox.faults.log.length, requests, 'no request reached the tenant');
      assert.equal(existsSync(path.join(h.configDir, 'profiles.json')), false, 'nothing written on disk');
    });
  }

  test('rejects a --cert-file whose key does not match its certificate', async () => {
    const cert = await import('../../src/certificate/x509.js');
    const k1 = await cert.generateKey(2048);
    const k2 = await cert.generateKey(2048);
    const pem = cert.selfSignedCertificate({
      keyPem: k1,
      commonName: 'x',
      now: new Date(),
      validityDays: 30,
    });
    const file = path.join(h.dir, 'mismatch.pem');
    writeFileSync(file, pem + k2);
    const r = await h.run(initArgs(h, ['--cert-file', file]));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does not belong to its certificate/);
  });

  test('rejects a corrupt profiles file with a clear message instead of resetting it', async () => {
    const dir = path.join(h.dir, 'corrupt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'profiles.json'), '{ not json');
    chmodSync(path.join(dir, 'profiles.json'), 0o600);
    const r = await h.run(initArgs(h), { env: { EXO_CBA_CONFIG_DIR: dir } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /profiles file .* cannot be read: it is not valid JSON/);
    assert.equal(readFileSync(path.join(dir, 'profiles.json'), 'utf8'), '{ not json');
  });
});
