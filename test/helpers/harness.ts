import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { ServedFault } from '../../src/sandbox/faults.js';

/** The end-to-end harness: a sandbox tenant in the test process, and the built exo-cba binary run as a user would. */

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'exo-cba.js');

export interface Harness {
  sandbox: Sandbox;
  dir: string;
  configDir: string;
  env: Record<string, string>;
  run(
    args: string[],
    opts?: {
      env?: Record<string, string | undefined>;
      input?: string;
      timeoutMs?: number;
      onSpawn?: (kill: () => void) => void;
    },
  ): Promise<RunResult>;
  close(): Promise<void>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'exo-cba-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  const dir = tempDir();
  const sandbox = await startSandbox(options);
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, sandbox.caPem);
  const configDir = path.join(dir, 'config');
  const env: Record<string, string> = { ...sandbox.env(caFile), EXO_CBA_CONFIG_DIR: configDir };
  const children = new Set<ReturnType<typeof spawn>>();
  return {
    sandbox,
    dir,
    configDir,
    env,
    run: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const base: Record<string, string | undefined> = {
          PATH: process.env['PATH'],
          HOME: dir,
          NO_COLOR: '1',
          ...env,
          ...(opts.env ?? {}),
        };
        const childEnv = Object.fromEntries(
          Object.entries(base).filter(([, v]) => v !== undefined),
        ) as Record<string, string>;
        const child = spawn(process.execPath, [BIN, ...args], {
          env: childEnv,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        children.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
        opts.onSpawn?.(() => child.kill('SIGKILL'));
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          children.delete(child);
          resolve({ code, signal, stdout, stderr });
        });
        child.stdin.end(opts.input ?? '');
      }),
    close: async () => {
      for (const c of children) c.kill('SIGKILL');
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The tenant as the sandbox holds it, for assertions about what a command changed. */
export function tenantState(s: Sandbox) {
  const d = s.directory.data;
  return {
    apps: d.applications,
    sps: d.servicePrincipals.filter((sp) => d.applications.some((a) => a.appId === sp.appId)),
    grants: d.appRoleAssignments,
    roles: d.roleAssignments.filter((r) => d.servicePrincipals.some((sp) => sp.id === r.principalId)),
  };
}

export const initArgs = (h: Harness, extra: string[] = []) => [
  'init',
  '--tenant',
  h.sandbox.directory.tenant.initialDomain,
  '--yes',
  ...extra,
];

export function json<T = Record<string, unknown>>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON object (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
}

/**
 * Asserts that the sandbox really gave an injected answer matching `want` (at least `atLeast` times) and returns
 * those answers. Every fault test calls it: a fault that was asked for but never served tests nothing.
 */
export function expectFaultServed(
  s: Sandbox,
  want: Partial<Omit<ServedFault, 'path'>> & { path?: string | RegExp },
  atLeast = 1,
): ServedFault[] {
  const hits = s.faults.served.filter(
    (f) =>
      (!want.service || f.service === want.service) &&
      (!want.method || f.method === want.method) &&
      (want.status === undefined || f.status === want.status) &&
      (!want.kind || f.kind === want.kind) &&
      (!want.shape || f.shape === want.shape) &&
      (want.path === undefined ||
        (typeof want.path === 'string' ? f.path.includes(want.path) : want.path.test(f.path))),
  );
  assert.ok(
    hits.length >= atLeast,
    `expected the sandbox to serve ${atLeast}+ fault(s) like ${JSON.stringify(want)}; ` +
      `it served: ${JSON.stringify(s.faults.served)}`,
  );
  return hits;
}
