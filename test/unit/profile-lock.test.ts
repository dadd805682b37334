import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LockFiles } from '../../src/adapters/lock-files.js';
import { takeProfileLock, withProfileLock, lockFileOf } from '../../src/profile/lock.js';
import { CliError } from '../../src/core/errors.js';

/** The profile lock over an in-memory file system with the same exclusive-create rule, and a fake clock. */
function world(opts: { alive?: (pid: number) => boolean; pid?: number } = {}) {
  const disk = new Map<string, string>();
  const locks: LockFiles = {
    create: async (p, text) => {
      await Promise.resolve();
      if (disk.has(p)) return false;
      disk.set(p, text);
      return true;
    },
    read: async (p) => {
      await Promise.resolve();
      return disk.get(p);
    },
    remove: async (p) => {
      await Promise.resolve();
      disk.delete(p);
    },
    alive: opts.alive ?? (() => true),
    self: { pid: opts.pid ?? 100, host: 'here' },
  };
  let now = Date.parse('2026-12-01T00:00:00Z');
  const lines: string[] = [];
  const ctx = {
    configDir: '/cfg',
    clock: {
      now: () => new Date(now),
      sleep: async (ms: number) => {
        now += ms;
        await Promise.resolve();
      },
    },
    out: {
      warn: (t: string) => lines.push(`warn: ${t}`),
      progress: (t: string) => {
        lines.push(`progress: ${t}`);
        return { update: (u: string) => lines.push(`progress: ${u}`), succeed() {}, fail() {}, stop() {} };
      },
    },
    services: { locks },
  } as unknown as Parameters<typeof takeProfileLock>[0];
  return { ctx, disk, lines, file: lockFileOf('/cfg', 'p') };
}

const held = (pid: number, startedAt = '2026-12-01T00:00:00.000Z', host = 'here') =>
  JSON.stringify({ id: 'other', pid, host, command: 'rotate', startedAt });

describe('profile lock', () => {
  test('taken, then released: the file is gone after', async () => {
    const w = world();
    const result = await withProfileLock(w.ctx, { profile: 'p', command: 'rotate', waitMs: 0 }, async () => {
      assert.ok(w.disk.has(w.file), 'held while running');
      return 42;
    });
    assert.equal(result, 42);
    assert.equal(w.disk.has(w.file), false);
  });

  test('held by a live process: waits with a countdown, then EXO-PROFILE-LOCKED', async () => {
    const w = world();
    w.disk.set(w.file, held(7));
    await assert.rejects(
      takeProfileLock(w.ctx, { profile: 'p', command: 'rotate', waitMs: 3000 }),
      (e: unknown) => e instanceof CliError && e.code === 'EXO-PROFILE-LOCKED' && /pid 7/.test(e.message),
    );
    assert.ok(
      w.lines.some((l) => /waiting — 0:03 left/.test(l)),
      w.lines.join('\n'),
    );
    assert.equal(w.disk.get(w.file), held(7), 'the holder keeps its lock');
  });

  test('a dead holder on this machine is taken over; on another machine only the age bound counts', async () => {
    const w = world({ alive: (pid) => pid !== 7 });
    w.disk.set(w.file, held(7));
    const release = await takeProfileLock(w.ctx, { profile: 'p', command: 'rotate', waitMs: 0 });
    assert.ok(w.lines.some((l) => /Took over .*pid 7\) is no longer running/.test(l)));
    await release();
    const far = world({ alive: () => false });
    far.disk.set(far.file, held(7, '2026-12-01T00:00:00.000Z', 'elsewhere'));
    await assert.rejects(takeProfileLock(far.ctx, { profile: 'p', command: 'init', waitMs: 0 }), CliError);
    far.disk.set(far.file, held(7, '2026-11-30T21:00:00.000Z', 'elsewhere'));
    await takeProfileLock(far.ctx, { profile: 'p', command: 'init', waitMs: 0 });
    assert.ok(far.lines.some((l) => /longer ago than any run lasts/.test(l)));
  });

  test('two runs taking over the same stale lock at once: exactly one gets it', async () => {
    const w = world({ alive: (pid) => pid !== 7 });
    w.disk.set(w.file, held(7));
    const outcomes = await Promise.allSettled([
      takeProfileLock(w.ctx, { profile: 'p', command: 'rotate', waitMs: 0 }),
      takeProfileLock(w.ctx, { profile: 'p', command: 'rotate', waitMs: 0 }),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, JSON.stringify(outcomes));
  });

  test('a lock released by someone else is never removed by the run that lost it', async () => {
    const w = world();
    const release = await takeProfileLock(w.ctx, { profile: 'p', command: 'rotate', waitMs: 0 });
    w.disk.set(w.file, held(8));
    await release();
    assert.equal(w.disk.get(w.file), held(8));
  });
});
