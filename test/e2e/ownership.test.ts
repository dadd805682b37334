import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import path from 'node:path';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';
import { makeCert, registerKey, writePem } from '../helpers/certs.js';

/**
 * Never widen rights on an app that is not provably exo-cba's. A stranger may register an app with the
 * predictable default name and keys of their own, and wait for an admin to run init.
 */

const GRAPH = '00000003-0000-0000-c000-000000000000';

async function strangerApp(h: Harness, name: string) {
  const d = h.sandbox.directory.data;
  const stranger = {
    id: randomUUID(),
    userPrincipalName: `mallory@${d.tenant.initialDomain}`,
    displayName: 'Mallory',
  };
  d.users.push(stranger);
  const appId = randomUUID();
  d.applications.push({
    id: randomUUID(),
    appId,
    displayName: name,
    signInAudience: 'AzureADMyOrg',
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH,
        resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }],
      },
    ],
    keyCredentials: [],
    createdDateTime: '2026-10-01T08:00:00Z',
    isFallbackPublicClient: false,
    visibleAt: 0,
    owners: [stranger.id],
    passwordCredentials: [
      {
        keyId: randomUUID(),
        displayName: 'mine',
        hint: 'Mx7',
        startDateTime: '2026-10-01T08:00:00Z',
        endDateTime: '2027-10-01T08:00:00Z',
      },
    ],
    federatedIdentityCredentials: [
      {
        id: randomUUID(),
        name: 'gh',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:mallory/x:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
      },
    ],
  });
  const key = await makeCert({ validityDays: 200 });
  registerKey(h.sandbox, appId, key);
  return { appId, key, stranger };
}

const profiles = (h: Harness) =>
  JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as {
    defaultProfile?: string;
    profiles: Record<string, { app: { objectId?: string } }>;
  };

