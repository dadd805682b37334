import type { HttpTransport } from '../adapters/http.js';
import type { Cloud } from '../tenant/clouds.js';
import type { Identity } from '../adapters/identity.js';
import type { Directory, TokenSource } from '../adapters/graph.js';
import type { ExchangeProbe } from '../workloads/exchange/admin-api.js';
import type { Files } from '../adapters/files.js';
import type { ProfileStore } from '../profile/store.js';

/** Every side effect a command may have comes in through this one context (README "Architecture"). */

export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface Output {
  /** stdout: the command's result, nothing else. */
  data(text: string): void;
  /** stderr: progress, notes and prompts. */
  info(text: string): void;
  warn(text: string): void;
  /** stderr, only with --verbose; callers never pass secrets (the HTTP layer redacts its own lines). */
  verbose(text: string): void;
  progress(text: string): Progress;
  readonly color: Paint;
}

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
}

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export interface Choice<T extends string> { value: T; name: string; description?: string }

/** A validate function returns true, or the reason the answer is refused (the prompt then asks again). */
export type Validate = (value: string) => string | true | Promise<string | true>;

export interface Prompt {
  text(q: { name: string; message: string; default?: string; validate?: Validate }): Promise<string>;
  secret(q: { name: string; message: string; validate?: Validate }): Promise<string>;
  confirm(q: { name: string; message: string; default?: boolean }): Promise<boolean>;
  select<T extends string>(q: { name: string; message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
}

export interface Services {
  http(extraCaPem?: string): HttpTransport;
  identity(cloud: Cloud, http: HttpTransport): Promise<Identity>;
  directory(cloud: Cloud, http: HttpTransport, token: TokenSource): Promise<Directory>;
  exchange(cloud: Cloud, http: HttpTransport): Promise<ExchangeProbe>;
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
