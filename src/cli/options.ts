import path from 'node:path';
import { usageError } from '../core/errors.js';
import {
  parseAppName,
  parseAuth,
  parseDuration,
  parseEnvName,
  parseGuid,
  parseIntIn,
  parseKeySize,
  parseTenant,
} from '../core/values.js';
import { parseCloudName } from '../core/clouds.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../tenant/entra.js';
import { parseWorkloadName } from '../workloads/index.js';
import { validateProfileName } from '../profile/schema.js';
import type { AdminSignIn, TargetOptions } from '../commands/shared/options.js';
import { DEFAULT_PASSWORD_ENV, DEFAULT_WAIT_MS } from '../commands/shared/options.js';
import { DEFAULT_VALIDITY_DAYS, type InitOptions } from '../commands/init/options.js';
import type { CheckOptions } from '../commands/check/options.js';
import { DEFAULT_OVERLAP_MS, type RotateOptions } from '../commands/rotate/options.js';
import type { StatusOptions } from '../commands/status.js';
import type { RemoveOptions } from '../commands/remove.js';
import type { SandboxCommandOptions } from '../commands/sandbox.js';
import { DEFAULT_FEDERATE_WAIT_MS, type FederateOptions } from '../commands/federate/options.js';
import type { TokenOptions } from '../commands/token/options.js';
import * as federation from '../tenant/federation.js';

/**
 * argv (as commander hands it over) and the environment, turned once into one typed options object per
 * command. Commands never read raw flags. One rule for every flag: a value given, even an empty one, is
 * checked (an empty --app-name is an error, not "no name"); an environment variable that is set but empty
 * counts as unset, as CI systems often pass empty secrets for "none".
 */

type Raw = Record<string, unknown>;
type Env = Readonly<Record<string, string | undefined>>;

/** The flag's value when it was given; undefined when it was not. */
const flag = (raw: Raw, key: string): string | undefined =>
  typeof raw[key] === 'string' ? raw[key] : undefined;
const on = (raw: Raw, key: string) => raw[key] === true;
const envValue = (env: Env, key: string) =>
  env[key] !== undefined && env[key] !== '' ? env[key] : undefined;
const nonEmpty = (name: string, v: string) => {
  if (v.trim() === '')
    throw usageError(`${name} is empty.`, `Give a value for ${name}, or leave the flag out.`);
  return v.trim();
};

export interface OptionsByCommand {
  init: InitOptions;
  check: CheckOptions;
  rotate: RotateOptions;
  status: StatusOptions;
  remove: RemoveOptions;
  sandbox: SandboxCommandOptions;
  federate: FederateOptions;
  token: TokenOptions;
}

export type CommandName = keyof OptionsByCommand;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], why = ''): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(
    `${name} must be ${allowed.map((a) => `'${a}'`).join(', ')}, got '${value}'.`,
    why || undefined,
  );
}

const optional = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
  v === undefined ? {} : ({ [key]: v } as { [P in K]: V });

function adminSignIn(raw: Raw): AdminSignIn {
  const clientId = flag(raw, 'clientId');
  return {
    clientId: clientId !== undefined ? parseGuid('--client-id', clientId) : DEFAULT_PUBLIC_CLIENT_ID,
    auth: parseAuth(flag(raw, 'auth') ?? 'device'),
  };
}

const cloudOf = (raw: Raw) =>
  flag(raw, 'cloud') !== undefined ? parseCloudName(flag(raw, 'cloud')!) : undefined;
const profileOf = (raw: Raw) =>
  flag(raw, 'profile') !== undefined ? validateProfileName(flag(raw, 'profile')!) : undefined;
const pathOf = (name: string, raw: Raw, key: string) =>
  flag(raw, key) !== undefined ? path.resolve(nonEmpty(name, flag(raw, key)!)) : undefined;