describe('an app that is not provably ours', () => {
  test("a same-named app with a stranger's key is refused with exit 2, named, and nothing changes", async () => {
    const h = await startHarness();
    try {
      const { appId, key } = await strangerApp(h, 'Exo Background Process');
      const before = JSON.stringify(h.sandbox.directory.data);
      const r = await h.run(initArgs(h));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /already exists and exo-cba cannot prove it is its own/);
      assert.match(r.stderr, new RegExp(`appId ${appId}, created 2026-10-01, owners: mallory@`));
      assert.match(
        r.stderr,
        new RegExp(`certificate ${key.info.thumbprint} \\(keyId [0-9a-f-]+, expires \\d{4}-\\d{2}-\\d{2}\\)`),
      );
      assert.match(r.stderr, /client secret Mx7/);
      assert.match(r.stderr, /federated credential repo:mallory/);
      assert.match(r.stderr, new RegExp(`--adopt-app ${appId}`));
      assert.match(r.stderr, /another --app-name/);
      assert.equal(JSON.stringify(h.sandbox.directory.data), before, 'nothing changed in the tenant');
      assert.equal(existsSync(path.join(h.configDir, 'profiles.json')), false, 'nor on disk');
    } finally {
      await h.close();
    }
  });

  test("names that differ only in case: a stranger's is refused, our own re-run is not trapped", async () => {
    const h = await startHarness();
    try {
      await strangerApp(h, 'EXO BACKGROUND PROCESS');
      const refused = await h.run(initArgs(h));
      assert.equal(refused.code, 2, refused.stderr);
      const mine = await h.run(initArgs(h, ['--app-name', 'Payroll Jobs', '--profile', 'payroll']));
      assert.equal(mine.code, 0, mine.stderr);
      const again = await h.run(
        initArgs(h, ['--app-name', 'PAYROLL JOBS', '--profile', 'payroll', '--json']),
      );
      assert.equal(again.code, 0, again.stderr);
      assert.equal(json<{ outcomes: Record<string, string> }>(again).outcomes['application'], 'reused');
      assert.equal(
        tenantState(h.sandbox).apps.filter((a) => a.displayName.toLowerCase() === 'payroll jobs').length,
        1,
      );
    } finally {
      await h.close();
    }
  });

  test('--adopt-app takes it over deliberately: asks for --yes and a decision on the foreign credentials, keeps what it is told to', async () => {
    const h = await startHarness();
    try {
      const { appId, key } = await strangerApp(h, 'Portal App');
      const noYes = await h.run([
        'init',
        '--tenant',
        h.sandbox.directory.tenant.initialDomain,
        '--no-interactive',
        '--adopt-app',
        appId,
      ]);
      assert.equal(noYes.code, 2, noYes.stderr);
      assert.match(noYes.stderr, /needs a confirmation/);
      const undecided = await h.run(initArgs(h, ['--adopt-app', appId]));
      assert.equal(undecided.code, 2, undecided.stderr);
      assert.match(undecided.stderr, /3 credential\(s\) exo-cba did not make/);
      assert.match(undecided.stderr, /--foreign-credentials remove/);
      assert.equal(tenantState(h.sandbox).sps.length, 0, 'nothing granted yet');
      const r = await h.run(initArgs(h, ['--adopt-app', appId, '--foreign-credentials', 'keep', '--json']));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Adopting 'Portal App'/);
      assert.match(r.stderr, new RegExp(key.info.thumbprint));
      const app = tenantState(h.sandbox).apps[0]!;
      assert.equal(json<{ appId: string }>(r).appId, appId);
      assert.equal(app.requiredResourceAccess.length, 2, 'the Graph permission it had is kept');
      assert.equal(app.keyCredentials.length, 2, 'the key it had is kept, as asked');
      // Now it is recorded here: a plain re-run reuses it without --adopt-app.
      const again = await h.run(initArgs(h, ['--app-name', 'Portal App']));
      assert.equal(again.code, 0, again.stderr);
    } finally {
      await h.close();
    }
  });

  test('--foreign-credentials remove takes away every certificate, secret and federated credential exo-cba did not make, and reads back', async () => {
    const h = await startHarness();
    try {
      const { appId } = await strangerApp(h, 'Portal App');
      const r = await h.run(initArgs(h, ['--adopt-app', appId, '--foreign-credentials', 'remove']));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Removed 3 credential\(s\) exo-cba did not make \(read back: gone\)/);
      const app = tenantState(h.sandbox).apps[0]!;
      assert.equal(app.keyCredentials.length, 1, "only exo-cba's key is left");
      assert.equal(app.passwordCredentials?.length, 0);
      assert.equal(app.federatedIdentityCredentials?.length, 0);
    } finally {
      await h.close();
    }
  });

  test('an app exo-cba marked, whose every key is known here, is reused even without its profile', async () => {
    const h = await startHarness();
    try {
      const cert = await makeCert({ validityDays: 100 });
      const file = writePem(h.dir, 'brought.pem', cert);
      const first = await h.run(initArgs(h, ['--cert-file', file]));
      assert.equal(first.code, 0, first.stderr);
      writeFileSync(
        path.join(h.configDir, 'profiles.json'),
        JSON.stringify({ schemaVersion: 1, profiles: {} }),
      );
      const again = await h.run(initArgs(h, ['--cert-file', file, '--json']));
      assert.equal(again.code, 0, again.stderr);
      assert.equal(json<{ outcomes: Record<string, string> }>(again).outcomes['application'], 'reused');
      assert.equal(tenantState(h.sandbox).apps.length, 1);
    } finally {
      await h.close();
    }
  });
});

describe('profiles that share one app', () => {
  test('init says so; status shows it; remove on one takes only its own key and the other keeps working', async () => {
    const h = await startHarness();
    try {
      assert.equal((await h.run(initArgs(h, ['--profile', 'a']))).code, 0);
      const b = await h.run(initArgs(h, ['--profile', 'b']));
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stderr, /already used by profile a: profile 'b' shares it/);
      assert.equal(tenantState(h.sandbox).apps.length, 1);
      assert.equal(tenantState(h.sandbox).apps[0]!.keyCredentials.length, 2);
      const status = json<{ profiles: { profile: string; sharedWith?: string[] }[] }>(
        await h.run(['status', '--json']),
      );
      assert.deepEqual(
        status.profiles.map((p) => p.sharedWith),
        [['b'], ['a']],
      );
      const removed = await h.run(['remove', '--profile', 'b', '--yes']);
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /app stays for a/);
      assert.equal(tenantState(h.sandbox).apps.length, 1, 'the app stays');
      assert.equal(tenantState(h.sandbox).apps[0]!.keyCredentials.length, 1, "only b's key went");
      const check = await h.run(['check', '--profile', 'a']);
      assert.equal(check.code, 0, check.stdout + check.stderr);
      const last = await h.run(['remove', '--profile', 'a', '--yes']);
      assert.equal(last.code, 0, last.stderr);
      assert.equal(tenantState(h.sandbox).apps.length, 0, 'the last user deletes the app');
    } finally {
      await h.close();
    }
  });
});

