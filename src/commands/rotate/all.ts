import type { Prompt } from '../../context.js';

/**
 * rotate --all's scheduling: up to `concurrency` rotations at once, shared fairly between tenants. The next
 * rotation to start is always one of the tenant with the fewest in flight, so a tenant whose service throttles
 * (each request waits out its own Retry-After, and MSAL's block is per app) holds only its share of the slots
 * while the other tenants go on. Results keep the order of `items`; `fn` is expected not to throw for one
 * item's failure (the caller reports it), so that one profile's failure never stops the others.
 */
export async function eachFairly<T, R>(
  items: T[],
  o: { concurrency: number; laneOf(item: T): string },
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  const lanes = new Map<string, { waiting: number[]; inFlight: number }>();
  items.forEach((item, i) => {
    const key = o.laneOf(item);
    const lane = lanes.get(key) ?? { waiting: [], inFlight: 0 };
    lane.waiting.push(i);
    lanes.set(key, lane);
  });
  const next = () => {
    let best: { waiting: number[]; inFlight: number } | undefined;
    for (const lane of lanes.values())
      if (lane.waiting.length && (!best || lane.inFlight < best.inFlight)) best = lane;
    return best;
  };
  const worker = async () => {
    for (let lane = next(); lane; lane = next()) {
      const i = lane.waiting.shift() as number;
      lane.inFlight++;
      try {
        out[i] = await fn(items[i] as T);
      } finally {
        lane.inFlight--;
      }
    }
  };
  const width = Math.max(1, Math.min(o.concurrency, items.length));
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

/** Prompts one at a time: rotations in parallel may each need a typed password, asked in turn. */
export function oneQuestionAtATime(prompt: Prompt): Prompt {
  let turn: Promise<unknown> = Promise.resolve();
  const serial = <A, V>(ask: (q: A) => Promise<V>) => {
    return (q: A): Promise<V> => {
      const answer = turn.then(() => ask(q));
      turn = answer.catch(() => undefined);
      return answer;
    };
  };
  return {
    text: serial((q) => prompt.text(q)),
    secret: serial((q) => prompt.secret(q)),
    confirm: serial((q) => prompt.confirm(q)),
    select: (q) => serial((x: typeof q) => prompt.select(x))(q),
  };
}
