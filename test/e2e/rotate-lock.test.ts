import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { thumbprintOfKey } from '../../src/certificate/keys.js';
import { startHarness, initArgs, json, tenantState, type Harness } from '../helpers/harness.js';

interface RotateOut {
  results: {
    profile: string;
    action: string;
    thumbprint?: string;
    oldThumbprint?: string;
    untracked?: { keyId: string; thumbprint?: string }[];
  }[];
}
interface SavedProfile {
  app: { appId: string };
  certificate: { thumbprint: string };
  previousCertificates?: { thumbprint: string }[];
  updatedAt: string;
}

/** One run at a time on a profile (issue 19 item 2): the lock in the config dir, end to end with the built binary. */
describe('rotate holds a per-profile lock (built binary)', () => {
  let h: Harness;
  let n = 0;
  const profilesFile = () => path.join(h.configDir, 'profiles.json');
  const profile = (name: string) =>
    (JSON.parse(readFileSync(profilesFile(), 'utf8')) as { profiles: Record<string, SavedProfile> }).profiles[
      name
    ];
  const lockFile = (name: string) => path.join(h.configDir, 'locks', `${name}.lock`);
  const newProfile = async () => {
    const name = `lock${++n}`;
    const r = await h.run(initArgs(h, ['--app-name', `Locked App ${n}`, '--profile', name, '--json']));
    assert.equal(r.code, 0, r.stderr);
    return name;
  };
  /** Thumbprints of the keys registered on the profile's app, from the sandbox's own state. */
  const appKeys = (name: string) => {
    const appId = profile(name)?.app.appId;
    const app = tenantState(h.sandbox).apps.find((a) => a.appId === appId);
    assert.ok(app, 'the app is in the tenant');
    return app.keyCredentials.map((k) => thumbprintOfKey(k) ?? k.keyId).sort();
  };
  const tracked = (name: string) => {
    const p = profile(name);
    assert.ok(p);
    return [p.certificate.thumbprint, ...(p.previousCertificates ?? []).map((c) => c.thumbprint)]
      .map((t) => t.toUpperCase())
      .sort();
  };
  const writeLock = (name: string, pid: number, startedAt = new Date().toISOString()) => {
    mkdirSync(path.dirname(lockFile(name)), { recursive: true });
    writeFileSync(
      lockFile(name),
      JSON.stringify({ id: 'x', pid, host: hostname(), command: 'rotate', startedAt }),
    );
  };

  before(async () => (h = await startHarness({ faults: { replicationDelayMs: 1500 } })));
  after(() => h.close());

  test('two rotations started together: one waits for the other, and every key on the app is tracked', async () => {
    const name = await newProfile();
    const before = profile(name)?.certificate.thumbprint;
    const [a, b] = await Promise.all([
      h.run(['rotate', '--profile', name, '--json']),
      h.run(['rotate', '--profile', name, '--json']),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const waited = [a, b].filter((r) => /Profile lock\d+ is in use by another exo-cba rotate/.test(r.stderr));
    assert.equal(waited.length, 1, `exactly one run waited for the other:\n${a.stderr}\n---\n${b.stderr}`);
    const [ra, rb] = [json<RotateOut>(a).results[0], json<RotateOut>(b).results[0]];
    assert.equal(ra?.action, 'rotated');
    assert.equal(rb?.action, 'rotated');
    // Serialized: the second started from the certificate the first made, not from the same old one.
    const [first, second] = ra?.oldThumbprint === before ? [ra, rb] : [rb, ra];
    assert.equal(first?.oldThumbprint, before, 'one rotated the original certificate');
    assert.equal(second?.oldThumbprint, first?.thumbprint, 'the other rotated the one the first made');
    assert.deepEqual(appKeys(name), tracked(name), 'no key on the app that the profile does not track');
    assert.doesNotMatch(a.stderr + b.stderr, /no profile tracks/);
    assert.equal(existsSync(lockFile(name)), false, 'the lock is released');
  });

  test('a lock held by a live process past --wait: exit 1 with EXO-PROFILE-LOCKED, nothing changed', async () => {
    const name = await newProfile();
    const keys = appKeys(name);
    const saved = profile(name)?.updatedAt;
    writeLock(name, process.pid);
    try {
      const r = await h.run(['rotate', '--profile', name, '--wait', '2']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /EXO-PROFILE-LOCKED/);
      assert.match(r.stderr, new RegExp(`in use by another exo-cba rotate \\(pid ${process.pid}`));
      assert.match(r.stderr, /changed nothing/);
      assert.deepEqual(appKeys(name), keys, 'no key added');
      assert.equal(profile(name)?.updatedAt, saved, 'the profile is as it was');
      assert.equal(existsSync(lockFile(name)), true, 'the other run keeps its lock');
    } finally {
      rmSync(lockFile(name), { force: true });
    }
  });

  test('init resuming a profile another run holds waits up to --wait, then stops with EXO-PROFILE-LOCKED', async () => {
    const name = await newProfile();
    const keys = appKeys(name);
    writeLock(name, process.pid);
    try {
      const r = await h.run(
        initArgs(h, ['--app-name', `Locked App ${n}`, '--profile', name, '--wait', '1s']),
      );
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /EXO-PROFILE-LOCKED/);
      assert.match(r.stderr, /this init changed nothing/);
      assert.deepEqual(appKeys(name), keys, 'no key added');
    } finally {
      rmSync(lockFile(name), { force: true });
    }
  });

  test('a stale lock (its process is gone, or it is older than any run) is taken over', async () => {
    const name = await newProfile();
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    assert.ok(dead);
    writeLock(name, dead);
    const r = await h.run(['rotate', '--profile', name, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`Took over the lock of profile ${name}: .*pid ${dead}.* no longer running`),
    );
    assert.equal(json<RotateOut>(r).results[0]?.action, 'rotated');
    assert.equal(existsSync(lockFile(name)), false, 'released after');
    writeLock(name, process.pid, new Date(Date.now() - 3 * 3600_000).toISOString());
    const again = await h.run(['rotate', '--profile', name, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /longer ago than any run lasts/);
  });

  test('rotate --admin names a key on the app that no profile tracks, and leaves it there', async () => {
    const name = await newProfile();
    const first = await h.run(['rotate', '--profile', name, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const old = json<RotateOut>(first).results[0]?.oldThumbprint;
    assert.ok(old);
    // Forget the old key in the profile, as a second run at the same time used to leave it.
    const data = JSON.parse(readFileSync(profilesFile(), 'utf8')) as {
      profiles: Record<string, SavedProfile>;
    };
    const p = data.profiles[name];
    assert.ok(p);
    delete p.previousCertificates;
    writeFileSync(profilesFile(), JSON.stringify(data, null, 2));
    const r = await h.run(['rotate', '--profile', name, '--admin', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`1 key\\(s\\) on the app that no profile tracks: ${old}`));
    assert.deepEqual(
      json<RotateOut>(r).results[0]?.untracked?.map((k) => k.thumbprint),
      [old],
      'and in --json',
    );
    assert.ok(appKeys(name).includes(old), 'the untracked key is left in place');
  });
});
