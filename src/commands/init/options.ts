import type { KeySize } from '../../certificate/x509.js';
import type { CloudName } from '../../core/clouds.js';
import type { WorkloadName } from '../../workloads/index.js';
import type { AdminSignIn } from '../shared/options.js';

export const DEFAULT_VALIDITY_DAYS = 365;

/** init: undefined means "not given" (then --yes takes the default, or the wizard asks). */
export interface InitOptions extends AdminSignIn {
  cloud: CloudName;
  sandbox: boolean;
  profile?: string;
  tenant?: string;
  appName?: string;
  /** --workload: undefined means "not given" (the wizard asks first; unattended, Exchange). */
  workload?: WorkloadName;
  /** --role as typed: init checks it against the workload's roles before anything else. */
  role?: string;
  allowGlobalAdmin: boolean;
  validityDays?: number;
  keySize?: KeySize;
  outDir?: string;
  certFile?: string;
  pfxPasswordEnv?: string;
  pfxLegacy: boolean;
  waitMs: number;
  verify: boolean;
  dryRun: boolean;
  /** --yes: confirmations that guard a risk (adopting an app) need it when nobody is there to answer. */
  yes: boolean;
  /** --adopt-app: take over an existing app exo-cba did not create. */
  adoptApp?: string;
  /** What to do with credentials exo-cba did not make on an adopted app. */
  foreignCredentials?: 'remove' | 'keep';
  /** Exchange RBAC instead of a directory role: a role group, or management roles with an optional scope. */
  exchangeRoleGroup?: string;
  exchangeRoles?: string[];
  exchangeScope?: string;
}
