import os from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import type { Context, Services } from '../context.js';
import type { Io } from './io.js';
import { makeOutput, makePaint } from '../adapters/output.js';
import { systemClock } from '../adapters/clock.js';
import { makeFiles } from '../adapters/files.js';
import { makeLockFiles } from '../adapters/lock-files.js';
import { makeInquirerPrompt, noPrompt } from '../adapters/prompt.js';
import { createHttpTransport, proxySettingsFrom } from '../adapters/http.js';
import { openBrowser } from '../adapters/browser.js';
import { configDir } from '../core/paths.js';
import { ProfileStore } from '../profile/store.js';
import { EXIT } from '../core/errors.js';

export interface GlobalFlags {
  verbose: boolean;
  json: boolean;
  yes: boolean;
  interactive: boolean;
  color: boolean;
}

/** Builds the real context: the only place that touches process-wide state. */
/** `overrides` replaces ports wholesale (an embedding program's own prompt, say); the CLI passes none. */
export async function makeContext(
  io: Io,
  flags: GlobalFlags,
  overrides: Partial<Context> = {},
): Promise<Context> {
  const env = io.env;
  const useColor =
    flags.color && !env['NO_COLOR'] && (Boolean(io.stderr.isTTY) || Boolean(env['FORCE_COLOR']));
  const paint = await makePaint(useColor);
  const out = makeOutput(io.stdout, io.stderr, { verbose: flags.verbose, paint });
  const interactive =
    flags.interactive && !flags.yes && io.stdinIsTTY && Boolean(io.stderr.isTTY) && !env['CI'];
  const files = makeFiles(process.platform, {
    // Owner-only access on Windows: drop inherited entries and grant the current user alone (icacls ships with Windows).
    restrictOnWindows: (file) =>
      void execFileSync('icacls', [file, '/inheritance:r', '/grant:r', `${os.userInfo().username}:F`], {
        stdio: 'ignore',
        windowsHide: true,
      }),
    warn: (t) => out.warn(t),
  });
  const dir = configDir(env, process.platform, os.homedir());
  const clock = systemClock;
  const services: Services = {
    http: (extraCaPem) =>
      createHttpTransport({
        ...(extraCaPem ? { extraCaPem, nodeExtraCaFile: env['NODE_EXTRA_CA_CERTS'] } : {}),
        proxy: proxySettingsFrom(env),
        onExchange: (line) => out.verbose(line),
      }),
    identity: async (cloud, http) =>
      (await import('../adapters/identity.js')).makeIdentity(cloud, http, clock, out),
    directory: async (cloud, http, token) =>
      (await import('../adapters/graph.js')).makeDirectory(cloud, http, token, { clock, out }),
    openBrowser: (url) => openBrowser(url, env, process.platform),
    locks: makeLockFiles(),
    untilStopped: () =>
      new Promise((resolve) => {
        const stop = (signal: string) => {
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
          resolve(signal);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
    runHook: (command, hookEnv) =>
      new Promise((resolve) => {
        // The command string comes from the admin (flag or profile), as a scheduler entry would: the shell runs it.
        const child = spawn(command, {
          shell: true,
          env: hookEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
          windowsHide: true,
        });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('error', (err) => resolve({ code: 127, output: output + err.message }));
        child.on('close', (code) => resolve({ code: code ?? 1, output }));
      }),
    onInterrupt: (message) => {
      const stop = () => {
        io.stderr.write(`\n${message()}\n`);
        // A signal cannot be turned into a rejection of whatever request is in flight; the journal makes exiting here safe.
        // eslint-disable-next-line no-restricted-properties
        process.exit(EXIT.cancelled);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return () => {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      };
    },
  };
  return {
    env,
    interactive,
    out,
    clock,
    prompt: interactive ? makeInquirerPrompt(io.stdin ?? process.stdin, io.stderr) : noPrompt,
    files,
    profiles: ProfileStore.in(dir, files),
    services,
    configDir: dir,
    platform: process.platform,
    ...overrides,
  };
}
