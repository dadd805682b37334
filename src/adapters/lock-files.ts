import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What a lock across processes needs of the system: an exclusive create, a read, a remove, a live-process test. */
export interface LockFiles {
  /** Creates `p` (0600, its folder 0700) holding `text`; false when something already stands there. */
  create(p: string, text: string): Promise<boolean>;
  /** The file's text, or undefined when there is none. */
  read(p: string): Promise<string | undefined>;
  /** Removes `p`; nothing when it is already gone. */
  remove(p: string): Promise<void>;
  /** Whether a process of this id runs on this machine (signal 0: a test, nothing is sent). */
  alive(pid: number): boolean;
  /** This process and machine, as a lock names its holder. */
  readonly self: { pid: number; host: string };
}

export function makeLockFiles(): LockFiles {
  return {
    async create(p, text) {
      await fs.mkdir(path.dirname(p), { recursive: true, mode: 0o700 });
      // Written whole to a temporary file, then linked at the path: O_EXCL semantics (link fails on EEXIST),
      // and a reader never sees a half-written lock.
      const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
      try {
        await fs.link(tmp, p);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
        // A file system without hard links: an exclusive create (a reader may see it before it is written).
        return await fs.writeFile(p, text, { mode: 0o600, flag: 'wx' }).then(
          () => true,
          (e: unknown) => {
            if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
            throw e;
          },
        );
      } finally {
        await fs.rm(tmp, { force: true });
      }
    },
    async read(p) {
      try {
        return await fs.readFile(p, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    remove: (p) => fs.rm(p, { force: true }),
    alive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        // EPERM: it exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
    self: { pid: process.pid, host: os.hostname() },
  };
}
