import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';
import { makeCert, writePem, registerKey } from '../helpers/certs.js';
import * as cert from '../../src/certificate/x509.js';

interface Report {
  status: string;
  checks: { id: string; status: string; message: string; fix?: string }[];
  daysLeft?: number;
  thumbprint?: string;
  appId?: string;
  tenant?: string;
}
interface CheckJson {
  status: string;
  reports: Report[];
}
const byId = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe('check against the sandbox (built binary)', () => {
  let h: Harness;
  let n = 0;
  /** A fresh app of its own for a test that breaks something. */
  const newApp = async () => {
    const name = `Check App ${++n}`;
    const r = await h.run(initArgs(h, ['--app-name', name, '--profile', `p${n}`, '--json']));
    assert.equal(r.code, 0, r.stderr);
    return {
      profile: `p${n}`,
      ...json<{ appId: string; tenantId: string; files: Record<string, string> }>(r),
    };
  };
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('a working setup passes every check and the report has the documented shape', async () => {
    const app = await newApp();
    const r = await h.run(['check', '--profile', app.profile, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json<CheckJson>(r);
    assert.equal(out.status, 'pass');
    const rep = out.reports[0]!;
    assert.deepEqual(
      rep.checks.map((c) => c.id),
      ['certificate', 'pfx', 'pem', 'key', 'password-file', 'validity', 'sign-in', 'consent', 'exchange'],
    );
    assert.ok(rep.checks.every((c) => c.status === 'pass'));
    assert.equal(rep.appId, app.appId);
    assert.ok(rep.daysLeft! >= 364);
    assert.match(rep.thumbprint!, /^[0-9A-F]{40}$/);
  });

  test('a certificate inside --warn-days warns (exit 0), and --strict turns that into exit 1', async () => {
    const app = await newApp();
    const warn = await h.run(['check', '--profile', app.profile, '--warn-days', '400', '--json']);
    assert.equal(warn.code, 0);
    assert.equal(byId(json<CheckJson>(warn).reports[0]!, 'validity').status, 'warn');
    const strict = await h.run(['check', '--profile', app.profile, '--warn-days', '400', '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /WARN\s+validity/);
  });

  const explicit = (app: { appId: string; tenantId: string }, file: string) => [
    'check',
    '--app-id',
    app.appId,
    '--tenant',
    app.tenantId,
    '--cert-file',
    file,
    '--json',
  ];

  test('an expired certificate fails validity and sign-in (the token service refuses the expired key)', async () => {
    const app = await newApp();
    const c = await makeCert({ now: new Date(Date.now() - 400 * 86_400_000), validityDays: 30 });
    registerKey(h.sandbox, app.appId, c);
    const r = await h.run(explicit(app, writePem(h.dir, 'expired.pem', c)));
    assert.equal(r.code, 1);
    const rep = json<CheckJson>(r).reports[0]!;
    assert.equal(byId(rep, 'validity').status, 'fail');
    assert.match(byId(rep, 'validity').message, /expired on/);
    assert.equal(byId(rep, 'sign-in').status, 'fail');
    assert.match(byId(rep, 'sign-in').message, /expired \(AADSTS700027\)/);
  });

  test('a not-yet-valid certificate fails validity and sign-in', async () => {
    const app = await newApp();
    const c = await makeCert({ now: new Date(Date.now() + 10 * 86_400_000), validityDays: 30 });
    registerKey(h.sandbox, app.appId, c);
    const r = await h.run(explicit(app, writePem(h.dir, 'future.pem', c)));
    assert.equal(r.code, 1);
    const rep = json<CheckJson>(r).reports[0]!;
    assert.match(byId(rep, 'validity').message, /not valid before/);
    assert.equal(byId(rep, 'sign-in').status, 'fail');
  });

  test('a certificate the app does not have is refused at sign-in (AADSTS700027)', async () => {
    const app = await newApp();
    const c = await makeCert({ validityDays: 90 });
    const r = await h.run(explicit(app, writePem(h.dir, 'stranger.pem', c)));
    assert.equal(r.code, 1);
    const rep = json<CheckJson>(r).reports[0]!;
    assert.equal(byId(rep, 'validity').status, 'pass');
    assert.match(byId(rep, 'sign-in').message, /not registered on the app.*AADSTS700027/);
    assert.equal(byId(rep, 'exchange').status, 'skip');
  });

  test('removed consent fails the consent check with how to grant it', async () => {
    const app = await newApp();
    h.sandbox.act({ action: 'remove-grant', appId: app.appId });
    const r = await h.run(['check', '--profile', app.profile, '--json']);
    assert.equal(r.code, 1);
    const rep = json<CheckJson>(r).reports[0]!;
    assert.equal(byId(rep, 'consent').status, 'fail');
    assert.match(byId(rep, 'consent').fix!, /admin consent/);
    assert.equal(byId(rep, 'exchange').status, 'fail');
  });

  test('a removed directory role fails the Exchange check, naming the supported roles', async () => {
    const app = await newApp();
    h.sandbox.act({ action: 'remove-role', appId: app.appId });
    const r = await h.run(['check', '--profile', app.profile, '--json']);
    assert.equal(r.code, 1);
    const ex = byId(json<CheckJson>(r).reports[0]!, 'exchange');
    assert.equal(ex.status, 'fail');
    assert.match(ex.message, /no directory role Exchange accepts/);
    assert.match(ex.fix!, /Global Reader.*Helpdesk Administrator.*Exchange Administrator/);
  });

  test('the 403 with a NUL body that Exchange has been seen to send is explained, not a crash', async () => {
    const app = await newApp();
    h.sandbox.act({ action: 'remove-role', appId: app.appId });
    h.sandbox.faults.set({ exchangeRoleDenial: '403-nul' });
    try {
      const r = await h.run(['check', '--profile', app.profile, '--json']);
      assert.equal(r.code, 1);
      assert.match(byId(json<CheckJson>(r).reports[0]!, 'exchange').message, /HTTP 403.*no directory role/);
    } finally {
      h.sandbox.faults.set({ exchangeRoleDenial: '401' });
    }
  });

  test('a deleted app fails sign-in with AADSTS700016', async () => {
    const app = await newApp();
    h.sandbox.act({ action: 'delete-app', appId: app.appId });
    const r = await h.run(['check', '--profile', app.profile, '--json']);
    assert.equal(r.code, 1);
    assert.match(
      byId(json<CheckJson>(r).reports[0]!, 'sign-in').message,
      /does not exist in tenant .*AADSTS700016/,
    );
  });

  test('a PFX with the wrong password is exit 2 with a clear message, not a stack trace', async () => {
    const app = await newApp();
    const r = await h.run(explicit(app, app.files['pfx']!), {
      env: { EXO_CBA_CERTIFICATE_PASSWORD: 'wrong' },
    });
    assert.equal(r.code, 2);
    assert.match(byId(json<CheckJson>(r).reports[0]!, 'certificate').message, /PFX password .* is wrong/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  test('a certificate and key that do not match are exit 2', async () => {
    const app = await newApp();
    const a = await makeCert();
    const b = await makeCert();
    const r = await h.run(
      explicit(app, writePem(h.dir, 'mismatch.pem', { certPem: a.certPem, keyPem: b.keyPem })),
    );
    assert.equal(r.code, 2);
    assert.match(
      byId(json<CheckJson>(r).reports[0]!, 'certificate').message,
      /does not belong to its certificate/,
    );
  });

  test('a CI-style run from environment variables only (base64 PFX), no profile, no TTY', async () => {
    const app = await newApp();
    const password = readFileSync(app.files['pfxPasswordFile']!, 'utf8').trim();
    const b64 = readFileSync(app.files['pfx']!).toString('base64');
    const r = await h.run(['check'], {
      env: {
        EXO_CBA_CONFIG_DIR: path.join(h.dir, 'empty-config'),
        EXO_CBA_APP_ID: app.appId,
        EXO_CBA_TENANT: app.tenantId,
        EXO_CBA_CERTIFICATE: b64,
        EXO_CBA_CERTIFICATE_PASSWORD: password,
        CI: 'true',
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PASS\s+exchange/);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(password));
  });

  test('--all checks every profile, reports each, exits 1 when one fails, and writes JUnit that parses as XML', async () => {
    const broken = await newApp();
    h.sandbox.act({ action: 'remove-grant', appId: broken.appId });
    const junit = path.join(h.dir, 'report.xml');
    const r = await h.run(['check', '--all', '--json', '--junit', junit]);
    assert.equal(r.code, 1);
    const out = json<CheckJson>(r);
    assert.ok(out.reports.length >= 5);
    assert.equal(
      out.reports.find((x) => (x as { profile?: string }).profile === broken.profile)!.status,
      'fail',
    );
    assert.ok(out.reports.some((x) => x.status === 'pass'));
    execFileSync('python3', [
      '-c',
      'import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); assert r.tag=="testsuites"; assert len(r)>=5',
      junit,
    ]);
    assert.match(readFileSync(junit, 'utf8'), /<failure type="fail"/);
  });

  test('flags win over the environment, which wins over the profile', async () => {
    const app = await newApp();
    const bogus = '11111111-2222-3333-4444-555555555555';
    const envWins = await h.run(['check', '--profile', app.profile, '--json'], {
      env: { EXO_CBA_APP_ID: bogus },
    });
    assert.equal(json<CheckJson>(envWins).reports[0]!.appId, bogus, 'the environment overrides the profile');
    assert.equal(envWins.code, 1);
    const flagWins = await h.run(['check', '--profile', app.profile, '--app-id', app.appId, '--json'], {
      env: { EXO_CBA_APP_ID: bogus },
    });
    assert.equal(flagWins.code, 0, flagWins.stdout);
    assert.equal(json<CheckJson>(flagWins).reports[0]!.appId, app.appId);
  });

  test('check records the last result in the profile (never a secret)', async () => {
    const app = await newApp();
    await h.run(['check', '--profile', app.profile]);
    const profiles = readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8');
    const p = (JSON.parse(profiles) as { profiles: Record<string, { lastCheck?: { status: string } }> })
      .profiles[app.profile]!;
    assert.equal(p.lastCheck?.status, 'pass');
    assert.doesNotMatch(profiles, /PRIVATE KEY|"password"/);
  });

  test('an encrypted PEM key is read with the password from --pfx-password-env', async () => {
    const app = await newApp();
    const profileCert = readFileSync(app.files['pem']!, 'utf8');
    const key = cert.toPkcs8Pem(readFileSync(app.files['key']!, 'utf8'));
    const { createPrivateKey } = await import('node:crypto');
    const enc = createPrivateKey(key)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 's3cret-pass' })
      .toString();
    const file = path.join(h.dir, 'enc.pem');
    writeFileSync(file, profileCert + enc);
    const r = await h.run([...explicit(app, file), '--pfx-password-env', 'MY_PASS'], {
      env: { MY_PASS: 's3cret-pass' },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
