import path from 'node:path';
import type { Files } from '../adapters/files.js';
import type { CloudName } from '../tenant/clouds.js';
import { CliError, EXIT, usageError } from '../core/errors.js';

/** Per-tenant profiles: identifiers, paths and dates only, never a secret. */

export const PROFILE_SCHEMA_VERSION = 1;

export interface CertificateRecord {
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  /** keyId of the key credential on the app, once known. */
  keyId?: string;
  /** On previousCertificates: kept on purpose (rotate --keep-old) rather than left by an interrupted rotation. */
  keep?: boolean;
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

export interface Profile {
  name: string;
  tenantId: string;
  /** The initial domain: Connect-ExchangeOnline -Organization. */
  organization: string;
  cloud: CloudName;
  /** Made against the built-in sandbox: commands on this profile start it again. */
  sandbox?: boolean;
  app: { displayName: string; objectId?: string; appId?: string; servicePrincipalId?: string };
  role: { name: string; templateId: string };
  certificate?: CertificateRecord;
  /** A certificate made by a rotation that has not finished. */
  pendingCertificate?: CertificateRecord;
  /** Older certificates still registered on the app (rotate --keep-old), removed by rotate --finish. */
  previousCertificates?: CertificateRecord[];
  /** 'incomplete' while init has not verified the connection: a re-run resumes from here. */
  state: 'incomplete' | 'ready';
  createdAt: string;
  updatedAt: string;
  lastCheck?: { at: string; status: 'pass' | 'warn' | 'fail' };
}

export interface ProfilesFile {
  schemaVersion: number;
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/** The fields every command relies on; anything else is optional and checked where it is used. */
function whyNotAProfile(p: unknown): string | undefined {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'is not an object';
  const o = p as Record<string, unknown>;
  for (const k of ['name', 'tenantId', 'organization', 'cloud', 'state']) if (typeof o[k] !== 'string') return `has no "${k}" text`;
  const app = o['app'] as Record<string, unknown> | undefined;
  if (typeof app !== 'object' || app === null || typeof app['displayName'] !== 'string') return 'has no "app" with a "displayName"';
  const role = o['role'] as Record<string, unknown> | undefined;
  if (typeof role !== 'object' || role === null || typeof role['templateId'] !== 'string') return 'has no "role" with a "templateId"';
  for (const k of ['certificate', 'pendingCertificate']) {
    const c = o[k] as Record<string, unknown> | undefined;
    if (c !== undefined && (typeof c !== 'object' || c === null || typeof c['thumbprint'] !== 'string' || typeof c['files'] !== 'object')) return `has a "${k}" without "thumbprint" and "files"`;
  }
  if (o['previousCertificates'] !== undefined && !Array.isArray(o['previousCertificates'])) return 'has a "previousCertificates" that is not a list';
  return undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function validateProfileName(name: string): string {
  if (!NAME.test(name)) throw usageError(`'${name}' is not a valid profile name.`, 'Use letters, digits, dots, dashes and underscores (up to 100), starting with a letter or digit.');
  return name;
}

export class ProfileStore {
  constructor(
    private readonly files: Files,
    readonly file: string,
  ) {}

  static in(dir: string, files: Files): ProfileStore {
    return new ProfileStore(files, path.join(dir, 'profiles.json'));
  }

  async load(): Promise<ProfilesFile> {
    if (!(await this.files.exists(this.file))) return { schemaVersion: PROFILE_SCHEMA_VERSION, profiles: {} };
    let text: string;
    try {
      text = (await this.files.read(this.file)).toString('utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw this.corrupt(code === 'EISDIR' ? 'it is a directory, not a file' : `it cannot be read (${code ?? (err as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw this.corrupt(`it is not valid JSON (${(err as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as ProfilesFile).profiles !== 'object' || (parsed as ProfilesFile).profiles === null || Array.isArray((parsed as ProfilesFile).profiles)) {
      throw this.corrupt('it has no "profiles" object');
    }
    const v = (parsed as ProfilesFile).schemaVersion;
    if (v !== PROFILE_SCHEMA_VERSION) {
      throw new CliError(EXIT.usage, `The profiles file ${this.file} has schema version ${String(v)}; this exo-cba reads version ${PROFILE_SCHEMA_VERSION}.`, {
        fix: v > PROFILE_SCHEMA_VERSION ? 'Upgrade exo-cba (the file was written by a newer version).' : 'Move the file away and re-run init; nothing in the tenant changes.',
      });
    }
    for (const [name, p] of Object.entries((parsed as ProfilesFile).profiles)) {
      const why = whyNotAProfile(p);
      if (why) throw this.corrupt(`profile '${name}' ${why}`);
    }
    return parsed as ProfilesFile;
  }

  private corrupt(why: string): CliError {
    return new CliError(EXIT.usage, `The profiles file ${this.file} cannot be read: ${why}.`, {
      why: 'exo-cba will not guess or silently reset a file that records your apps and certificates.',
      fix: `Repair it, or move it away (for example to ${this.file}.bad) and re-run 'exo-cba init' for each tenant: init finds and reuses the existing apps.`,
    });
  }

  async list(): Promise<Profile[]> {
    return Object.values((await this.load()).profiles);
  }

  async get(name: string): Promise<Profile | undefined> {
    return (await this.load()).profiles[name];
  }

  /**
   * --profile NAME, else the only profile, else the default one (the first profile made, until
   * `exo-cba status --set-default NAME` moves it). With several profiles and no default, `choose` asks
   * (in a terminal) or the run stops with exit 2, naming the choices.
   */
  async resolve(name: string | undefined, choose?: (names: string[]) => Promise<string>): Promise<Profile> {
    const data = await this.load();
    if (name) {
      const p = data.profiles[name];
      if (!p) throw usageError(`No profile named '${name}' in ${this.file}.`, `Known profiles: ${Object.keys(data.profiles).join(', ') || 'none'}. Run 'exo-cba status' to list them.`);
      return p;
    }
    const all = Object.values(data.profiles);
    if (all.length === 1) return all[0]!;
    if (data.defaultProfile && data.profiles[data.defaultProfile]) return data.profiles[data.defaultProfile]!;
    if (all.length === 0) throw usageError('No profile yet.', "Run 'exo-cba init' first, or pass --app-id, --tenant and --cert-file.");
    const names = Object.keys(data.profiles);
    if (choose) return data.profiles[await choose(names)]!;
    throw usageError(`There are ${all.length} profiles and no default: ${names.join(', ')}.`, `Choose one with --profile NAME, make one the default with 'exo-cba status --set-default NAME', or use --all.`);
  }

  async defaultName(): Promise<string | undefined> {
    const data = await this.load();
    return data.defaultProfile && data.profiles[data.defaultProfile] ? data.defaultProfile : undefined;
  }

  async setDefault(name: string): Promise<void> {
    const data = await this.load();
    if (!data.profiles[name]) throw usageError(`No profile named '${name}' in ${this.file}.`, `Known profiles: ${Object.keys(data.profiles).join(', ') || 'none'}.`);
    data.defaultProfile = name;
    await this.files.writeAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
  }

  /** Saves a profile; the first one becomes the default, and the default never moves silently after that. */
  async save(profile: Profile): Promise<void> {
    const data = await this.load();
    data.profiles[profile.name] = profile;
    if (!data.defaultProfile || !data.profiles[data.defaultProfile]) data.defaultProfile = profile.name;
    await this.files.writeAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
  }

  async delete(name: string): Promise<void> {
    const data = await this.load();
    delete data.profiles[name];
    if (data.defaultProfile === name) delete data.defaultProfile;
    await this.files.writeAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
  }
}
