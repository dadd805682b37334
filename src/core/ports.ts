/**
 * The small ports with no dependencies of their own (output, clock, prompts), which adapters and the retry
 * policy use too. The full context of ports is in context.ts.
 */

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

interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

/** A validate function returns true, or the reason the answer is refused (the prompt then asks again). */
type Validate = (value: string) => string | true | Promise<string | true>;

export interface Prompt {
  text(q: { name: string; message: string; default?: string; validate?: Validate }): Promise<string>;
  secret(q: { name: string; message: string; validate?: Validate }): Promise<string>;
  confirm(q: { name: string; message: string; default?: boolean }): Promise<boolean>;
  select<T extends string>(q: {
    name: string;
    message: string;
    choices: Choice<T>[];
    default?: T;
  }): Promise<T>;
}