export function parseInitOptions(raw: Raw): InitOptions {
  const v = (k: string) => flag(raw, k);
  if (v('foreignCredentials') !== undefined && v('adoptApp') === undefined)
    throw usageError(
      '--foreign-credentials only applies with --adopt-app.',
      'Add --adopt-app <appId> to take an app over deliberately, or drop --foreign-credentials.',
      'It decides what happens to credentials on an app being adopted; without --adopt-app it would be ignored.',
    );
  const rbac = [
    v('exchangeRoleGroup') !== undefined && '--exchange-role-group',
    Array.isArray(raw['exchangeRole']) && (raw['exchangeRole'] as unknown[]).length > 0 && '--exchange-role',
  ].filter(Boolean);
  if (rbac.length > 1)
    throw usageError(
      '--exchange-role-group and --exchange-role do not combine.',
      'Give the app a role group, or management roles, not both.',
    );
  if (rbac.length && v('role') !== undefined)
    throw usageError(
      `--role (a directory role) and ${rbac[0]} (Exchange RBAC) do not combine.`,
      'Exchange adds rights up from every source, so a directory role would defeat the RBAC scoping: choose one way.',
    );
  if (
    v('exchangeScope') !== undefined &&
    !(Array.isArray(raw['exchangeRole']) && (raw['exchangeRole'] as unknown[]).length)
  )
    throw usageError(
      '--exchange-scope limits management role assignments, so it needs --exchange-role.',
      'For example --exchange-role "Mail Recipients" --exchange-scope "Sales Recipients".',
    );
  return {
    cloud: cloudOf(raw) ?? 'global',
    sandbox: on(raw, 'sandbox'),
    ...optional('profile', profileOf(raw)),
    ...optional('tenant', v('tenant') !== undefined ? parseTenant(v('tenant')!) : undefined),
    ...adminSignIn(raw),
    ...optional('appName', v('appName') !== undefined ? parseAppName(v('appName')!) : undefined),
    ...optional('workload', v('workload') !== undefined ? parseWorkloadName(v('workload')!) : undefined),
    // Checked against the workload's roles by init, first thing (the workload may still be asked).
    ...optional('role', v('role') !== undefined ? nonEmpty('--role', v('role')!) : undefined),
    allowGlobalAdmin: on(raw, 'allowGlobalAdmin'),
    ...optional(
      'validityDays',
      v('validityDays') !== undefined
        ? parseIntIn('--validity-days', v('validityDays')!, 1, 3650)
        : undefined,
    ),
    ...optional('keySize', v('keySize') !== undefined ? parseKeySize(v('keySize')!) : undefined),
    ...optional('outDir', pathOf('--out-dir', raw, 'outDir')),
    ...optional(
      'certFile',
      v('certFile') !== undefined ? nonEmpty('--cert-file', v('certFile')!) : undefined,
    ),
    ...optional(
      'pfxPasswordEnv',
      v('pfxPasswordEnv') !== undefined
        ? parseEnvName('--pfx-password-env', v('pfxPasswordEnv')!)
        : undefined,
    ),
    pfxLegacy: on(raw, 'pfxLegacy'),
    waitMs: v('wait') !== undefined ? parseDuration('--wait', v('wait')!, 60 * 60_000) : DEFAULT_WAIT_MS,
    verify: raw['verify'] !== false,
    dryRun: on(raw, 'dryRun'),
    yes: on(raw, 'yes'),
    ...optional(
      'adoptApp',
      v('adoptApp') !== undefined ? parseGuid('--adopt-app', v('adoptApp')!) : undefined,
    ),
    ...optional(
      'exchangeRoleGroup',
      v('exchangeRoleGroup') !== undefined
        ? nonEmpty('--exchange-role-group', v('exchangeRoleGroup')!)
        : undefined,
    ),
    ...optional(
      'exchangeRoles',
      Array.isArray(raw['exchangeRole']) && (raw['exchangeRole'] as unknown[]).length
        ? (raw['exchangeRole'] as string[]).map((x) => nonEmpty('--exchange-role', x))
        : undefined,
    ),
    ...optional(
      'exchangeScope',
      v('exchangeScope') !== undefined ? nonEmpty('--exchange-scope', v('exchangeScope')!) : undefined,
    ),
    ...optional(
      'foreignCredentials',
      v('foreignCredentials') !== undefined
        ? oneOf(
            '--foreign-credentials',
            v('foreignCredentials')!,
            ['remove', 'keep'] as const,
            "'remove' takes away every way to sign in as the app that exo-cba did not make; 'keep' " +
              'leaves them, and their holders get the Exchange rights too.',
          )
        : undefined,
    ),
  };
}

