import { usageError } from '../core/errors.js';
import type { Rights } from '../rights/types.js';
import type { RightsStrategy } from '../rights/strategy.js';
import type { Workload } from './workload.js';
import { exchange } from './exchange/index.js';
import { compliance } from './compliance/index.js';
import { teams } from './teams/index.js';

export type * from './workload.js';

/** Every workload exo-cba sets up, in the wizard's order: adding one is a folder and a line here. */
const WORKLOADS = { exchange, compliance, teams } as const satisfies Record<string, Workload>;

export type WorkloadName = keyof typeof WORKLOADS;
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];
export const DEFAULT_WORKLOAD: WorkloadName = 'exchange';

export function workloadNamed(name: WorkloadName): Workload {
  return WORKLOADS[name];
}

export function allWorkloads(): Workload[] {
  return WORKLOAD_NAMES.map((n) => WORKLOADS[n]);
}

export function parseWorkloadName(value: string): WorkloadName {
  const v = value.trim().toLowerCase();
  if ((WORKLOAD_NAMES as string[]).includes(v)) return v as WorkloadName;
  throw usageError(
    `Unknown workload '${value}'.`,
    `Use one of: ${WORKLOAD_NAMES.join(', ')} (${allWorkloads()
      .map((w) => `${w.name}: ${w.service}`)
      .join('; ')}).`,
  );
}

/** The strategy for these rights in this workload, or a usage error when the workload does not take them. */
export function strategyFor<R extends Rights>(workload: Workload, r: R): RightsStrategy<R> {
  const s = workload.strategies.find((x) => x.kind === r.kind);
  if (!s)
    throw usageError(
      `${workload.service} does not take rights of the kind '${r.kind}'.`,
      `Use ${workload.strategies.map((x) => x.kind).join(' or ')}.`,
    );
  return s as unknown as RightsStrategy<R>;
}

/** Every EXO_CBA_* variable that overrides a workload endpoint. */
export const WORKLOAD_ENDPOINT_ENV: readonly string[] = allWorkloads().flatMap((w) => w.endpointEnv);

/** A workload's name as profiles and results store it. */
export function nameOf(w: Workload): WorkloadName {
  return parseWorkloadName(w.name);
}
