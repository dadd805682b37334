import type { Clock, Output, Progress } from './ports.js';

/**
 * The one retry policy of exo-cba, for every call that may be asked to wait: Graph (throttling, transient
 * failures, replication gaps), the token endpoint (through MSAL) and Exchange. Exponential backoff with
 * jitter, a wait the service names (Retry-After) honoured, everything bounded by a deadline (--wait), and
 * every wait shown with a countdown, so nothing sits silent. Callers decide only what is worth retrying.
 */

export interface Backoff {
  /** The first wait; later ones double up to the cap. */
  firstMs: number;
  capMs: number;
  /** Tries that keep the first wait before it starts to grow (waits that usually end soon). */
  flatFor?: number;
  /** Spread the waits (between half and all of each) so that many clients do not retry in step; polls of our own state do without. */
  jitter?: boolean;
}

/** Throttling and transient failures: start around half a second, back off to 8 s (Graph throttling guidance). */
const SERVICE_BACKOFF: Backoff = { firstMs: 500, capMs: 8_000 };
/** A new grant or role reaching Exchange takes seconds to minutes: once a second for half a minute, then up to every 5 s. */
export const PROPAGATION_BACKOFF: Backoff = { firstMs: 1_000, capMs: 5_000, flatFor: 30, jitter: false };
/** Replication gaps close in seconds: poll twice a second at most, so a run ends close to the gap. */
export const REPLICATION_BACKOFF: Backoff = { firstMs: 250, capMs: 500, jitter: false };

/** The wait before retry number `attempt` (0-based): exponential, capped, with jitter between half and all of it. */
export function backoff(
  attempt: number,
  b: Backoff = SERVICE_BACKOFF,
  random: () => number = Math.random,
): number {
  const grown = Math.max(0, attempt - (b.flatFor ?? 0));
  const full = Math.min(b.capMs, b.firstMs * 2 ** Math.min(grown, 30));
  return b.jitter === false ? full : Math.round(full / 2 + (full / 2) * random());
}

/** Whether a failure is worth another try, and how long the service asked to wait. */
type RetryDecision = { retryAfterMs?: number; label: string } | undefined;

export interface RetryOptions {
  /** No retry starts after this (epoch ms). */
  deadline: number;
  decide(err: unknown): RetryDecision;
  backoff?: Backoff;
  maxAttempts?: number;
}

/**
 * Runs `fn` until it succeeds, or fails with something not worth retrying, or the deadline would pass
 * before the next try. The wait is the service's Retry-After when it gave one, else the backoff.
 */
export async function withRetries<T>(
  ctx: { clock: Clock; out: Pick<Output, 'verbose' | 'progress'> },
  what: string,
  fn: () => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  let progress: Progress | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const d = opts.decide(err);
        if (!d || attempt + 1 >= (opts.maxAttempts ?? Infinity)) throw err;
        const wait = d.retryAfterMs ?? backoff(attempt, opts.backoff);
        const now = ctx.clock.now().getTime();
        if (now + wait > opts.deadline) throw err;
        ctx.out.verbose(`${what}: ${d.label} (try ${attempt + 1}); again in ${wait} ms`);
        const text = `${d.label} (${what}) — retrying, ${Math.ceil((opts.deadline - now) / 1000)} s left`;
        if (progress) progress.update(text);
        else progress = ctx.out.progress(text);
        await ctx.clock.sleep(wait);
      }
    }
  } finally {
    progress?.stop();
  }
}
