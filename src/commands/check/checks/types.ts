import type { Context } from '../../../context.js';
import type { CheckOptions } from '../options.js';
import type { AppTarget } from '../../../tenant/app-targets.js';
import type { Target } from '../../../tenant/target.js';
import type { AppToken, Identity } from '../../../adapters/identity.js';
import type { Credential } from '../../../certificate/x509.js';
import type { CheckItem, CheckReport } from '../../../output/render.js';
import type { AuthorityMetadata } from '../../../core/authority-metadata.js';

/** What the checks of one app share: each reads what the earlier ones found, and adds its own item. */
export interface CheckRun {
  t: AppTarget;
  o: CheckOptions;
  svc: { target: Target; identity: Identity };
  report: CheckReport;
  cred?: Credential;
  token?: AppToken;
  /** The tenant's authority metadata the sign-in used, for the profile to keep. */
  authorityMetadata?: AuthorityMetadata;
  inputError: boolean;
}

/**
 * One check: an id for its report line, and a run that returns its item (or a skip; undefined when it does not
 * apply, and is left out of the report). Adding a check is adding a module to the list; a workload's own
 * checks come from the workload (workload.ts).
 */
export interface Check {
  id: string;
  run(ctx: Context, r: CheckRun): Promise<Omit<CheckItem, 'id'> | undefined>;
}

export const skip = (message: string): Omit<CheckItem, 'id'> => ({ status: 'skip', message });
