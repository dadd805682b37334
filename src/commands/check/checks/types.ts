import type { Context } from '../../../context.js';
import type { CheckOptions } from '../options.js';
import type { AppTarget } from '../../../tenant/app-targets.js';
import type { Target } from '../../../tenant/target.js';
import type { AppCredential, AppToken, Identity } from '../../../adapters/identity.js';
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

/** The app's credential with the run's certificate: what every token of the checks is asked with. */
export const appCredentialOf = (r: CheckRun, cred: Credential): AppCredential => ({
  clientId: r.t.appId,
  tenant: r.t.tenant,
  keyPem: cred.keyPem,
  thumbprintSha256: cred.thumbprintSha256,
});

/** An app-only Microsoft Graph token with the run's certificate (the consent and --graph checks). */
export const graphTokenOf = (r: CheckRun, cred: Credential): Promise<AppToken> =>
  r.svc.identity.appToken(appCredentialOf(r, cred), r.svc.target.cloud.graphResource);
