import { AuthError } from '../../../adapters/identity.js';
import { diagnoseAuthError } from '../../../tenant/diagnose.js';
import { appTokenWithKeptMetadata } from '../../../tenant/authority-metadata.js';
import { appCredentialOf, skip, type Check } from './types.js';
import { servicePrincipalMissing, SP_MISSING } from '../../../tenant/app-token.js';
import { explainFederatedError, federatedAppToken } from '../../../tenant/federated-token.js';
import { CliError, EXIT } from '../../../core/errors.js';

/** An app-only token for the workload's resource, with the certificate alone. */
export const signIn: Check = {
  id: 'sign-in',
  async run(ctx, r) {
    const cred = r.cred;
    if (!cred) return skip('no usable certificate');
    const resource = r.t.workload.endpoint(r.svc.target.cloud.name, r.svc.target.env).resource;
    try {
      const kept = r.t.profile?.authorityMetadata;
      const signedIn = await appTokenWithKeptMetadata(ctx, {
        identity: r.svc.identity,
        cred: appCredentialOf(r, cred),
        resource,
        ...(kept ? { kept } : {}),
      });
      r.token = signedIn.token;
      if (signedIn.metadata) r.authorityMetadata = signedIn.metadata;
      if (servicePrincipalMissing(r.token.claims)) {
        // Nothing further can pass with this token: the later checks skip instead of blaming the consent.
        delete r.token;
        return { status: 'fail', message: SP_MISSING.what, fix: SP_MISSING.fix(r.t.profile?.name) };
      }
      return { status: 'pass', message: `app-only token for ${resource} issued` };
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const d = diagnoseAuthError(err, {
        appId: r.t.appId,
        tenant: r.t.tenant,
        service: r.t.workload.service,
      });
      return { status: 'fail', message: d.what, fix: d.fix };
    }
  },
};

/** A federated check has no certificate or files to look at; the report says so, in the certificate's place. */
export const noCertificate: Check = {
  id: 'certificate',
  run: () =>
    Promise.resolve(
      skip(
        "--federated: signed in with the CI system's own OIDC token; the certificate and file checks do not " +
          'apply',
      ),
    ),
};

/** An app-only token for the workload's resource from the CI system's own OIDC token (check --federated). */
export const federatedSignIn: Check = {
  id: 'sign-in',
  async run(ctx, r) {
    const resource = r.t.workload.endpoint(r.svc.target.cloud.name, r.svc.target.env).resource;
    try {
      const token = await federatedAppToken(
        {
          env: ctx.env,
          http: r.svc.target.http,
          readFile: (p) => ctx.files.read(p),
          identity: r.svc.identity,
        },
        {
          appId: r.t.appId,
          tenant: r.t.tenant,
          resource,
          ...(r.o.federatedTokenFile !== undefined ? { tokenFile: r.o.federatedTokenFile } : {}),
        },
      );
      if (servicePrincipalMissing(token.claims))
        return { status: 'fail', message: SP_MISSING.what, fix: SP_MISSING.fix(r.t.profile?.name) };
      r.token = token;
      return {
        status: 'pass',
        message:
          `app-only token for ${resource} issued for the CI token (${token.presented.source}, subject ` +
          `${token.presented.subject})`,
      };
    } catch (err) {
      const e = explainFederatedError(err, {
        appId: r.t.appId,
        ...(r.t.profile ? { profile: r.t.profile } : {}),
      });
      if (!(e instanceof CliError)) throw e;
      // No CI token to offer is unreadable input (exit 2), as for a certificate that cannot be read.
      if (e.exitCode === EXIT.usage) r.inputError = true;
      return {
        status: 'fail',
        message: `${e.message}${e.detail.why ? ` ${e.detail.why}` : ''}`,
        ...(e.detail.fix ? { fix: e.detail.fix } : {}),
      };
    }
  },
};
