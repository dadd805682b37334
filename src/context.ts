import type { HttpTransport } from './adapters/http.js';
import type { Cloud } from './core/clouds.js';
import type { Identity } from './adapters/identity.js';
import type { Directory, TokenSource } from './adapters/graph.js';
import type { Files } from './adapters/files.js';
import type { LockFiles } from './adapters/lock-files.js';
import type { ProfileStore } from './profile/store.js';

/** Every side effect a command may have comes in through this one context (README "Architecture"). */

export type { Progress, Paint, Prompt } from './core/ports.js';
import type { Output, Clock, Prompt } from './core/ports.js';

export interface Services {
  http(extraCaPem?: string): HttpTransport;
  identity(cloud: Cloud, http: HttpTransport): Promise<Identity>;
  directory(cloud: Cloud, http: HttpTransport, token: TokenSource): Promise<Directory>;
  /** Opens a URL in the user's browser (honours $BROWSER). */
  openBrowser(url: string): Promise<void>;
  /** Resolves on Ctrl-C or SIGTERM (for long-running commands that stop cleanly). */
  untilStopped(): Promise<string>;
  /**
   * While registered, Ctrl-C (or SIGTERM) prints `message()` and ends the run with exit 130. Used around the
   * network phase, where a request may be in flight: every step journals before it acts, so a stop at any
   * point is safe and the message says how to resume. Returns the function that unregisters it.
   */
  onInterrupt(message: () => string): () => void;
  /** Runs a command line through the system shell with exactly this environment; resolves with its exit code and output. */
  runHook(command: string, env: Record<string, string>): Promise<{ code: number; output: string }>;
  /** Lock files across processes (profile/lock.ts). */
  locks: LockFiles;
}

export interface Context {
  env: Readonly<Record<string, string | undefined>>;
  /** Decided once: a TTY on stdin and stderr, and neither --yes nor --no-interactive. */
  interactive: boolean;
  out: Output;
  clock: Clock;
  prompt: Prompt;
  files: Files;
  profiles: ProfileStore;
  services: Services;
  /** Directory for config, profiles and, by default, certificates. */
  configDir: string;
  platform: NodeJS.Platform;
}
