import type { CloudName } from '../core/clouds.js';
import type { Rights } from '../rights/types.js';
import { usageError } from '../core/errors.js';
import type { AuthorityMetadata } from '../core/authority-metadata.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../workloads/index.js';

/**
 * The profiles file: what it holds (identifiers, paths and dates only, never a secret), how each profile is
 * checked on reading, and how a file written by an older exo-cba is brought up to date.
 *
 * Versions: 1 (exo-cba 0.1) held `role: {name, templateId}`; 2 holds `rights`, a tagged value (rights/types.ts);
 * 3 holds `workload` (every v2 profile was for Exchange).
 */

export const PROFILE_SCHEMA_VERSION = 3;
export interface CertificateRecord {
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  /** keyId of the key credential on the app, once known. */
  keyId?: string;
  /** On previousCertificates: kept until `rotate --finish` (rotate --keep-old), never past its own expiry. */
  keep?: boolean;
  /** On previousCertificates: the overlap ends here; any later rotate (or --finish) removes the key. */
  retireAfter?: string;
  files: CertificateFiles;
}

export interface CertificateFiles {
  dir: string;
  cer?: string;
  pem?: string;
  key?: string;
  pfx?: string;
  /** Where a generated PFX password is kept (0600); the path, not the password. */
  pfxPasswordFile?: string;
  /** The .key file is encrypted with the PFX password, because the key was brought in encrypted. */
  keyEncrypted?: boolean;
  /** The environment variable that holds that password (its name, never its value). */
  passwordEnv?: string;
}

/** A federated identity credential on the app, as exo-cba last read it back (public facts, no secret). */
export interface FederatedCredentialRecord {
  name: string;
  issuer: string;
  subject: string;
  audience: string;
}

export interface Profile {
  name: string;
  tenantId: string;
  /** The initial domain: the connect cmdlets' -Organization. */
  organization: string;
  cloud: CloudName;
  /** The workload the app is for (workloads/): one app, and one profile, per workload. */
  workload: WorkloadName;
  /** Made against the built-in sandbox: commands on this profile start it again. */
  sandbox?: boolean;
  app: { displayName: string; objectId?: string; appId?: string; servicePrincipalId?: string };
  /** How the app holds the workload's rights. */
  rights: Rights;
  certificate?: CertificateRecord;
  /** A certificate made by a rotation that has not finished. */
  pendingCertificate?: CertificateRecord;
  /** Older certificates still registered on the app (rotate --keep-old), removed by rotate --finish. */
  previousCertificates?: CertificateRecord[];
  /**
   * Where the PFX password comes from, so that rotate protects each new PFX with the same secret and a job's
   * stored password keeps opening it: an environment variable (its name, never its value), the generated
   * password's file, or a password typed at init (rotate then asks for it, or needs --pfx-password-env).
   */
  passwordSource?: { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'typed' };
  /** A command rotate runs after each verified rotation (rotate --on-rotated). */
  onRotated?: string;
  /** 'incomplete' while init has not verified the connection: a re-run resumes from here. */
  state: 'incomplete' | 'ready';
  createdAt: string;
  updatedAt: string;
  lastCheck?: { at: string; status: 'pass' | 'warn' | 'fail' };
  /** The tenant's OpenID configuration as check last fetched it (public endpoints, no secret). */
  authorityMetadata?: AuthorityMetadata;
  /** The app's federated credentials as federate (or init) last read them back; status shows them. */
  federatedCredentials?: FederatedCredentialRecord[];
}

export interface ProfilesFile {
  schemaVersion: number;
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/** The fields every command relies on; anything else is optional and checked where it is used. */
export function whyNotAProfile(p: unknown): string | undefined {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'is not an object';
  const o = p as Record<string, unknown>;
  for (const k of ['name', 'tenantId', 'organization', 'cloud', 'state'])
    if (typeof o[k] !== 'string') return `has no "${k}" text`;
  const app = o['app'] as Record<string, unknown> | undefined;
  if (typeof app !== 'object' || app === null || typeof app['displayName'] !== 'string')
    return 'has no "app" with a "displayName"';
  if (!(WORKLOAD_NAMES as unknown[]).includes(o['workload']))
    return (
      `has a "workload" this exo-cba does not know (${JSON.stringify(o['workload'])}; ` +
      `it knows ${WORKLOAD_NAMES.join(', ')})`
    );
  const rights = o['rights'] as Record<string, unknown> | undefined;
  if (typeof rights !== 'object' || rights === null || typeof rights['kind'] !== 'string')
    return 'has no "rights" with a "kind"';
  if (rights['kind'] === 'directory-role' && typeof rights['templateId'] !== 'string')
    return 'has "rights" of kind directory-role without a "templateId"';
  for (const k of ['certificate', 'pendingCertificate']) {
    const c = o[k] as Record<string, unknown> | undefined;
    if (
      c !== undefined &&
      (typeof c !== 'object' ||
        c === null ||
        typeof c['thumbprint'] !== 'string' ||
        typeof c['files'] !== 'object')
    )
      return `has a "${k}" without "thumbprint" and "files"`;
  }
  if (o['federatedCredentials'] !== undefined && !Array.isArray(o['federatedCredentials']))
    return 'has a "federatedCredentials" that is not a list';
  if (o['previousCertificates'] !== undefined && !Array.isArray(o['previousCertificates']))
    return 'has a "previousCertificates" that is not a list';
  return undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function validateProfileName(name: string): string {
  if (!NAME.test(name))
    throw usageError(
      `'${name}' is not a valid profile name.`,
      'Use letters, digits, dots, dashes and underscores (up to 100), starting with a letter or digit.',
    );
  return name;
}

/**
 * Brings a file of an older version up to this one, in memory; the caller keeps the original. A profile
 * whose old fields are missing is left for whyNotAProfile to name.
 */
export function migrate(file: {
  schemaVersion: number;
  profiles: Record<string, unknown>;
  defaultProfile?: string;
}): ProfilesFile {
  let profiles = file.profiles;
  if (file.schemaVersion === 1) {
    profiles = Object.fromEntries(
      Object.entries(profiles).map(([name, p]) => {
        if (typeof p !== 'object' || p === null) return [name, p];
        const { role, ...rest } = p as Record<string, unknown> & {
          role?: { name?: unknown; templateId?: unknown };
        };
        if (!role || typeof role.templateId !== 'string') return [name, p];
        return [
          name,
          {
            ...rest,
            rights: {
              kind: 'directory-role',
              templateId: role.templateId,
              name: typeof role.name === 'string' ? role.name : role.templateId,
            },
          },
        ];
      }),
    );
  }
  if (file.schemaVersion <= 2) {
    profiles = Object.fromEntries(
      Object.entries(profiles).map(([name, p]) =>
        typeof p === 'object' && p !== null && !('workload' in p)
          ? [name, { ...p, workload: 'exchange' }]
          : [name, p],
      ),
    );
  }
  return { ...file, schemaVersion: PROFILE_SCHEMA_VERSION, profiles: profiles as Record<string, Profile> };
}
