/**
 * Commands that change a tenant (init, rotate) are lists of small steps. Each step says what it would do
 * (its plan line, read-only) and does it (run); --dry-run and the summary print the plan of the very steps
 * that run, so the two cannot drift apart. Independent chains of steps run side by side.
 */

/** What a step found or did, as reported to the admin. */
export type Outcome = 'created' | 'reused' | 'updated' | 'removed' | 'skipped';

/** A step takes only the slice of the command's context it uses (C), and the run's shared state (S). */
export interface Step<S, C> {
  id: string;
  /** One line for the plan, or undefined when the step has nothing to do; never changes anything. */
  plan(ctx: C, s: S): Promise<string | undefined> | string | undefined;
  run(ctx: C, s: S): Promise<void>;
}

/** Chains that do not depend on each other; each chain runs in order. */
export interface Parallel<S, C> {
  parallel: StepList<S, C>[];
}

export type StepList<S, C> = (Step<S, C> | Parallel<S, C>)[];

export const parallel = <S, C>(...chains: StepList<S, C>[]): Parallel<S, C> => ({ parallel: chains });

const isParallel = <S, C>(x: Step<S, C> | Parallel<S, C>): x is Parallel<S, C> => 'parallel' in x;

export async function runSteps<S, C>(ctx: C, list: StepList<S, C>, s: S): Promise<void> {
  for (const item of list) {
    if (isParallel(item)) await Promise.all(item.parallel.map((chain) => runSteps(ctx, chain, s)));
    else await item.run(ctx, s);
  }
}

/** The plan lines of every step, in the order a run would take them (parallel chains one after the other). */
export async function planSteps<S, C>(ctx: C, list: StepList<S, C>, s: S): Promise<string[]> {
  const lines: string[] = [];
  for (const item of list) {
    if (isParallel(item)) for (const chain of item.parallel) lines.push(...(await planSteps(ctx, chain, s)));
    else {
      const line = await item.plan(ctx, s);
      if (line) lines.push(line);
    }
  }
  return lines;
}
