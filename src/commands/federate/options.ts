import type { CloudName } from '../../core/clouds.js';
import type { FederationSpec } from '../../tenant/federation.js';
import type { AdminSignIn } from '../shared/options.js';

/** exo-cba federate: add one trust (a provider's subject), list them, or remove one by name. */
type FederateAction =
  { kind: 'add'; spec: FederationSpec } | { kind: 'list' } | { kind: 'remove'; name: string };

export interface FederateOptions extends AdminSignIn {
  profile?: string;
  cloud?: CloudName;
  sandbox: boolean;
  action: FederateAction;
  dryRun: boolean;
  /** How long to wait for a write to show in Graph's reads (read back). */
  waitMs: number;
}

export const DEFAULT_FEDERATE_WAIT_MS = 2 * 60_000;
