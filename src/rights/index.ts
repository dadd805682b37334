import type { Rights } from './types.js';
import type { RightsStrategy } from './strategy.js';
import { directoryRole } from './directory-role.js';
import { exchangeRbac } from './exchange-rbac.js';

export type { Rights } from './types.js';
export type { RightsStrategy } from './strategy.js';

const STRATEGIES: { [K in Rights['kind']]: RightsStrategy<Extract<Rights, { kind: K }>> } = {
  'directory-role': directoryRole,
  'exchange-rbac': exchangeRbac,
};

export function strategyFor<R extends Rights>(r: R): RightsStrategy<R> {
  return STRATEGIES[r.kind] as unknown as RightsStrategy<R>;
}

/** Every scope any strategy may need, for a sign-in made before the strategy is known. */
export const ALL_RIGHTS_SCOPES: readonly string[] = [
  ...new Set(Object.values(STRATEGIES).flatMap((s) => s.graphScopes)),
];
