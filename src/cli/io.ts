/** The process's streams and environment as the CLI sees them (tests pass their own). */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}