const workloadOf = (raw: Raw, env: Env) => {
  const value = flag(raw, 'workload') ?? envValue(env, 'EXO_CBA_WORKLOAD');
  return value === undefined ? undefined : parseWorkloadName(value);
};

function parseTargetOptions(raw: Raw, env: Env): TargetOptions {
  const appId = flag(raw, 'appId') ?? envValue(env, 'EXO_CBA_APP_ID');
  const tenant = flag(raw, 'tenant') ?? envValue(env, 'EXO_CBA_TENANT');
  const certFile = flag(raw, 'certFile');
  const certEnv = envValue(env, 'EXO_CBA_CERTIFICATE');
  const named = flag(raw, 'pfxPasswordEnv');
  const o: TargetOptions = {
    all: on(raw, 'all'),
    ...optional('profile', profileOf(raw)),
    ...optional(
      'appId',
      appId !== undefined
        ? parseGuid(flag(raw, 'appId') !== undefined ? '--app-id' : 'EXO_CBA_APP_ID', appId)
        : undefined,
    ),
    ...optional('tenant', tenant !== undefined ? parseTenant(tenant) : undefined),
    ...optional(
      'certificate',
      certFile !== undefined
        ? { value: nonEmpty('--cert-file', certFile), source: '--cert-file' as const }
        : certEnv !== undefined
          ? { value: certEnv, source: 'EXO_CBA_CERTIFICATE' as const }
          : undefined,
    ),
    passwordEnv: named !== undefined ? parseEnvName('--pfx-password-env', named) : DEFAULT_PASSWORD_ENV,
    passwordEnvNamed: named !== undefined,
    ...optional('cloud', cloudOf(raw)),
    ...optional('workload', workloadOf(raw, env)),
    sandbox: on(raw, 'sandbox'),
  };
  if (o.all && o.profile)
    throw usageError(
      `--all acts on every saved profile; it does not combine with --profile ${o.profile}.`,
      `Drop --profile to act on every profile, or drop --all to act on '${o.profile}' alone.`,
    );
  if (o.all && (o.appId || o.tenant || o.certificate))
    throw usageError(
      '--all checks the saved profiles; it does not combine with --app-id, --tenant, --cert-file or ' +
        'EXO_CBA_APP_ID/TENANT/CERTIFICATE.',
    );
  return o;
}

export function parseCheckOptions(raw: Raw, env: Env): CheckOptions {
  return {
    target: parseTargetOptions(raw, env),
    warnDays: parseIntIn('--warn-days', flag(raw, 'warnDays') ?? '30', 0, 3650),
    strict: on(raw, 'strict'),
    graph: on(raw, 'graph'),
    ...optional('junit', pathOf('--junit', raw, 'junit')),
    concurrency: parseIntIn('--concurrency', flag(raw, 'concurrency') ?? '8', 1, 64),
    federated: on(raw, 'federated'),
    ...optional('federatedTokenFile', federatedTokenFileOf(raw)),
  };
}

/** --federated-token-file names the CI token's file for a federated sign-in; alone it would do nothing. */
function federatedTokenFileOf(raw: Raw): string | undefined {
  const file = pathOf('--federated-token-file', raw, 'federatedTokenFile');
  if (file !== undefined && !on(raw, 'federated'))
    throw usageError(
      '--federated-token-file goes with --federated.',
      'Add --federated to sign in with the CI token in that file.',
    );
  return file;
}

