import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { CliError, EXIT } from '../../../core/errors.js';
import type { InitRun } from '../run.js';
import { servicePrincipalMissing, SP_MISSING } from '../../../tenant/app-token.js';

/**
 * The proof, the workload's own: an app-only token from the new certificate, the permission in it, and a
 * read-only call the chosen rights allow, polled with a countdown while Entra and the service replicate (up to --wait).
 */
/** After a failed verification: is the reason a missing service principal (an app-only token without oid)? */
async function spMissing(s: InitRun): Promise<boolean> {
  const credential = s.credential;
  const app = s.app;
  if (!credential || !app) return false;
  const token = await s.deps.identity
    .appToken(
      {
        clientId: app.appId,
        tenant: s.org.tenantId,
        keyPem: credential.keyPem,
        thumbprintSha256: credential.thumbprintSha256,
      },
      s.workload.endpoint(s.deps.cloud.name, s.deps.env).resource,
    )
    .catch(() => undefined);
  return token !== undefined && servicePrincipalMissing(token.claims);
}

export const verify: Step<InitRun, Pick<Context, 'clock' | 'out'>> = {
  id: 'verify',
  plan: (_ctx, s) =>
    s.flags.verify
      ? `verify: an app-only token from the certificate, then ` +
        `${s.workload.verifyCall(s.answers.rights)} (waiting up to ` +
        `${Math.round(s.flags.waitMs / 1000)} s for replication)`
      : 'skip verification (--no-verify): the result is then unverified',
  async run(ctx, s) {
    if (!s.flags.verify) return;
    const credential = s.credential!;
    const outcome = await s.workload.verify(
      ctx,
      { identity: s.deps.identity, http: s.deps.http, cloud: s.deps.cloud, env: s.deps.env },
      {
        cred: {
          clientId: s.app!.appId,
          tenant: s.org.tenantId,
          keyPem: credential.keyPem,
          thumbprintSha256: credential.thumbprintSha256,
        },
        tenantId: s.org.tenantId,
        organization: s.org.initialDomain,
        waitMs: Math.max(0, s.deadline - ctx.clock.now().getTime()),
        rights: s.answers.rights,
      },
    );
    if (!outcome.verified) {
      if (await spMissing(s)) {
        throw new CliError(EXIT.failed, `Set up, but not verified: ${SP_MISSING.what}.`, {
          code: 'EXO-SP-MISSING',
          why: 'Entra issues such a token when the service principal is gone; Exchange and Graph then refuse it.',
          fix: SP_MISSING.fix(s.profileName),
        });
      }
      throw new CliError(
        EXIT.failed,
        `Set up, but not verified within ${Math.round(s.flags.waitMs / 1000)} s: ${outcome.diagnosis.what}`,
        {
          why: `Entra and ${s.workload.service} can take several minutes to see a new app, grant and role.`,
          fix:
            `Re-run the same 'exo-cba init' to keep waiting (everything done so far is reused), ` +
            `or try 'exo-cba check --profile ${s.profileName}' later. ${outcome.diagnosis.fix}`,
        },
      );
    }
    s.verified = true;
  },
};
