import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import { usageError, failure } from '../core/errors.js';

/** The file system as exo-cba uses it: private directories, files that are never overwritten, atomic replaces, archives. */
export interface Files {
  exists(p: string): Promise<boolean>;
  read(p: string): Promise<Buffer>;
  /** Why `dir` cannot take new files (undefined when it can); creates nothing. */
  whyNotWritable(dir: string): Promise<string | undefined>;
  /** mkdir -p; the directories it creates are 0700. */
  ensurePrivateDir(dir: string): Promise<void>;
  /** Creates a new file; fails if it exists (key material is never overwritten). */
  writeNew(p: string, data: string | Buffer, mode: number): Promise<void>;
  /** Replaces a file whole: temp file in the same directory, then rename. */
  writeAtomic(p: string, data: string | Buffer, mode: number): Promise<void>;
  /** Moves a file to a path where nothing stands (never overwrites, never through a link); same volume, so atomic. */
  rename(from: string, to: string): Promise<void>;
  /** Moves the files that exist into `dir` (created 0700); returns where they went. */
  archive(paths: string[], dir: string): Promise<string[]>;
  mode(p: string): Promise<number | undefined>;
  /**
   * Why `dir` is not a safe home for key material (undefined when it is): a symbolic link at the directory
   * or at its archive/ would send keys somewhere else, so it is refused, never followed.
   */
  whyNotSafe(dir: string): Promise<string | undefined>;
  /** Makes an existing directory private (0700) when it is open to others; returns the mode it had, if changed. */
  tighten(dir: string): Promise<number | undefined>;
}

/** What a key file's owner-only access rests on: POSIX modes, or an ACL set with icacls on Windows. */
export interface FilesOptions {
  /** Runs icacls on Windows; the test of the non-Windows paths never calls it. */
  restrictOnWindows?: (file: string) => void;
  warn?: (text: string) => void;
}

export function makeFiles(platform: NodeJS.Platform, opts: FilesOptions = {}): Files {
  const isLink = async (p: string) => {
    try {
      return (await fs.lstat(p)).isSymbolicLink();
    } catch {
      return false;
    }
  };
  const refuseLink = async (p: string) => {
    if (await isLink(p))
      throw usageError(
        `${p} is a symbolic link; exo-cba does not follow links to write or move key material.`,
        'Point --out-dir at a real directory (or replace the link with one).',
      );
  };
  /** Modes mean little on Windows: a private file there is one whose ACL names only the current user. */
  const restrict = (file: string, mode: number) => {
    if (platform !== 'win32' || mode & 0o044 || !opts.restrictOnWindows) return;
    try {
      opts.restrictOnWindows(file);
    } catch (err) {
      opts.warn?.(
        `Could not restrict ${file} to the current user with icacls (${(err as Error).message}); ` +
          `other accounts on this machine may be able to read it. Restrict it by hand.`,
      );
    }
  };
  const files: Files = {
    exists: async (p) => {
      try {
        await fs.access(p);
        return true;
      } catch {
        return false;
      }
    },
    read: (p) => fs.readFile(p),
    whyNotWritable: async (dir) => {
      let probe = path.resolve(dir);
      for (;;) {
        try {
          const st = await fs.stat(probe);
          if (!st.isDirectory()) return `${probe} exists and is not a directory`;
          await fs.access(probe, fsc.W_OK | fsc.X_OK);
          return undefined;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EACCES' || code === 'EPERM') return `no permission to write in ${probe}`;
          if (code !== 'ENOENT') return `${probe}: ${(err as Error).message}`;
          const parent = path.dirname(probe);
          if (parent === probe) return `${dir} cannot be created`;
          probe = parent;
        }
      }
    },
    ensurePrivateDir: async (dir) => {
      const missing: string[] = [];
      let p = path.resolve(dir);
      while (!(await files.exists(p))) {
        missing.unshift(p);
        const parent = path.dirname(p);
        if (parent === p) break;
        p = parent;
      }
      for (const d of missing) {
        await fs.mkdir(d, { mode: 0o700 });
        if (platform !== 'win32') await fs.chmod(d, 0o700);
      }
      if (!missing.length) await refuseLink(path.resolve(dir));
    },
    writeNew: async (p, data, mode) => {
      await files.ensurePrivateDir(path.dirname(p));
      // 'wx' (O_CREAT|O_EXCL) neither overwrites nor follows a link standing at the path.
      await fs.writeFile(p, data, { mode, flag: 'wx' });
      if (platform !== 'win32') await fs.chmod(p, mode);
      restrict(p, mode);
    },
    writeAtomic: async (p, data, mode) => {
      await files.ensurePrivateDir(path.dirname(p));
      const tmp = path.join(
        path.dirname(p),
        `.${path.basename(p)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
      );
      const h = await fs.open(tmp, 'wx', mode);
      try {
        await h.writeFile(data);
        await h.sync();
      } finally {
        await h.close();
      }
      if (platform !== 'win32') await fs.chmod(tmp, mode);
      restrict(tmp, mode);
      await fs.rename(tmp, p);
    },
    archive: async (paths, dir) => {
      const moved: string[] = [];
      for (
        let d = path.resolve(dir);
        path.basename(path.dirname(d)) !== '' && d !== path.dirname(d);
        d = path.dirname(d)
      ) {
        if (path.basename(d) === 'archive') {
          await refuseLink(d);
          break;
        }
      }
      for (const p of paths) {
        if (!(await files.exists(p))) continue;
        await files.ensurePrivateDir(dir);
        let target = path.join(dir, path.basename(p));
        for (let i = 1; await files.exists(target); i++) target = path.join(dir, `${path.basename(p)}.${i}`);
        await fs.rename(p, target);
        moved.push(target);
      }
      return moved;
    },
    rename: async (from, to) => {
      await refuseLink(path.dirname(path.resolve(to)));
      if (await files.exists(to)) {
        throw failure(
          `Cannot move ${from} to ${to}: a file is already there, and exo-cba never overwrites key material.`,
          {
            why: 'Another run (or a person) wrote that file after this run archived the old one.',
            fix:
              `Nothing was overwritten and ${from} is kept. Move ${to} into the archive/ folder ` +
              `beside it, then run the same command again.`,
          },
        );
      }
      await files.ensurePrivateDir(path.dirname(to));
      await fs.rename(from, to);
    },
    whyNotSafe: async (dir) => {
      for (const p of [path.resolve(dir), path.join(path.resolve(dir), 'archive')])
        if (await isLink(p))
          return `${p} is a symbolic link, and exo-cba does not follow links with key material`;
      return undefined;
    },
    tighten: async (dir) => {
      if (platform === 'win32') return undefined;
      try {
        const mode = (await fs.stat(dir)).mode & 0o777;
        if (!(mode & 0o077)) return undefined;
        await fs.chmod(dir, 0o700);
        return mode;
      } catch {
        return undefined;
      }
    },
    mode: async (p) => {
      try {
        return (await fs.stat(p)).mode & 0o777;
      } catch {
        return undefined;
      }
    },
  };
  return files;
}
