import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';
import { makeCert } from '../helpers/certs.js';

interface Rec {
  thumbprint: string;
  files: Record<string, unknown> & { dir: string };
}
interface Stored {
  profiles: Record<string, { certificate: Rec; previousCertificates?: Rec[] }>;
}

/**
 * A certificate brought with --cert-file whose key is encrypted: every rotation after it confirms the removal of
 * the old key, so no later run is left failing on a key it can no longer open.
 */
describe('a brought certificate with an encrypted key through rotations (built binary)', () => {
  let h: Harness;
  let n = 0;
  const env = { BROUGHT_PW: 'Brought-In-Secret-1' };
  const stored = () => JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as Stored;
  const save = (s: Stored) => writeFileSync(path.join(h.configDir, 'profiles.json'), JSON.stringify(s));
  const keysOf = (appId: string) => h.sandbox.directory.appByAppId(appId, true)?.keyCredentials ?? [];
  const bring = async () => {
    const cert = await makeCert({ validityDays: 200 });
    const enc = createPrivateKey(cert.keyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: env.BROUGHT_PW })
      .toString();
    const file = path.join(h.dir, `brought-${++n}.pem`);
    writeFileSync(file, cert.certPem + enc, { mode: 0o600 });
    const profile = `b${n}`;
    const r = await h.run(
      initArgs(h, [
        '--app-name',
        `Brought App ${n}`,
        '--profile',
        profile,
        '--cert-file',
        file,
        '--pfx-password-env',
        'BROUGHT_PW',
        '--json',
      ]),
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    return { profile, appId: json<{ appId: string }>(r).appId, thumbprint: cert.info.thumbprint };
  };
  const rotate = (profile: string, extra: string[] = []) =>
    h.run(['rotate', '--profile', profile, ...extra], { env });
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('two rotations: each old key is removed and read back, and every run exits 0', async () => {
    const b = await bring();
    const first = await rotate(b.profile);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(keysOf(b.appId).length, 2, 'the brought key stays for the overlap');
    const finish = await rotate(b.profile, ['--finish']);
    assert.equal(finish.code, 0, finish.stderr);
    assert.match(finish.stderr, new RegExp(`Old key ${b.thumbprint} removed \\(read back: gone\\)`));
    assert.equal(keysOf(b.appId).length, 1);
    assert.deepEqual(stored().profiles[b.profile]!.previousCertificates ?? [], []);
    const second = await rotate(b.profile, ['--overlap', '0']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(keysOf(b.appId).length, 1, 'the first rotated key is gone at once');
    const again = await rotate(b.profile, ['--finish']);
    assert.equal(again.code, 0, again.stderr);
  });

  test('a profile saved before archived records kept the password source still retires the brought key', async () => {
    const b = await bring();
    assert.equal((await rotate(b.profile)).code, 0);
    const s = stored();
    const old = s.profiles[b.profile]!.previousCertificates![0]!;
    delete old.files['keyEncrypted'];
    delete old.files['passwordEnv'];
    save(s);
    const finish = await rotate(b.profile, ['--finish']);
    assert.equal(finish.code, 0, finish.stderr);
    assert.match(finish.stderr, /removed \(read back: gone\)/);
    assert.equal(keysOf(b.appId).length, 1);
  });

  test('with its archived files gone, the removal is confirmed from the key list with --admin', async () => {
    const b = await bring();
    assert.equal((await rotate(b.profile)).code, 0);
    rmSync(stored().profiles[b.profile]!.previousCertificates![0]!.files.dir, { recursive: true });
    const app = await rotate(b.profile, ['--finish']);
    assert.equal(app.code, 1, app.stderr);
    assert.match(app.stdout + app.stderr, /could not be read back: run 'exo-cba rotate --finish --admin'/);
    const admin = await rotate(b.profile, ['--finish', '--admin']);
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(admin.stderr, /removed \(read back: gone\)/);
    assert.equal(keysOf(b.appId).length, 1);
    assert.deepEqual(stored().profiles[b.profile]!.previousCertificates ?? [], []);
  });
});
