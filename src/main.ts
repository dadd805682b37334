import { CliError, EXIT, type ExitCode } from './core/errors.js';
import type { Io } from './cli/io.js';

export type { Io } from './cli/io.js';

const defaultIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdinIsTTY: Boolean(process.stdin.isTTY),
  env: process.env,
});

/**
 * The one exit point: runs the command line and turns every outcome into an exit code
 * (0 ok, 1 failed, 2 bad usage or input, 130 cancelled). bin/ sets process.exitCode from it.
 */
export async function main(argv: string[], io: Io = defaultIo()): Promise<ExitCode> {
  // Ctrl-C outside a prompt: Node's default ends the process by SIGINT, which the shell reports as 130.
  try {
    const { runCli } = await import('./cli/program.js');
    return await runCli(argv, io);
  } catch (err) {
    return report(err, io, argv.includes('--verbose'));
  }
}

function report(err: unknown, io: Io, verbose: boolean): ExitCode {
  if (err instanceof CliError) {
    const lines = [`error: ${err.message}`];
    if (err.detail.why) lines.push(`  why: ${err.detail.why}`);
    if (err.detail.code || err.detail.requestId)
      lines.push(
        `  code: ${[err.detail.code, err.detail.requestId && `request-id ${err.detail.requestId}`].filter(Boolean).join(', ')}`,
      );
    if (err.detail.fix) lines.push(`  fix: ${err.detail.fix}`);
    io.stderr.write(lines.join('\n') + '\n');
    if (verbose && err.stack) io.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(
    `exo-cba failed unexpectedly: ${e?.message ?? String(err)}\n${e?.stack ?? ''}\nThis is a bug: please report it with the lines above (they hold no secrets).\n`,
  );
  return EXIT.failed;
}
