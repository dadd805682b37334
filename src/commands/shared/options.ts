import type { AuthMethod } from '../../core/values.js';
import type { CloudName } from '../../core/clouds.js';
import type { WorkloadName } from '../../workloads/index.js';

/** Option types and defaults that several commands share; cli/options.ts parses argv into them. */

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const DEFAULT_PASSWORD_ENV = 'EXO_CBA_CERTIFICATE_PASSWORD';

export interface AdminSignIn {
  clientId: string;
  auth: AuthMethod;
}

/** What check and rotate act on: --all, a profile, or an app given by flags or EXO_CBA_* variables (flags win). */
export interface TargetOptions {
  all: boolean;
  profile?: string;
  appId?: string;
  tenant?: string;
  /** A path, or base64; with where it came from, for messages. */
  certificate?: { value: string; source: '--cert-file' | 'EXO_CBA_CERTIFICATE' };
  /** The variable that holds the PFX password (its name; the value is read only when the file is opened). */
  passwordEnv: string;
  /** --pfx-password-env was given: the variable must then be set. */
  passwordEnvNamed: boolean;
  cloud?: CloudName;
  /** For an app given by flags: its workload (a profile knows its own); Exchange when not given. */
  workload?: WorkloadName;
  sandbox: boolean;
}
