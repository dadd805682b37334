import type { Clock, Output, Progress } from './context.js';
import { isReplicationGap } from '../adapters/graph.js';

/**
 * Entra is eventually consistent: a write succeeds, then reads and references miss the new object for
 * seconds to minutes. Retry those gaps with bounded exponential backoff (no fixed sleeps).
 */
/** Replication gaps last seconds to minutes; polling twice a second at most keeps the wait close to the gap. */
const MAX_POLL_MS = 500;

export async function untilReplicated<T>(
  ctx: { clock: Clock; out: Pick<Output, 'verbose' | 'progress'> },
  what: string,
  fn: () => Promise<T>,
  opts: { deadline: number; isGap?: (err: unknown) => boolean },
): Promise<T> {
  const isGap = opts.isGap ?? isReplicationGap;
  let delay = 250;
  // Shown from the first gap on, so no wait sits silent; a call that succeeds at once shows nothing.
  let progress: Progress | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const left = opts.deadline - ctx.clock.now().getTime();
        if (!isGap(err) || left <= 0) throw err;
        const wait = Math.min(delay, left, MAX_POLL_MS);
        ctx.out.verbose(`${what}: not replicated yet (try ${attempt}); again in ${wait} ms`);
        const text = `Waiting for Entra to replicate (${what}) — ${Math.ceil(left / 1000)} s left`;
        if (progress) progress.update(text);
        else progress = ctx.out.progress(text);
        await ctx.clock.sleep(wait);
        delay = Math.min(delay * 2, MAX_POLL_MS);
      }
    }
  } finally {
    progress?.stop();
  }
}
