import type { Context } from '../context.js';
import type { Profile } from '../profile/store.js';
import type { TargetOptions } from '../commands/shared/options.js';
import { usageError, CliError, EXIT } from '../core/errors.js';
import type { CloudName } from '../core/clouds.js';
import { DEFAULT_WORKLOAD, workloadNamed, type Workload } from '../workloads/index.js';
import { readCertificateInput, loadRecordedCredential } from '../certificate/credentials.js';
import type { Credential } from '../certificate/x509.js';

/**
 * What check and rotate act on: an app, a tenant and a certificate with its key. Flags win over the
 * environment (EXO_CBA_*, for CI secrets), which wins over the profile.
 */
export interface AppTarget {
  label: string;
  profile?: Profile;
  appId: string;
  tenant: string;
  organization?: string;
  cloud: CloudName;
  /** The workload the app is for (the profile's, or --workload). */
  workload: Workload;
  sandbox: boolean;
  /** Loads (and checks) the certificate and key; throws a usage error when they cannot be used. */
  credential(): Promise<Credential>;
}

/** In a terminal, the question that picks a profile when several exist and none is the default. */
export function chooserFor(
  ctx: Pick<Context, 'interactive' | 'prompt'>,
): ((names: string[]) => Promise<string>) | undefined {
  if (!ctx.interactive) return undefined;
  return (names) =>
    ctx.prompt.select({
      name: 'profile',
      message: 'Which profile? (there is no default)',
      choices: names.map((n) => ({ value: n, name: n })),
    });
}

export async function resolveTargets(
  o: TargetOptions,
  ctx: Pick<Context, 'env' | 'files' | 'profiles' | 'interactive' | 'prompt'>,
): Promise<AppTarget[]> {
  const env = ctx.env;
  if (o.passwordEnvNamed && env[o.passwordEnv] === undefined) {
    throw usageError(
      `The environment variable ${o.passwordEnv} (named by --pfx-password-env) is not set.`,
      `Set ${o.passwordEnv} to the PFX password.`,
    );
  }
  const password = env[o.passwordEnv];
  const explicit = Boolean(o.appId || o.tenant || o.certificate);
  if (o.all) {
    const profiles = await ctx.profiles.list();
    if (profiles.length === 0)
      throw usageError('There are no profiles to check.', "Run 'exo-cba init' first.");
    return profiles.map((p) => fromProfile(p, ctx, o.cloud, o.sandbox));
  }
  const profile = o.profile || !explicit ? await ctx.profiles.resolve(o.profile, chooserFor(ctx)) : undefined;
  const appId = o.appId ?? profile?.app.appId;
  const tenant = o.tenant ?? profile?.tenantId;
  const missing = [
    !appId && '--app-id (or EXO_CBA_APP_ID)',
    !tenant && '--tenant (or EXO_CBA_TENANT)',
    !o.certificate && !profile?.certificate && '--cert-file (or EXO_CBA_CERTIFICATE)',
  ].filter(Boolean);
  if (missing.length)
    throw usageError(
      `Missing ${missing.join(', ')}.`,
      'Pass them, or use a profile made by exo-cba init (--profile).',
    );
  if (!o.certificate && profile)
    return [
      fromProfile(
        { ...profile, app: { ...profile.app, appId: appId! }, tenantId: tenant! },
        ctx,
        o.cloud,
        o.sandbox,
      ),
    ];
  const certificate = o.certificate!;
  return [
    {
      label: profile?.name ?? appId!,
      ...(profile ? { profile } : {}),
      appId: appId!,
      tenant: tenant!,
      ...(profile
        ? { organization: profile.organization }
        : tenant!.includes('.')
          ? { organization: tenant! }
          : {}),
      cloud: o.cloud ?? profile?.cloud ?? 'global',
      workload: workloadNamed(profile?.workload ?? o.workload ?? DEFAULT_WORKLOAD),
      sandbox: o.sandbox || Boolean(profile?.sandbox),
      credential: async () => {
        const cert = await import('../certificate/x509.js');
        const { bytes, label } = await readCertificateInput(ctx, certificate.value, certificate.source);
        return cert.requireCredential(cert.readCredential(bytes, label, password), label);
      },
    },
  ];
}

