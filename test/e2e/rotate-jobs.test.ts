import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';
import type { LogEntry } from '../../src/sandbox/faults.js';

/** Rotation as the jobs that use the certificate see it: the password source, the hook, an interrupted run. */

interface InitOut {
  appId: string;
  thumbprint: string;
  files: Record<string, string>;
}
interface RotateOut {
  results: {
    action: string;
    thumbprint?: string;
    hook?: { code: number; output: string };
    notes?: string[];
  }[];
}

describe('rotate keeps jobs running', () => {
  let h: Harness;
  let n = 0;
  let onRequest: ((e: LogEntry) => void) | undefined;
  before(async () => (h = await startHarness({ onRequest: (e) => onRequest?.(e) })));
  after(() => h.close());
  const newApp = async (extra: string[] = [], env: Record<string, string> = {}) => {
    n += 1;
    const r = await h.run(
      [...initArgs(h, ['--app-name', `Jobs App ${n}`, '--profile', `j${n}`, ...extra]), '--json'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    return { profile: `j${n}`, ...json<InitOut>(r) };
  };
  const profile = (name: string) =>
    (
      JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as {
        profiles: Record<string, Record<string, unknown>>;
      }
    ).profiles[name]!;
  const opens = (pfx: string, pass: string) =>
    execFileSync('openssl', ['pkcs12', '-nokeys', '-clcerts', '-in', pfx, '-passin', pass], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
  const keysOf = (appId: string) => h.sandbox.directory.appByAppId(appId, true)!.keyCredentials;

  test("a PFX password from an environment variable: rotate needs the same variable, and the job's password opens the new PFX", async () => {
    const env = { JOB_PW: 'Job-Secret-Password-1' };
    const app = await newApp(['--pfx-password-env', 'JOB_PW'], env);
    assert.deepEqual(profile(app.profile)['passwordSource'], { kind: 'env', name: 'JOB_PW' });
    const without = await h.run(['rotate', '--profile', app.profile]);
    assert.equal(without.code, 2);
    assert.match(without.stderr, /JOB_PW .* is not set/);
    const r = await h.run(['rotate', '--profile', app.profile, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const res = json<RotateOut>(r).results[0]!;
    const x509 = opens(app.files['pfx']!, 'pass:Job-Secret-Password-1');
    assert.match(x509, /BEGIN CERTIFICATE/);
    assert.notEqual(res.thumbprint, app.thumbprint);
  });

  test('--new-password-env changes the password on purpose, and the profile remembers the new variable', async () => {
    const app = await newApp();
    const r = await h.run(['rotate', '--profile', app.profile, '--new-password-env', 'NEW_PW'], {
      env: { NEW_PW: 'Brand-New-Password-22' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(opens(app.files['pfx']!, 'pass:Brand-New-Password-22'), /BEGIN CERTIFICATE/);
    assert.deepEqual(profile(app.profile)['passwordSource'], { kind: 'env', name: 'NEW_PW' });
  });

  test('a password typed at init: an unattended rotate asks for it through a variable, before anything changes', async () => {
    const app = await newApp();
    const file = path.join(h.configDir, 'profiles.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.profiles[app.profile].passwordSource = { kind: 'typed' };
    writeFileSync(file, JSON.stringify(data));
    const keys = keysOf(app.appId).length;
    const r = await h.run(['rotate', '--profile', app.profile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /typed at init/);
    assert.match(r.stderr, /--pfx-password-env NAME/);
    assert.equal(keysOf(app.appId).length, keys, 'nothing changed');
  });

  test('the hook gets the new thumbprint and paths, never a secret; a failing hook is reported and the rotation stands', async () => {
    const env = { JOB_PW: 'Hook-Test-Password-3', EXO_CBA_CERTIFICATE_PASSWORD: 'not-for-hooks-1234' };
    const app = await newApp(['--pfx-password-env', 'JOB_PW'], env);
    const out = path.join(h.dir, `hook-${n}.json`);
    const script = path.join(h.dir, `hook-${n}.cjs`);
    writeFileSync(
      script,
      `require('fs').writeFileSync(process.argv[2], JSON.stringify({ argv: process.argv.slice(2), env: process.env }));\n`,
    );
    const r = await h.run(
      ['rotate', '--profile', app.profile, '--on-rotated', `node ${script} ${out}`, '--json'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; env: Record<string, string> };
    const res = json<RotateOut>(r).results[0]!;
    assert.equal(seen.env['EXO_CBA_THUMBPRINT'], res.thumbprint);
    assert.equal(seen.env['EXO_CBA_OLD_THUMBPRINT'], app.thumbprint);
    assert.equal(seen.env['EXO_CBA_PFX'], app.files['pfx']);
    assert.equal(seen.env['EXO_CBA_PROFILE'], app.profile);
    assert.equal(seen.env['EXO_CBA_PFX_PASSWORD_ENV'], 'JOB_PW');
    assert.equal(seen.env['JOB_PW'], undefined, 'the password variable is not passed on');
    assert.equal(seen.env['EXO_CBA_CERTIFICATE_PASSWORD'], undefined);
    const everything = JSON.stringify(seen);
    assert.doesNotMatch(everything, /Hook-Test-Password-3|not-for-hooks-1234|PRIVATE KEY/);
    assert.equal(profile(app.profile)['onRotated'], `node ${script} ${out}`, 'the hook is remembered');

    const failing = await h.run(
      [
        'rotate',
        '--profile',
        app.profile,
        '--on-rotated',
        `node -e "console.log('hook says no'); process.exit(3)"`,
        '--json',
      ],
      { env },
    );
    assert.equal(failing.code, 1);
    const f = json<RotateOut>(failing).results[0]!;
    assert.equal(f.action, 'rotated', 'the verified rotation is kept');
    assert.equal(f.hook!.code, 3);
    assert.match(f.hook!.output, /hook says no/);
    assert.equal((profile(app.profile)['certificate'] as { thumbprint: string }).thumbprint, f.thumbprint);
    const forget = await h.run(['rotate', '--profile', app.profile, '--finish', '--on-rotated', ''], { env });
    assert.equal(forget.code, 0, forget.stderr);
    assert.equal(profile(app.profile)['onRotated'], undefined, "'' forgets the hook");
  });

  test('a rotation killed during an overlap resumes: the pending key is not added twice, and --finish retires both old keys', async () => {
    const app = await newApp();
    const first = await h.run(['rotate', '--profile', app.profile, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(keysOf(app.appId).length, 2, 'one old key in its overlap');
    let armed = true;
    let kill: (() => void) | undefined;
    onRequest = (e) => {
      if (armed && e.endpoint.endsWith('/addKey') && e.status < 300) {
        armed = false;
        kill?.();
      }
    };
    try {
      const killed = await h.run(['rotate', '--profile', app.profile], { onSpawn: (k) => (kill = k) });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    } finally {
      onRequest = undefined;
    }
    assert.equal(keysOf(app.appId).length, 3);
    const again = await h.run(['rotate', '--profile', app.profile, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /registered already .* not adding it again/);
    const thumbs = keysOf(app.appId).map((k) => k.customKeyIdentifier);
    assert.equal(thumbs.length, 3, 'no key twice');
    assert.equal(new Set(thumbs).size, 3);
    assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
    const status = json<{ profiles: { profile: string; pendingRemovals?: unknown[] }[] }>(
      await h.run(['status', '--json']),
    );
    assert.equal(
      status.profiles.find((p) => p.profile === app.profile)!.pendingRemovals!.length,
      2,
      'status shows both pending removals',
    );
    const finish = await h.run(['rotate', '--profile', app.profile, '--finish', '--json']);
    assert.equal(finish.code, 0, finish.stderr);
    assert.equal(keysOf(app.appId).length, 1);
    assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
  });
});
