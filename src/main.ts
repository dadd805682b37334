import { CliError, EXIT, type ExitCode } from './core/errors.js';
import type { Io } from './cli/io.js';

export type { Io } from './cli/io.js';

const defaultIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY,
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
    return report(err, io, { verbose: argv.includes('--verbose'), json: wantsJson(argv) });
  }
}

/** --json before any `--` (what follows it is not exo-cba's). */
const wantsJson = (argv: string[]) => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
};

/** With --json, every failure is also one JSON object on stdout: {"error":{"code","message","why","fix"}}. */
function writeJson(io: Io, e: { code: string; message: string; why?: string; fix?: string; extra?: object }) {
  const { extra, ...main } = e;
  io.stdout.write(JSON.stringify({ error: { ...main, ...(extra ?? {}) } }, null, 2) + '\n');
}

function report(err: unknown, io: Io, o: { verbose: boolean; json: boolean }): ExitCode {
  if (err instanceof CliError) {
    const lines = [`error: ${err.message}`];
    if (err.detail.why) lines.push(`  why: ${err.detail.why}`);
    const service = [err.detail.serviceCode, err.detail.requestId && `request-id ${err.detail.requestId}`];
    const extra = service.filter(Boolean).join(', ');
    lines.push(`  code: ${err.code}${extra ? ` (${extra})` : ''}`);
    if (err.detail.fix) lines.push(`  fix: ${err.detail.fix}`);
    io.stderr.write(lines.join('\n') + '\n');
    if (o.verbose && err.stack) io.stderr.write(err.stack + '\n');
    if (o.json)
      writeJson(io, {
        code: err.code,
        message: err.message,
        ...(err.detail.why ? { why: err.detail.why } : {}),
        ...(err.detail.fix ? { fix: err.detail.fix } : {}),
        extra: {
          ...(err.detail.serviceCode ? { serviceCode: err.detail.serviceCode } : {}),
          ...(err.detail.requestId ? { requestId: err.detail.requestId } : {}),
        },
      });
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(
    `exo-cba failed unexpectedly: ${e?.message ?? String(err)}\n${e?.stack ?? ''}\nThis is a bug: ` +
      `please report it with the lines above (they hold no secrets).\n  code: EXO-BUG\n`,
  );
  if (o.json)
    writeJson(io, {
      code: 'EXO-BUG',
      message: `exo-cba failed unexpectedly: ${e?.message ?? String(err)}`,
      fix: 'Report it with the lines on standard error (they hold no secrets).',
    });
  return EXIT.failed;
}
