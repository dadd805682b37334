import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';

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
  /** Moves the files that exist into `dir` (created 0700); returns where they went. */
  archive(paths: string[], dir: string): Promise<string[]>;
  mode(p: string): Promise<number | undefined>;
}

export function makeFiles(platform: NodeJS.Platform): Files {
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
    },
    writeNew: async (p, data, mode) => {
      await files.ensurePrivateDir(path.dirname(p));
      await fs.writeFile(p, data, { mode, flag: 'wx' });
      if (platform !== 'win32') await fs.chmod(p, mode);
    },
    writeAtomic: async (p, data, mode) => {
      await files.ensurePrivateDir(path.dirname(p));
      const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      const h = await fs.open(tmp, 'wx', mode);
      try {
        await h.writeFile(data);
        await h.sync();
      } finally {
        await h.close();
      }
      if (platform !== 'win32') await fs.chmod(tmp, mode);
      await fs.rename(tmp, p);
    },
    archive: async (paths, dir) => {
      const moved: string[] = [];
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