describe('the default profile', () => {
  test('the first profile stays the default; with none, a non-interactive command names the choices', async () => {
    const h = await startHarness();
    try {
      assert.equal((await h.run(initArgs(h, ['--profile', 'first', '--app-name', 'First App']))).code, 0);
      const second = await h.run(initArgs(h, ['--profile', 'second', '--app-name', 'Second App']));
      assert.equal(second.code, 0);
      assert.match(second.stderr, /default profile stays 'first'/);
      assert.equal(profiles(h).defaultProfile, 'first');
      const check = json<{ reports: { profile: string }[] }>(await h.run(['check', '--json']));
      assert.equal(check.reports[0]!.profile, 'first');
      const set = await h.run(['status', '--set-default', 'second']);
      assert.equal(set.code, 0, set.stderr);
      assert.equal(profiles(h).defaultProfile, 'second');
      const p = profiles(h);
      delete p.defaultProfile;
      writeFileSync(path.join(h.configDir, 'profiles.json'), JSON.stringify({ schemaVersion: 1, ...p }));
      const none = await h.run(['check']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /2 profiles and no default: first, second/);
      assert.match(none.stderr, /--set-default/);
    } finally {
      await h.close();
    }
  });
});

describe('key files', () => {
  test('a symlinked out dir, or a symlinked archive/, is refused before anything changes', async () => {
    const h = await startHarness();
    try {
      const real = path.join(h.dir, 'elsewhere');
      mkdirSync(real);
      const link = path.join(h.dir, 'linked-out');
      symlinkSync(real, link);
      const r = await h.run(initArgs(h, ['--out-dir', link]));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /symbolic link/);
      const out = path.join(h.dir, 'out');
      mkdirSync(out, { mode: 0o700 });
      symlinkSync(real, path.join(out, 'archive'));
      const r2 = await h.run(initArgs(h, ['--out-dir', out]));
      assert.equal(r2.code, 2, r2.stderr);
      assert.match(r2.stderr, /archive is a symbolic link/);
      assert.deepEqual(readdirSync(real), [], 'nothing was written through a link');
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    } finally {
      await h.close();
    }
  });

  test('an out dir open to others is made private before key material goes in', async () => {
    const h = await startHarness();
    try {
      const out = path.join(h.dir, 'open');
      mkdirSync(out);
      chmodSync(out, 0o755);
      const r = await h.run(initArgs(h, ['--out-dir', out]));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /was open to other users \(mode 755\); made it private \(700\)/);
      assert.equal(statSync(out).mode & 0o777, 0o700);
    } finally {
      await h.close();
    }
  });

  test('a key brought in encrypted stays encrypted on disk, and check still opens it', async () => {
    const h = await startHarness();
    try {
      const cert = await makeCert();
      const { createPrivateKey } = await import('node:crypto');
      const enc = createPrivateKey(cert.keyPem)
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'Brought-In-Secret-1' })
        .toString();
      const file = path.join(h.dir, 'enc.pem');
      writeFileSync(file, cert.certPem + enc, { mode: 0o600 });
      const env = { BROUGHT_PW: 'Brought-In-Secret-1' };
      const r = await h.run(
        [...initArgs(h, ['--cert-file', file, '--pfx-password-env', 'BROUGHT_PW']), '--json'],
        { env },
      );
      assert.equal(r.code, 0, r.stderr);
      const files = json<{ files: { key: string } }>(r).files;
      assert.match(readFileSync(files.key, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      const check = await h.run(['check'], { env });
      assert.equal(check.code, 0, check.stdout + check.stderr);
      const without = await h.run(['check']);
      assert.equal(without.code, 2);
      assert.match(without.stdout + without.stderr, /encrypted: set BROUGHT_PW/);
    } finally {
      await h.close();
    }
  });
});