export function parseRotateOptions(raw: Raw, env: Env): RotateOptions {
  const v = (k: string) => flag(raw, k);
  const objectId = v('objectId') ?? envValue(env, 'EXO_CBA_APP_OBJECT_ID');
  const o: RotateOptions = {
    target: parseTargetOptions(raw, env),
    ...adminSignIn(raw),
    ...optional(
      'ifExpiringWithin',
      v('ifExpiringWithin') !== undefined
        ? parseIntIn('--if-expiring-within', v('ifExpiringWithin')!, 0, 3650)
        : undefined,
    ),
    admin: on(raw, 'admin'),
    keepOld: on(raw, 'keepOld'),
    finish: on(raw, 'finish'),
    ...optional('exportPfxBase64', pathOf('--export-pfx-base64', raw, 'exportPfxBase64')),
    validityDays:
      v('validityDays') !== undefined
        ? parseIntIn('--validity-days', v('validityDays')!, 1, 3650)
        : DEFAULT_VALIDITY_DAYS,
    keySize: v('keySize') !== undefined ? parseKeySize(v('keySize')!) : 2048,
    pfxLegacy: on(raw, 'pfxLegacy'),
    waitMs: v('wait') !== undefined ? parseDuration('--wait', v('wait')!, 60 * 60_000) : DEFAULT_WAIT_MS,
    ...optional('outDir', pathOf('--out-dir', raw, 'outDir')),
    ...optional(
      'objectId',
      objectId !== undefined
        ? parseGuid(v('objectId') !== undefined ? '--object-id' : 'EXO_CBA_APP_OBJECT_ID', objectId)
        : undefined,
    ),
    overlapMs:
      v('overlap') !== undefined
        ? parseDuration('--overlap', v('overlap')!, 365 * 86_400_000)
        : DEFAULT_OVERLAP_MS,
    newPassword: on(raw, 'newPassword') || v('newPasswordEnv') !== undefined,
    ...optional(
      'newPasswordEnv',
      v('newPasswordEnv') !== undefined
        ? parseEnvName('--new-password-env', v('newPasswordEnv')!)
        : undefined,
    ),
    ...optional('onRotated', v('onRotated')),
    dryRun: on(raw, 'dryRun'),
    concurrency: parseIntIn('--concurrency', v('concurrency') ?? '8', 1, 64),
  };
  if (o.keepOld && v('overlap') !== undefined)
    throw usageError(
      '--keep-old keeps the old key until rotate --finish; it does not combine with --overlap.',
      'Use one of them: --overlap 14d, or --keep-old.',
    );
  if (o.finish && (o.keepOld || o.ifExpiringWithin !== undefined))
    throw usageError(
      '--finish only removes a kept old key; it does not combine with --keep-old or --if-expiring-within.',
      'Run rotate --finish on its own, after the hosts have moved to the new certificate.',
    );
  if (o.exportPfxBase64 && o.target.all)
    throw usageError(
      '--export-pfx-base64 writes one file, so it does not combine with --all.',
      'Rotate the profiles one by one with --profile when you need the base64 export.',
    );
  return o;
}

function parseStatusOptions(raw: Raw): StatusOptions {
  return {
    ...optional('profile', profileOf(raw)),
    ...optional(
      'setDefault',
      flag(raw, 'setDefault') !== undefined ? validateProfileName(flag(raw, 'setDefault')!) : undefined,
    ),
  };
}

function parseRemoveOptions(raw: Raw): RemoveOptions {
  return {
    ...optional('profile', profileOf(raw)),
    ...adminSignIn(raw),
    ...optional('cloud', cloudOf(raw)),
    sandbox: on(raw, 'sandbox'),
    yes: on(raw, 'yes'),
    deleteApp: on(raw, 'deleteApp'),
    dryRun: on(raw, 'dryRun'),
  };
}

/** "graph:POST:/servicePrincipals:503", "exchange::/InvokeCommand:500" → one injected failure. */
export function parseFailOnce(spec: string): NonNullable<SandboxCommandOptions['failOnce']> {
  const m = /^(token|graph|exchange):([A-Z]+)?:([^:]*):(\d{3})$/.exec(spec);
  if (!m)
    throw usageError(
      `--fail-once takes service:METHOD:path:status, got '${spec}'.`,
      'For example graph:POST:/servicePrincipals:503 or exchange::/InvokeCommand:500.',
    );
  return {
    service: m[1] as 'token' | 'graph' | 'exchange',
    ...(m[2] ? { method: m[2] } : {}),
    ...(m[3] ? { path: m[3] } : {}),
    status: Number(m[4]),
  };
}

