import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';

/** rotate --all runs the rotations side by side; one profile's failure is its own line, never the end. */

interface RotateOut {
  results: { profile: string; action: string; reason?: string; thumbprint?: string }[];
}

describe('rotate --all in parallel', () => {
  let h: Harness;
  const profiles = ['ra1', 'ra2', 'ra3', 'ra4'];
  const appIdOf = (p: string) =>
    (
      JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as {
        profiles: Record<string, { app: { appId: string; objectId: string } }>;
      }
    ).profiles[p]!.app;
  before(async () => {
    h = await startHarness();
    for (const p of profiles) {
      const r = await h.run(initArgs(h, ['--app-name', `Rotate All ${p}`, '--profile', p]));
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => h.close());

  test('one failing profile is reported failed (exit 1) while every other one rotates, side by side', async () => {
    const broken = appIdOf('ra2');
    assert.ok(h.sandbox.act({ action: 'delete-app', appId: broken.appId }).ok);
    // Each new key takes 2 s to reach the token service, so a rotation started together with the others
    // cannot finish (and remove its old key) before they have added theirs, however fast this machine is.
    h.sandbox.faults.set({ replicationDelayMs: 2000 });
    const from = h.sandbox.faults.log.length;
    const r = await h.run(['rotate', '--all', '--overlap', '0', '--concurrency', '4', '--json'], {
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 1, r.stderr);
    const out = json<RotateOut>(r);
    assert.deepEqual(
      out.results.map((x) => [x.profile, x.action]),
      [
        ['ra1', 'rotated'],
        ['ra2', 'failed'],
        ['ra3', 'rotated'],
        ['ra4', 'rotated'],
      ],
      JSON.stringify(out.results),
    );
    assert.match(out.results[1]!.reason ?? '', /sign in|not found|does not exist/i);
    // Side by side: every healthy app's key was added before the first old key was removed.
    const log = h.sandbox.faults.log.slice(from);
    const adds = log
      .map((e, i) => (e.path.endsWith('/addKey') && e.status < 300 ? i : -1))
      .filter((i) => i >= 0);
    const firstRemove = log.findIndex((e) => e.path.endsWith('/removeKey'));
    assert.equal(adds.length, 3, log.map((e) => `${e.method} ${e.path} ${e.status}`).join('\n'));
    assert.ok(firstRemove > Math.max(...adds), 'the rotations ran at once, not one after another');
  });

  test('--concurrency is checked before anything changes', async () => {
    const from = h.sandbox.faults.log.length;
    const r = await h.run(['rotate', '--all', '--concurrency', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--concurrency/);
    assert.equal(h.sandbox.faults.log.length, from, 'no request was made');
  });
});
