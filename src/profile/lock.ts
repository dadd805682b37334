import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context, Progress } from '../context.js';
import { failure } from '../core/errors.js';

/**
 * One run at a time on a profile (rotate, and init resuming it): a lock file in the config dir, taken by an
 * exclusive create, so it holds across processes. A lock whose process is gone (same machine, pid not
 * running) or that is older than any run lasts is stale and taken over; a held one makes the second run
 * wait with a countdown up to --wait, then stop with EXO-PROFILE-LOCKED before it changes anything.
 */

/** A run that holds a lock longer than this has died or hangs: its lock is taken over. */
const STALE_LOCK_MS = 2 * 3600_000;
/** A takeover in progress (the guard file) that is older than this was cut short. */
const STALE_GUARD_MS = 30_000;
/** A lock file that cannot be read for this long was never written whole (a crash at its creation). */
const UNREADABLE_GRACE_MS = 2_000;
const POLL_MS = 1_000;

interface LockRecord {
  id: string;
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface ProfileLockRequest {
  profile: string;
  command: 'rotate' | 'init';
  /** How long a held lock is waited for (--wait). */
  waitMs: number;
}

type LockCtx = Pick<Context, 'configDir' | 'clock' | 'out' | 'services'>;

export function lockFileOf(configDir: string, profile: string): string {
  return path.join(configDir, 'locks', `${profile}.lock`);
}

/** Runs `fn` holding the profile's lock; releases it after, whatever the outcome. */
export async function withProfileLock<T>(
  ctx: LockCtx,
  req: ProfileLockRequest,
  fn: () => Promise<T>,
): Promise<T> {
  const release = await takeProfileLock(ctx, req);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes the profile's lock (waiting up to --wait); returns its release. */
export async function takeProfileLock(ctx: LockCtx, req: ProfileLockRequest): Promise<() => Promise<void>> {
  const locks = ctx.services.locks;
  const file = lockFileOf(ctx.configDir, req.profile);
  const mine: LockRecord = {
    id: randomUUID(),
    ...locks.self,
    command: req.command,
    startedAt: ctx.clock.now().toISOString(),
  };
  const text = JSON.stringify(mine);
  const deadline = ctx.clock.now().getTime() + req.waitMs;
  const seen = { unreadableSince: undefined as number | undefined };
  let progress: Progress | undefined;
  try {
    for (;;) {
      if (await locks.create(file, text)) break;
      const held = await locks.read(file);
      if (held === undefined) continue;
      const stale = whyStale(ctx, held, seen);
      if (stale !== undefined) {
        if (await takeOver(ctx, file, held))
          ctx.out.warn(`Took over the lock of profile ${req.profile}: ${stale}.`);
        else await ctx.clock.sleep(200);
        continue;
      }
      const left = deadline - ctx.clock.now().getTime();
      const holder = describe(held);
      if (left <= 0) throw lockedError(req, holder, file);
      const line = `Profile ${req.profile} is in use by ${holder}; waiting — ${clockText(left)} left`;
      if (progress) progress.update(line);
      else progress = ctx.out.progress(line);
      await ctx.clock.sleep(Math.min(POLL_MS, left));
    }
  } finally {
    progress?.stop();
  }
  return async () => {
    // Only our own lock: a run that outlived the bound may have had it taken over.
    if ((await locks.read(file)) === text) await locks.remove(file);
  };
}

function parse(text: string): LockRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockRecord>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string'
      ? { id: String(v.id), pid: v.pid, host: v.host, command: String(v.command), startedAt: v.startedAt }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why the lock in `text` may be taken over, or undefined while its holder may still be running. */
function whyStale(
  ctx: LockCtx,
  text: string,
  seen: { unreadableSince: number | undefined },
): string | undefined {
  const now = ctx.clock.now().getTime();
  const r = parse(text);
  if (!r) {
    seen.unreadableSince ??= now;
    return now - seen.unreadableSince >= UNREADABLE_GRACE_MS
      ? 'its lock file was never written whole'
      : undefined;
  }
  seen.unreadableSince = undefined;
  const { self, alive } = ctx.services.locks;
  if (r.host === self.host && r.pid !== self.pid && !alive(r.pid))
    return `the ${r.command} that held it (pid ${r.pid}) is no longer running`;
  const started = Date.parse(r.startedAt);
  if (!Number.isFinite(started) || now - started > STALE_LOCK_MS)
    return `it was taken at ${r.startedAt}, longer ago than any run lasts (${STALE_LOCK_MS / 3600_000} h)`;
  return undefined;
}

/**
 * Removes a stale lock, unless another run is taking it over at the same time (the guard file, itself taken
 * by an exclusive create) or already has (the lock is no longer the one judged stale).
 */
async function takeOver(ctx: LockCtx, file: string, stale: string): Promise<boolean> {
  const locks = ctx.services.locks;
  const guard = `${file}.takeover`;
  const now = ctx.clock.now().getTime();
  if (!(await locks.create(guard, String(now)))) {
    const since = Number(await locks.read(guard));
    if (!Number.isFinite(since) || now - since > STALE_GUARD_MS) await locks.remove(guard);
    return false;
  }
  try {
    if ((await locks.read(file)) !== stale) return false;
    await locks.remove(file);
    return true;
  } finally {
    await locks.remove(guard);
  }
}

function describe(text: string): string {
  const r = parse(text);
  return r
    ? `another exo-cba ${r.command} (pid ${r.pid} on ${r.host}, since ${r.startedAt})`
    : 'another exo-cba run';
}

function clockText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function lockedError(req: ProfileLockRequest, holder: string, file: string) {
  return failure(`Profile ${req.profile} is in use by ${holder}; this ${req.command} changed nothing.`, {
    code: 'EXO-PROFILE-LOCKED',
    why:
      'Two runs on one profile at once would each register a key, and one key would be left on the app ' +
      'that no profile tracks.',
    fix:
      `Let that run finish, or give this one a longer --wait to wait for it. If no such run is going on ` +
      `(another machine sharing this config dir), delete ${file}.`,
  });
}