function parseSandboxOptions(raw: Raw): SandboxCommandOptions {
  const v = (k: string) => flag(raw, k);
  return {
    ...optional('port', v('port') !== undefined ? parseIntIn('--port', v('port')!, 1024, 65533) : undefined),
    ...optional('state', pathOf('--state', raw, 'state')),
    ...optional('caFile', pathOf('--ca-file', raw, 'caFile')),
    replicationDelayMs: parseIntIn('--replication-delay', v('replicationDelay') ?? '0', 0, 3_600_000),
    throttleEvery: parseIntIn('--throttle-every', v('throttleEvery') ?? '0', 0, 1_000_000),
    deviceCode: oneOf('--device-code', v('deviceCode') ?? 'approve', [
      'approve',
      'deny',
      'expire',
      'conditional-access',
    ] as const),
    ...optional(
      'blockClient',
      v('blockClient') !== undefined ? parseGuid('--block-client', v('blockClient')!) : undefined,
    ),
    ...optional('failOnce', v('failOnce') !== undefined ? parseFailOnce(v('failOnce')!) : undefined),
  };
}

// --- federate: one provider (or --list, or --remove), each with the flags it takes ----------------------

const FEDERATE_PROVIDERS = ['github', 'azureDevops', 'gitlab', 'issuer'] as const;
const FLAG_OF: Record<string, string> = {
  github: '--github',
  azureDevops: '--azure-devops',
  gitlab: '--gitlab',
  issuer: '--issuer',
  subject: '--subject',
  environment: '--environment',
  branch: '--branch',
  tag: '--tag',
  pullRequest: '--pull-request',
  organizationId: '--organization-id',
  gitlabUrl: '--gitlab-url',
};
const given = (raw: Raw, keys: readonly string[]) =>
  keys.filter((k) => raw[k] !== undefined && raw[k] !== false);
const flags = (keys: string[]) => keys.map((k) => FLAG_OF[k] ?? k).join(', ');

/** Flags that belong to another provider than the one given: refused rather than ignored. */
function onlyWith(raw: Raw, provider: string, allowed: string[]): void {
  const stray = given(raw, [
    'subject',
    'environment',
    'branch',
    'tag',
    'pullRequest',
    'organizationId',
    'gitlabUrl',
  ]).filter((k) => !allowed.includes(k));
  if (stray.length)
    throw usageError(
      `${flags(stray)} ${stray.length > 1 ? 'do' : 'does'} not apply to ${FLAG_OF[provider] ?? provider}.`,
      'exo-cba federate --help lists which flags go with which provider.',
    );
}

function oneRef(raw: Raw, provider: string, kinds: string[]): string {
  const refs = given(raw, kinds);
  if (refs.length !== 1)
    throw usageError(
      `${FLAG_OF[provider] ?? provider} takes exactly one of ${flags(kinds)}` +
        `${refs.length ? `, got ${flags(refs)}` : ''}.`,
      'The subject names what the job runs for: an environment, a branch, a tag or pull requests.',
    );
  return refs[0] ?? '';
}

function githubSpec(raw: Raw): federation.FederationSpec {
  onlyWith(raw, 'github', ['environment', 'branch', 'tag', 'pullRequest']);
  const repository = federation.parseGitHubRepository(flag(raw, 'github') ?? '');
  const kind = oneRef(raw, 'github', ['environment', 'branch', 'tag', 'pullRequest']);
  if (kind === 'pullRequest') return { provider: 'github', repository, on: { kind: 'pull-request' } };
  const name = federation.parseRefName(FLAG_OF[kind] ?? kind, flag(raw, kind) ?? '');
  return { provider: 'github', repository, on: { kind: kind as 'environment' | 'branch' | 'tag', name } };
}

