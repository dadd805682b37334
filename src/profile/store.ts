import path from 'node:path';
import type { Files } from '../adapters/files.js';
import { CliError, EXIT, usageError } from '../core/errors.js';
import {
  PROFILE_SCHEMA_VERSION,
  migrate,
  whyNotAProfile,
  type Profile,
  type ProfilesFile,
} from './schema.js';

export * from './schema.js';

/** One change to the profiles file, waiting for the write that carries it. */
interface Change {
  apply(data: ProfilesFile): void;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The profiles file on disk: read (and migrated) whole, written atomically, never reset. Changes made at
 * once (rotate --all) are applied one after another to one read of the file and written together, so that
 * none is lost and a thousand profiles are not a thousand rewrites of the whole file; each change resolves
 * once a write that holds it is done.
 */
export class ProfileStore {
  private migratedFrom: { version: number; text: string } | undefined;
  private readonly changes: Change[] = [];
  private writing = false;

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
      throw this.corrupt(
        code === 'EISDIR'
          ? 'it is a directory, not a file'
          : `it cannot be read (${code ?? (err as Error).message})`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw this.corrupt(`it is not valid JSON (${(err as Error).message})`);
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      Array.isArray(parsed) ||
      typeof (parsed as ProfilesFile).profiles !== 'object' ||
      (parsed as ProfilesFile).profiles === null ||
      Array.isArray((parsed as ProfilesFile).profiles)
    ) {
      throw this.corrupt('it has no "profiles" object');
    }
    const v = (parsed as ProfilesFile).schemaVersion;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > PROFILE_SCHEMA_VERSION) {
      throw new CliError(
        EXIT.usage,
        `The profiles file ${this.file} has schema version ${String(v)}; this exo-cba reads ` +
          `versions 1 to ${PROFILE_SCHEMA_VERSION}.`,
        {
          fix:
            typeof v === 'number' && v > PROFILE_SCHEMA_VERSION
              ? 'Upgrade exo-cba (the file was written by a newer version).'
              : 'Repair the "schemaVersion" field, or move the file away and re-run init; nothing ' +
                'in the tenant changes.',
        },
      );
    }
    const data = migrate(parsed as ProfilesFile);
    for (const [name, p] of Object.entries(data.profiles)) {
      const why = whyNotAProfile(p);
      if (why) throw this.corrupt(`profile '${name}' ${why}`);
    }
    if (v < PROFILE_SCHEMA_VERSION) this.migratedFrom = { version: v, text };
    return data;
  }

  /** Before the first write of a migrated file, the original is kept beside it, once: nothing is ever lost. */
  private async write(data: ProfilesFile): Promise<void> {
    if (this.migratedFrom) {
      const backup = this.file.replace(/\.json$/, '') + `.v${this.migratedFrom.version}.json`;
      if (!(await this.files.exists(backup)))
        await this.files.writeNew(backup, this.migratedFrom.text, 0o600);
      this.migratedFrom = undefined;
    }
    await this.files.writeAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
  }

  private corrupt(why: string): CliError {
    return new CliError(EXIT.usage, `The profiles file ${this.file} cannot be read: ${why}.`, {
      why: 'exo-cba will not guess or silently reset a file that records your apps and certificates.',
      fix:
        `Repair it, or move it away (for example to ${this.file}.bad) and re-run 'exo-cba init' ` +
        `for each tenant: init finds and reuses the existing apps.`,
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
      if (!p)
        throw usageError(
          `No profile named '${name}' in ${this.file}.`,
          `Known profiles: ${Object.keys(data.profiles).join(', ') || 'none'}. Run 'exo-cba status' to list them.`,
        );
      return p;
    }
    const all = Object.values(data.profiles);
    if (all.length === 1) return all[0]!;
    if (data.defaultProfile && data.profiles[data.defaultProfile]) return data.profiles[data.defaultProfile]!;
    if (all.length === 0)
      throw usageError(
        'No profile yet.',
        "Run 'exo-cba init' first, or pass --app-id, --tenant and --cert-file.",
      );
    const names = Object.keys(data.profiles);
    if (choose) return data.profiles[await choose(names)]!;
    throw usageError(
      `There are ${all.length} profiles and no default: ${names.join(', ')}.`,
      `Choose one with --profile NAME, make one the default with 'exo-cba status --set-default NAME', or use --all.`,
    );
  }

  async defaultName(): Promise<string | undefined> {
    const data = await this.load();
    return data.defaultProfile && data.profiles[data.defaultProfile] ? data.defaultProfile : undefined;
  }

  async setDefault(name: string): Promise<void> {
    await this.change((data) => {
      if (!data.profiles[name])
        throw usageError(
          `No profile named '${name}' in ${this.file}.`,
          `Known profiles: ${Object.keys(data.profiles).join(', ') || 'none'}.`,
        );
      data.defaultProfile = name;
    });
  }

  /** Saves a profile; the first one becomes the default, and the default never moves silently after that. */
  async save(profile: Profile): Promise<void> {
    await this.change((data) => {
      data.profiles[profile.name] = profile;
      if (!data.defaultProfile || !data.profiles[data.defaultProfile]) data.defaultProfile = profile.name;
    });
  }

  async delete(name: string): Promise<void> {
    await this.change((data) => {
      delete data.profiles[name];
      if (data.defaultProfile === name) delete data.defaultProfile;
    });
  }

  private change(apply: (data: ProfilesFile) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.changes.push({ apply, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Applies the waiting changes to a fresh read and writes once; a change that throws is refused alone. */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.changes.length) {
        const batch = this.changes.splice(0);
        try {
          const data = await this.load();
          const applied = batch.filter((c) => {
            try {
              c.apply(data);
              return true;
            } catch (err) {
              c.reject(err);
              return false;
            }
          });
          if (applied.length) await this.write(data);
          for (const c of applied) c.resolve();
        } catch (err) {
          for (const c of batch) c.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