function fromProfile(
  p: Profile,
  ctx: Pick<Context, 'files' | 'env'>,
  cloud: CloudName | undefined,
  sandbox: boolean,
): AppTarget {
  return {
    label: p.name,
    profile: p,
    appId: p.app.appId ?? '',
    tenant: p.tenantId,
    organization: p.organization,
    cloud: cloud ?? p.cloud,
    workload: workloadNamed(p.workload),
    sandbox: sandbox || Boolean(p.sandbox),
    credential: async () => {
      if (!p.app.appId)
        throw usageError(
          `Profile '${p.name}' has no app yet (init did not finish).`,
          `Re-run 'exo-cba init --profile ${p.name}'.`,
        );
      const rec = p.certificate ?? p.pendingCertificate;
      if (!rec)
        throw usageError(
          `Profile '${p.name}' records no certificate.`,
          `Re-run 'exo-cba init --profile ${p.name}'.`,
        );
      const loaded = await loadRecordedCredential(ctx, rec);
      if (typeof loaded === 'string')
        throw new CliError(EXIT.usage, `The certificate of profile '${p.name}' cannot be used: ${loaded}.`, {
          fix: 'Restore the files (see the archive/ folder beside them), or point --cert-file at the certificate.',
        });
      return loaded;
    },
  };
}

/**
 * The one app of a federated sign-in (check --federated, token --federated): its app and tenant from
 * --app-id/--tenant or EXO_CBA_APP_ID/EXO_CBA_TENANT, so that a pipeline needs no profile; else the profile's.
 * No certificate is read: the CI system's own OIDC token signs in.
 */
export async function resolveFederatedTarget(
  o: TargetOptions,
  ctx: Pick<Context, 'profiles' | 'interactive' | 'prompt'>,
  command: string,
): Promise<AppTarget> {
  refuseWithFederated(o, command);
  const needProfile = o.profile !== undefined || o.appId === undefined || o.tenant === undefined;
  const profile = needProfile ? await ctx.profiles.resolve(o.profile, chooserFor(ctx)) : undefined;
  const appId = o.appId ?? profile?.app.appId;
  const tenant = o.tenant ?? profile?.tenantId;
  if (!appId || !tenant)
    throw usageError(
      `${command} --federated needs the app and the tenant.`,
      'Pass --app-id and --tenant (or set EXO_CBA_APP_ID and EXO_CBA_TENANT), or --profile.',
    );
  return {
    ...targetOf(o, profile, tenant),
    label: profile?.name ?? appId,
    appId,
    tenant,
    credential: noCredential,
  };
}

const noCredential = () =>
  Promise.reject(new Error('a federated target has no certificate: the CI token signs in'));

/** What a federated sign-in does not combine with. */
function refuseWithFederated(o: TargetOptions, command: string): void {
  if (o.all)
    throw usageError(
      `${command} --federated signs in as one app with the CI job's token; --all does not combine with it.`,
      'Name the app with --app-id and --tenant (or EXO_CBA_APP_ID and EXO_CBA_TENANT), or one --profile.',
    );
  if (o.certificate?.source === '--cert-file')
    throw usageError(
      '--federated signs in with the CI token, without a certificate; --cert-file does not combine with it.',
      'Drop --cert-file, or drop --federated to sign in with the certificate.',
    );
}

/** The target's facts from the flags, else the profile (the organization: the profile's, or a domain tenant). */
function targetOf(
  o: TargetOptions,
  profile: Profile | undefined,
  tenant: string,
): Pick<AppTarget, 'profile' | 'organization' | 'cloud' | 'workload' | 'sandbox'> {
  const organization = profile?.organization ?? (tenant.includes('.') ? tenant : undefined);
  return {
    ...(profile ? { profile } : {}),
    ...(organization ? { organization } : {}),
    cloud: o.cloud ?? profile?.cloud ?? 'global',
    workload: workloadNamed(profile?.workload ?? o.workload ?? DEFAULT_WORKLOAD),
    sandbox: o.sandbox || Boolean(profile?.sandbox),
  };
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