function providerSpec(raw: Raw, provider: (typeof FEDERATE_PROVIDERS)[number]): federation.FederationSpec {
  switch (provider) {
    case 'github':
      return githubSpec(raw);
    case 'azureDevops': {
      onlyWith(raw, provider, ['organizationId']);
      const id = flag(raw, 'organizationId');
      if (id === undefined)
        throw usageError(
          '--azure-devops needs --organization-id: the issuer of its tokens is https://vstoken.dev.azure.com/<id>.',
          "The service connection's Workload Identity federation details show the issuer; pass its last part.",
        );
      const sc = federation.parseAzureDevOps(flag(raw, 'azureDevops') ?? '');
      return { provider: 'azure-devops', ...sc, organizationId: federation.parseOrganizationId(id) };
    }
    case 'gitlab': {
      onlyWith(raw, provider, ['branch', 'tag', 'gitlabUrl']);
      const project = federation.parseGitLabProject(flag(raw, 'gitlab') ?? '');
      const kind = oneRef(raw, provider, ['branch', 'tag']) as 'branch' | 'tag';
      const url = flag(raw, 'gitlabUrl');
      return {
        provider: 'gitlab',
        project,
        ref: { kind, name: federation.parseRefName(`--${kind}`, flag(raw, kind) ?? '') },
        url:
          url !== undefined
            ? federation.parseIssuer('--gitlab-url', url, { trimSlash: true })
            : federation.GITLAB_DEFAULT_URL,
      };
    }
    case 'issuer': {
      onlyWith(raw, provider, ['subject']);
      const subject = flag(raw, 'subject');
      if (subject === undefined)
        throw usageError('--issuer needs --subject: the sub claim the tokens carry, exactly.');
      return {
        provider: 'issuer',
        issuer: federation.parseIssuer('--issuer', flag(raw, 'issuer') ?? '', { trimSlash: false }),
        subject: federation.parseSubject(subject),
      };
    }
  }
}

function federateAction(raw: Raw): FederateOptions['action'] {
  const providers = given(raw, FEDERATE_PROVIDERS) as (typeof FEDERATE_PROVIDERS)[number][];
  const modes = [...given(raw, ['list', 'remove']), ...(providers.length ? ['a provider'] : [])];
  if (modes.length !== 1 || providers.length > 1)
    throw usageError(
      modes.length === 0 && given(raw, ['subject']).length === 0
        ? 'federate needs a provider (--github, --azure-devops, --gitlab or --issuer), --list or --remove NAME.'
        : `federate does one thing at a time; got ${flags([...given(raw, ['list', 'remove']), ...providers])}.`,
      'For example: exo-cba federate --github contoso/jobs --environment production',
    );
  if (on(raw, 'list')) {
    onlyWith(raw, 'list', []);
    return { kind: 'list' };
  }
  const name = flag(raw, 'remove');
  if (name !== undefined) {
    onlyWith(raw, 'remove', []);
    return { kind: 'remove', name: federation.parseCredentialName(name) };
  }
  return { kind: 'add', spec: providerSpec(raw, providers[0] ?? 'issuer') };
}

function parseFederateOptions(raw: Raw): FederateOptions {
  return {
    ...optional('profile', profileOf(raw)),
    ...optional('cloud', cloudOf(raw)),
    ...adminSignIn(raw),
    sandbox: on(raw, 'sandbox'),
    action: federateAction(raw),
    dryRun: on(raw, 'dryRun'),
    waitMs:
      flag(raw, 'wait') !== undefined
        ? parseDuration('--wait', flag(raw, 'wait') ?? '', 60 * 60_000)
        : DEFAULT_FEDERATE_WAIT_MS,
  };
}

export const PARSERS: { [K in CommandName]: (raw: Raw, env: Env) => OptionsByCommand[K] } = {
  init: (raw) => parseInitOptions(raw),
  check: parseCheckOptions,
  rotate: parseRotateOptions,
  status: (raw) => parseStatusOptions(raw),
  remove: (raw) => parseRemoveOptions(raw),
  sandbox: (raw) => parseSandboxOptions(raw),
  federate: (raw) => parseFederateOptions(raw),
  token: (raw, env) => ({
    federated: on(raw, 'federated'),
    target: parseTargetOptions(raw, env),
    ...optional('federatedTokenFile', federatedTokenFileOf(raw)),
  }),
};
