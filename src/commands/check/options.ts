import type { TargetOptions } from '../shared/options.js';

export interface CheckOptions {
  target: TargetOptions;
  warnDays: number;
  strict: boolean;
  graph: boolean;
  junit?: string;
  concurrency: number;
}
