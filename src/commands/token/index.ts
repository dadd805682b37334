import type { Context } from '../../context.js';
import { EXIT, failure, usageError } from '../../core/errors.js';
import { openTarget } from '../../tenant/target.js';
import { resolveFederatedTarget, resolveTargets } from '../../tenant/app-targets.js';
import { explainFederatedError, federatedAppToken } from '../../tenant/federated-token.js';
import { AuthError, type AppToken } from '../../adapters/identity.js';
import type { CommandResult } from '../../output/render.js';
import type { TokenOptions } from './options.js';

/**
 * exo-cba token: exactly one access token on stdout, for the profile's workload resource (its endpoint's
 * resource in the cloud; Exchange Online without a profile), for
 * `Connect-ExchangeOnline -AccessToken … -Organization …`. With --federated it signs in with the CI
 * system's own OIDC token; without, with the certificate. The token goes to stdout only: never to stderr,
 * a log, a profile or --verbose.
 */

export interface TokenResult {
  accessToken: string;
  resource: string;
  appId: string;
  tenant: string;
  expiresOn?: string;
}

interface Issued {
  token: AppToken;
  resource: string;
  appId: string;
  tenant: string;
}

async function federated(o: TokenOptions, ctx: Context): Promise<Issued> {
  const t = await resolveFederatedTarget(o.target, ctx, 'token');
  const { appId, tenant, profile } = t;
  const target = await openTarget(ctx, { cloud: t.cloud, sandbox: t.sandbox });
  try {
    const identity = await ctx.services.identity(target.cloud, target.http);
    const resource = t.workload.endpoint(target.cloud.name, target.env).resource;
    const token = await federatedAppToken(
      { env: ctx.env, http: target.http, readFile: (p) => ctx.files.read(p), identity },
      { appId, tenant, resource, ...(o.federatedTokenFile ? { tokenFile: o.federatedTokenFile } : {}) },
    ).catch((e: unknown) => {
      throw explainFederatedError(e, { appId, ...(profile ? { profile } : {}) });
    });
    ctx.out.verbose(
      `signed in with the CI token from ${token.presented.source} (subject ${token.presented.subject})`,
    );
    return { token, resource, appId, tenant };
  } finally {
    await target.close();
  }
}

async function withCertificate(o: TokenOptions, ctx: Context): Promise<Issued> {
  if (o.target.all)
    throw usageError(
      'token prints one token; --all does not combine with it.',
      'Name one profile with --profile.',
    );
  const [t] = await resolveTargets(o.target, ctx);
  if (!t)
    throw usageError(
      'There is no app to sign in as.',
      "Run 'exo-cba init' first, or pass --app-id and --tenant.",
    );
  const cred = await t.credential();
  const target = await openTarget(ctx, { cloud: t.cloud, sandbox: t.sandbox });
  try {
    const identity = await ctx.services.identity(target.cloud, target.http);
    const resource = t.workload.endpoint(target.cloud.name, target.env).resource;
    const token = await identity
      .appToken(
        { clientId: t.appId, tenant: t.tenant, keyPem: cred.keyPem, thumbprintSha256: cred.thumbprintSha256 },
        resource,
      )
      .catch((e: unknown) => {
        if (!(e instanceof AuthError)) throw e;
        throw failure(`The token service refused the certificate sign-in: ${e.description}`, {
          ...(e.aadsts ? { serviceCode: `AADSTS${e.aadsts}` } : {}),
          fix: `Run 'exo-cba check${t.profile ? ` --profile ${t.profile.name}` : ''}' for the diagnosis.`,
        });
      });
    return { token, resource, appId: t.appId, tenant: t.tenant };
  } finally {
    await target.close();
  }
}

export async function tokenCommand(o: TokenOptions, ctx: Context): Promise<CommandResult> {
  const issued = o.federated ? await federated(o, ctx) : await withCertificate(o, ctx);
  const exp = issued.token.claims['exp'];
  const expiresOn = typeof exp === 'number' ? new Date(exp * 1000).toISOString() : undefined;
  ctx.out.info(
    `${ctx.out.color.green('✔')} Access token for ${issued.resource} (app ${issued.appId}` +
      `${expiresOn ? `, valid until ${expiresOn}` : ''}) on stdout`,
  );
  const data: TokenResult = {
    accessToken: issued.token.accessToken,
    resource: issued.resource,
    appId: issued.appId,
    tenant: issued.tenant,
    ...(expiresOn ? { expiresOn } : {}),
  };
  return { command: 'token', exitCode: EXIT.ok, data, text: issued.token.accessToken };
}
