export type { Rights } from './types.js';
export type { RightsStrategy, WorkloadAdmin } from './strategy.js';
