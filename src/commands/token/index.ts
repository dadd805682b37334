import type { Context } from '../../context.js';
import { EXIT, failure, usageError } from '../../core/errors.js';
import { openTarget } from '../../tenant/target.js';
import { chooserFor, resolveTargets } from '../../tenant/app-targets.js';
import { explainFederatedError, federatedAppToken } from '../../tenant/federated-token.js';
import { AuthError, type AppToken } from '../../adapters/identity.js';
import type { Profile } from '../../profile/store.js';
import type { CloudName } from '../../core/clouds.js';
import { workloadNamed } from '../../workloads/index.js';
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

/** What the workload's tokens are for: the profile's workload, Exchange Online without a profile. */
function resourceOf(profile: Profile | undefined, cloud: CloudName, ctx: Pick<Context, 'env'>): string {
  return workloadNamed(profile?.workload ?? 'exchange').endpoint(cloud, ctx.env).resource;
}

interface Issued {
  token: AppToken;
  resource: string;
  appId: string;
  tenant: string;
}

/** The app and tenant of a federated sign-in: flags or EXO_CBA_* first, else the profile. */
async function appOf(
  o: TokenOptions,
  ctx: Context,
): Promise<{ appId: string; tenant: string; profile?: Profile }> {
  const t = o.target;
  if (t.certificate?.source === '--cert-file')
    throw usageError(
      '--federated signs in with the CI token, without a certificate; --cert-file does not combine with it.',
      'Drop --cert-file, or drop --federated to sign in with the certificate.',
    );
  const needProfile = t.profile !== undefined || t.appId === undefined || t.tenant === undefined;
  const profile = needProfile ? await ctx.profiles.resolve(t.profile, chooserFor(ctx)) : undefined;
  const appId = t.appId ?? profile?.app.appId;
  const tenant = t.tenant ?? profile?.tenantId;
  if (!appId || !tenant)
    throw usageError(
      'token --federated needs the app and the tenant.',
      'Pass --app-id and --tenant (or set EXO_CBA_APP_ID and EXO_CBA_TENANT), or --profile.',
    );
  return { appId, tenant, ...(profile ? { profile } : {}) };
}

async function federated(o: TokenOptions, ctx: Context): Promise<Issued> {
  const t = o.target;
  const { appId, tenant, profile } = await appOf(o, ctx);
  const target = await openTarget(ctx, {
    cloud: t.cloud ?? profile?.cloud ?? 'global',
    sandbox: t.sandbox || Boolean(profile?.sandbox),
  });
  try {
    const identity = await ctx.services.identity(target.cloud, target.http);
    const resource = resourceOf(profile, target.cloud.name, ctx);
    const token = await federatedAppToken(
      { env: ctx.env, http: target.http, readFile: (p) => ctx.files.read(p), identity },
      { appId, tenant, resource, ...(o.federatedTokenFile ? { tokenFile: o.federatedTokenFile } : {}) },
    ).catch((e: unknown) => {
      throw explainFederatedError(e, { appId, ...(profile ? { profile: profile.name } : {}) });
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
    const resource = resourceOf(t.profile, target.cloud.name, ctx);
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
