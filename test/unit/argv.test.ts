import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildProgram, parseErrorExitCode, type Dispatch } from '../../src/cli/program.js';
import type { CommandName } from '../../src/cli/options.js';
import { CliError } from '../../src/core/errors.js';

/**
 * argv → command → typed options, as a table: each line runs the real commander program with a dispatch that
 * records what would run. Flags are parsed once, in one place; no command reads a raw flag.
 */

const GRAPH_CLI = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
const APP = '0bd1a111-2222-4333-8444-555566667777';

async function parse(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ name?: CommandName; options?: unknown; code: number | 'threw'; err: string }> {
  let seen: { name?: CommandName; options?: unknown } = {};
  let err = '';
  const sink = (onWrite?: (s: string) => void) => ({ write: (s: string) => (onWrite?.(s), true) });
  const dispatch: Dispatch = async (name, options) => {
    seen = { name, options };
    return 0;
  };
  let code: number | 'threw' = 0;
  const program = buildProgram(
    { stdout: sink() as never, stderr: sink((s) => (err += s)) as never, stdinIsTTY: false, env },
    (c) => (code = c),
    dispatch,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    // main() turns an expected failure into its exit code; anything else would be a crash.
    code = e instanceof CliError ? e.exitCode : (parseErrorExitCode(e) ?? 'threw');
    err += (e as Error).message;
  }
  return { ...seen, code, err };
}

const initDefaults = {
  cloud: 'global',
  sandbox: false,
  clientId: GRAPH_CLI,
  auth: 'device',
  allowGlobalAdmin: false,
  pfxLegacy: false,
  waitMs: 300_000,
  verify: true,
  dryRun: false,
  yes: false,
};
const targetDefaults = {
  all: false,
  passwordEnv: 'EXO_CBA_CERTIFICATE_PASSWORD',
  passwordEnvNamed: false,
  sandbox: false,
};

