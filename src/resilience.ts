import type { Clock, Output } from './context.js';
import { isReplicationGap } from './adapters/graph.js';

/**
 * Entra is eventually consistent: a write succeeds, then reads and references miss the new object for
 * seconds to minutes. Retry those gaps with bounded exponential backoff (no fixed sleeps).
 */
/** Replication gaps last seconds to minutes; polling twice a second at most keeps the wait close to the gap. */
const MAX_POLL_MS = 500;

export async function untilReplicated<T>(
  ctx: { clock: Clock; out: Pick<Output, 'verbose'> },
  what: string,
  fn: () => Promise<T>,
  opts: { deadline: number; isGap?: (err: unknown) => boolean },
): Promise<T> {
  const isGap = opts.isGap ?? isReplicationGap;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const left = opts.deadline - ctx.clock.now().getTime();
      if (!isGap(err) || left <= 0) throw err;
      const wait = Math.min(delay, left, MAX_POLL_MS);
      ctx.out.verbose(`${what}: not replicated yet (try ${attempt}); again in ${wait} ms`);
      await ctx.clock.sleep(wait);
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }
}
