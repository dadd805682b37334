import { AuthError } from '../../../adapters/identity.js';
import { diagnoseAuthError } from '../../../tenant/diagnose.js';
import { appTokenWithKeptMetadata } from '../../../tenant/authority-metadata.js';
import { skip, type Check } from './types.js';
import { servicePrincipalMissing, SP_MISSING } from '../../../tenant/app-token.js';

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
        cred: {
          clientId: r.t.appId,
          tenant: r.t.tenant,
          keyPem: cred.keyPem,
          thumbprintSha256: cred.thumbprintSha256,
        },
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