const table: { argv: string; env?: Record<string, string>; command: CommandName; options: unknown }[] = [
  { argv: 'init', command: 'init', options: initDefaults },
  { argv: 'init --sandbox --yes', command: 'init', options: { ...initDefaults, sandbox: true, yes: true } },
  {
    argv: `init --tenant Contoso.onmicrosoft.com --app-name Payroll --role global-reader --validity-days 90 --key-size 3072 --wait 90s --no-verify --auth browser --client-id ${APP.toUpperCase()} --cloud gcchigh --profile p1`,
    command: 'init',
    options: {
      ...initDefaults,
      tenant: 'contoso.onmicrosoft.com',
      appName: 'Payroll',
      validityDays: 90,
      keySize: 3072,
      waitMs: 90_000,
      verify: false,
      auth: 'browser',
      clientId: APP,
      cloud: 'gcchigh',
      profile: 'p1',
      role: 'global-reader',
    },
  },
  {
    argv: `init --adopt-app ${APP} --foreign-credentials remove --yes`,
    command: 'init',
    options: { ...initDefaults, adoptApp: APP, foreignCredentials: 'remove', yes: true },
  },
  {
    argv: 'init --out-dir rel/dir --pfx-password-env MY_PW --pfx-legacy --dry-run',
    command: 'init',
    options: {
      ...initDefaults,
      outDir: path.resolve('rel/dir'),
      pfxPasswordEnv: 'MY_PW',
      pfxLegacy: true,
      dryRun: true,
    },
  },
  {
    argv: 'check',
    command: 'check',
    options: {
      target: targetDefaults,
      warnDays: 30,
      strict: false,
      graph: false,
      concurrency: 8,
      federated: false,
    },
  },
  {
    argv: 'check --all --strict --junit out.xml --concurrency 2 --warn-days 10',
    command: 'check',
    options: {
      target: { ...targetDefaults, all: true },
      warnDays: 10,
      strict: true,
      graph: false,
      junit: path.resolve('out.xml'),
      concurrency: 2,
      federated: false,
    },
  },
  {
    argv: 'check --tenant t.onmicrosoft.com --cert-file c.pem --pfx-password-env PW',
    env: { EXO_CBA_APP_ID: APP, EXO_CBA_TENANT: 'ignored.onmicrosoft.com' },
    command: 'check',
    options: {
      target: {
        ...targetDefaults,
        appId: APP,
        tenant: 't.onmicrosoft.com',
        certificate: { value: 'c.pem', source: '--cert-file' },
        passwordEnv: 'PW',
        passwordEnvNamed: true,
      },
      warnDays: 30,
      strict: false,
      graph: false,
      concurrency: 8,
      federated: false,
    },
  },
  {
    argv: 'check',
    env: { EXO_CBA_CERTIFICATE: 'QUJD', EXO_CBA_APP_ID: '' },
    command: 'check',
    options: {
      target: { ...targetDefaults, certificate: { value: 'QUJD', source: 'EXO_CBA_CERTIFICATE' } },
      warnDays: 30,
      strict: false,
      graph: false,
      concurrency: 8,
      federated: false,
    },
  },
  {
    argv: 'check --federated --federated-token-file ci.jwt',
    env: { EXO_CBA_APP_ID: APP, EXO_CBA_TENANT: 't.onmicrosoft.com' },
    command: 'check',
    options: {
      target: { ...targetDefaults, appId: APP, tenant: 't.onmicrosoft.com' },
      warnDays: 30,
      strict: false,
      graph: false,
      concurrency: 8,
      federated: true,
      federatedTokenFile: path.resolve('ci.jwt'),
    },
  },
  {
    argv: 'rotate --if-expiring-within 30 --all --concurrency 16',
    command: 'rotate',
    options: {
      target: { ...targetDefaults, all: true },
      clientId: GRAPH_CLI,
      auth: 'device',
      ifExpiringWithin: 30,
      admin: false,
      keepOld: false,
      finish: false,
      validityDays: 365,
      keySize: 2048,
      pfxLegacy: false,
      waitMs: 300_000,
      overlapMs: 7 * 86_400_000,
      newPassword: false,
      dryRun: false,
      concurrency: 16,
    },
  },
  {
    argv: `rotate --admin --keep-old --object-id ${APP} --out-dir o`,
    command: 'rotate',
    options: {
      target: targetDefaults,
      clientId: GRAPH_CLI,
      auth: 'device',
      admin: true,
      keepOld: true,
      finish: false,
      validityDays: 365,
      keySize: 2048,
      pfxLegacy: false,
      waitMs: 300_000,
      objectId: APP,
      outDir: path.resolve('o'),
      overlapMs: 7 * 86_400_000,
      newPassword: false,
      dryRun: false,
      concurrency: 8,
    },
  },
  { argv: 'status', command: 'status', options: {} },
  {
    argv: 'status --set-default b --profile a',
    command: 'status',
    options: { profile: 'a', setDefault: 'b' },
  },
  {
    argv: 'remove --profile a --yes --delete-app',
    command: 'remove',
    options: {
      profile: 'a',
      clientId: GRAPH_CLI,
      auth: 'device',
      sandbox: false,
      yes: true,
      deleteApp: true,
      dryRun: false,
    },
  },
  {
    argv: '--yes remove',
    command: 'remove',
    options: {
      clientId: GRAPH_CLI,
      auth: 'device',
      sandbox: false,
      yes: true,
      deleteApp: false,
      dryRun: false,
    },
  },
  {
    argv: `rotate --overlap 36h --new-password-env NEW_PW --on-rotated hook.sh --dry-run --object-id ${APP}`,
    command: 'rotate',
    options: {
      target: targetDefaults,
      clientId: GRAPH_CLI,
      auth: 'device',
      admin: false,
      keepOld: false,
      finish: false,
      validityDays: 365,
      keySize: 2048,
      pfxLegacy: false,
      waitMs: 300_000,
      objectId: APP,
      overlapMs: 36 * 3_600_000,
      newPassword: true,
      newPasswordEnv: 'NEW_PW',
      onRotated: 'hook.sh',
      dryRun: true,
      concurrency: 8,
    },
  },
  {
    argv: 'federate --github contoso/jobs --environment production --profile a',
    command: 'federate',
    options: {
      profile: 'a',
      clientId: GRAPH_CLI,
      auth: 'device',
      sandbox: false,
      action: {
        kind: 'add',
        spec: {
          provider: 'github',
          repository: 'contoso/jobs',
          on: { kind: 'environment', name: 'production' },
        },
      },
      dryRun: false,
      waitMs: 120_000,
    },
  },
  {
    argv: 'federate --gitlab ops/x --tag v1 --gitlab-url https://gitlab.contoso.com/ --dry-run --wait 30s',
    command: 'federate',
    options: {
      clientId: GRAPH_CLI,
      auth: 'device',
      sandbox: false,
      action: {
        kind: 'add',
        spec: {
          provider: 'gitlab',
          project: 'ops/x',
          ref: { kind: 'tag', name: 'v1' },
          url: 'https://gitlab.contoso.com',
        },
      },
      dryRun: true,
      waitMs: 30_000,
    },
  },
  {
    argv: 'token --federated --federated-token-file /tmp/ci-token',
    command: 'token',
    env: { EXO_CBA_APP_ID: APP, EXO_CBA_TENANT: 'contoso.onmicrosoft.com' },
    options: {
      federated: true,
      target: { ...targetDefaults, appId: APP, tenant: 'contoso.onmicrosoft.com' },
      federatedTokenFile: '/tmp/ci-token',
    },
  },
  {
    argv: 'federate --remove github-contoso-jobs-branch-main',
    command: 'federate',
    options: {
      clientId: GRAPH_CLI,
      auth: 'device',
      sandbox: false,
      action: { kind: 'remove', name: 'github-contoso-jobs-branch-main' },
      dryRun: false,
      waitMs: 120_000,
    },
  },
  {
    argv: 'sandbox --port 9443 --replication-delay 2000 --device-code deny --fail-once graph:POST:/servicePrincipals:503',
    command: 'sandbox',
    options: {
      port: 9443,
      replicationDelayMs: 2000,
      throttleEvery: 0,
      deviceCode: 'deny',
      failOnce: { service: 'graph', method: 'POST', path: '/servicePrincipals', status: 503 },
    },
  },
];

