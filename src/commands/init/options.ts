import type { CloudName } from '../../tenant/clouds.js';
import { parseCloudName } from '../../tenant/clouds.js';
import { findExchangeRole, EXCHANGE_ROLES, type DirectoryRole } from '../../workloads/exchange/index.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../../tenant/entra.js';
import { type KeySize } from '../../certificate/x509.js';
import { usageError } from '../../core/errors.js';
import { parseAppName, parseAuth, parseDuration, parseEnvName, parseGuid, parseIntIn, parseKeySize, parseTenant, type AuthMethod } from '../../core/values.js';
import { validateProfileName } from '../../profile/store.js';

export const DEFAULT_APP_NAME = 'Exo Background Process';
export const DEFAULT_VALIDITY_DAYS = 365;
export const DEFAULT_WAIT_MS = 5 * 60_000;

/** init's flags, parsed and checked; undefined means "not given" (then --yes takes the default, or a prompt asks). */
export interface InitFlags {
  cloud: CloudName;
  sandbox: boolean;
  profile?: string;
  tenant?: string;
  clientId: string;
  auth: AuthMethod;
  appName?: string;
  role?: DirectoryRole;
  allowGlobalAdmin: boolean;
  validityDays?: number;
  keySize?: KeySize;
  outDir?: string;
  certFile?: string;
  pfxPasswordEnv?: string;
  pfxLegacy: boolean;
  waitMs: number;
  verify: boolean;
  dryRun: boolean;
  /** --yes: confirmations that guard a risk (adopting an app) need it when nobody is there to answer. */
  yes: boolean;
  /** --adopt-app: take over an existing app exo-cba did not create. */
  adoptApp?: string;
  /** What to do with credentials exo-cba did not make on an adopted app. */
  foreignCredentials?: 'remove' | 'keep';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseRole(value: string): DirectoryRole {
  const role = findExchangeRole(value);
  if (!role) {
    throw usageError(`'${value}' is not a directory role Exchange Online accepts for app-only access.`, `Use one of: ${EXCHANGE_ROLES.map((r) => r.key).join(', ')}.`);
  }
  return role;
}

function parseForeign(v: string): 'remove' | 'keep' {
  if (v === 'remove' || v === 'keep') return v;
  throw usageError(`--foreign-credentials must be 'remove' or 'keep', got '${v}'.`, "'remove' takes away every way to sign in as the app that exo-cba did not make; 'keep' leaves them, and their holders get the Exchange rights too.");
}

export function parseInitFlags(raw: Record<string, unknown>): InitFlags {
  const role = str(raw['role']) !== undefined ? parseRole(str(raw['role'])!) : undefined;
  return {
    cloud: parseCloudName(str(raw['cloud']) ?? 'global'),
    sandbox: raw['sandbox'] === true,
    ...(str(raw['profile']) ? { profile: validateProfileName(str(raw['profile'])!) } : {}),
    ...(str(raw['tenant']) ? { tenant: parseTenant(str(raw['tenant'])!) } : {}),
    clientId: str(raw['clientId']) ? parseGuid('--client-id', str(raw['clientId'])!) : DEFAULT_PUBLIC_CLIENT_ID,
    auth: parseAuth(str(raw['auth']) ?? 'device'),
    ...(str(raw['appName']) !== undefined ? { appName: parseAppName(str(raw['appName'])!) } : {}),
    ...(role ? { role } : {}),
    allowGlobalAdmin: raw['allowGlobalAdmin'] === true,
    ...(str(raw['validityDays']) !== undefined ? { validityDays: parseIntIn('--validity-days', str(raw['validityDays'])!, 1, 3650) } : {}),
    ...(str(raw['keySize']) !== undefined ? { keySize: parseKeySize(str(raw['keySize'])!) } : {}),
    ...(str(raw['outDir']) ? { outDir: str(raw['outDir']) } : {}),
    ...(str(raw['certFile']) ? { certFile: str(raw['certFile']) } : {}),
    ...(str(raw['pfxPasswordEnv']) ? { pfxPasswordEnv: parseEnvName('--pfx-password-env', str(raw['pfxPasswordEnv'])!) } : {}),
    pfxLegacy: raw['pfxLegacy'] === true,
    waitMs: str(raw['wait']) !== undefined ? parseDuration('--wait', str(raw['wait'])!, 60 * 60_000) : DEFAULT_WAIT_MS,
    verify: raw['verify'] !== false,
    dryRun: raw['dryRun'] === true,
    yes: raw['yes'] === true,
    ...(str(raw['adoptApp']) ? { adoptApp: parseGuid('--adopt-app', str(raw['adoptApp'])!) } : {}),
    ...(str(raw['foreignCredentials']) ? { foreignCredentials: parseForeign(str(raw['foreignCredentials'])!) } : {}),
  };
}