/** Roles are objects from the workload's list; the table names them by key. */
const normalise = (o: unknown): unknown =>
  JSON.parse(
    JSON.stringify(o, (k, v: unknown) =>
      k === 'role' && v && typeof v === 'object' ? `ROLE:${(v as { key: string }).key}` : v,
    ),
  );

describe('argv reaches its command with exactly these options', () => {
  for (const row of table) {
    test(`exo-cba ${row.argv}`, async () => {
      const r = await parse(row.argv.split(' '), row.env);
      assert.equal(r.err, '');
      assert.equal(r.name, row.command);
      assert.deepEqual(normalise(r.options), row.options);
    });
  }
});

describe('bad flag values stop before any command runs (exit 2)', () => {
  const bad: [string, RegExp][] = [
    ['init --app-name ', /app name is empty/],
    ['init --out-dir ', /--out-dir is empty/],
    ['init --client-id nope', /--client-id must be a GUID/],
    ['init --foreign-credentials maybe', /'remove', 'keep'|argument 'maybe' is invalid/],
    ['check --all --app-id ' + APP, /--all checks the saved profiles/],
    ['rotate --finish --keep-old', /--finish only removes/],
    ['rotate --all --export-pfx-base64 x.b64', /does not combine with --all/],
    ['status --set-default ../x', /not a valid profile name/],
    ['rotate --keep-old --overlap 3d', /does not combine with --overlap/],
    ['rotate --overlap forever', /--overlap must be a duration/],
    ['federate --github contoso/jobs --pull-request --branch main', /exactly one of/],
    ['federate --list --remove x1y', /one thing at a time/],
    ['federate --branch main', /needs a provider|one thing/],
    ['federate --github contoso/jobs --environment prod --subject x', /--subject does not apply to --github/],
  ];
  for (const [argv, why] of bad) {
    test(`exo-cba ${argv.trim()}`, async () => {
      const r = await parse(argv.split(' '));
      assert.equal(r.name, undefined, 'no command ran');
      assert.equal(r.code, 2, 'exit 2');
      assert.match(r.err, why);
    });
  }
});
