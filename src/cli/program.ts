import { Command, Option, CommanderError } from 'commander';
import type { Io } from './io.js';
import { EXIT, type ExitCode } from '../core/errors.js';
import { VERSION } from '../version.js';
import { CLOUD_NAMES } from '../core/clouds.js';
import { allWorkloads, WORKLOAD_NAMES } from '../workloads/index.js';
import { KEY_SIZES } from '../core/values.js';
import type { GlobalFlags } from './wiring.js';
import type { CommandResult } from '../output/render.js';
import type { CommandName, OptionsByCommand } from './options.js';
import type { Context } from '../context.js';

/**
 * Declares the commands and maps flags to typed options; nothing else. Each command module is
 * imported only when it runs, so --help and --version load none of the heavy libraries.
 */

type Raw = Record<string, unknown>;

/** Runs one command with its parsed options and returns its exit code (the table test passes one that records). */
export type Dispatch = <K extends CommandName>(
  name: K,
  options: OptionsByCommand[K],
  flags: GlobalFlags,
) => Promise<ExitCode>;

type Handler<K extends CommandName> = (options: OptionsByCommand[K], ctx: Context) => Promise<CommandResult>;

/** Each command module is imported only when it runs, so --help and --version load none of the heavy libraries. */
const HANDLERS: { [K in CommandName]: () => Promise<Handler<K>> } = {
  init: async () => (await import('../commands/init/index.js')).initCommand,
  check: async () => (await import('../commands/check/index.js')).checkCommand,
  rotate: async () => (await import('../commands/rotate/index.js')).rotateCommand,
  status: async () => (await import('../commands/status.js')).statusCommand,
  remove: async () => (await import('../commands/remove.js')).removeCommand,
  sandbox: async () => (await import('../commands/sandbox.js')).sandboxCommand,
  federate: async () => (await import('../commands/federate/index.js')).federateCommand,
  token: async () => (await import('../commands/token/index.js')).tokenCommand,
};

const runCommand =
  (io: Io): Dispatch =>
  async (name, options, flags) => {
    const { makeContext } = await import('./wiring.js');
    const ctx = await makeContext(io, flags);
    const handler = await HANDLERS[name]();
    const result = await handler(options, ctx);
    const { render } = await import('../output/render.js');
    render(result, ctx, flags.json);
    return result.exitCode;
  };

export async function runCli(argv: string[], io: Io): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = parseErrorExitCode(err);
    if (code === undefined) throw err;
    // With --json, a refused command line is one JSON object on stdout too (commander printed the text).
    const beforeDashes = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined);
    if (code === EXIT.usage && beforeDashes.includes('--json')) {
      const message = err instanceof Error ? err.message.replace(/^error: /, '') : String(err);
      io.stdout.write(JSON.stringify({ error: { code: 'EXO-USAGE', message } }) + '\n');
    }
    return code;
  }
  return exitCode;
}

/** The exit code of commander's own refusals (unknown flag, bad choice) and of help/version; else undefined. */
export function parseErrorExitCode(err: unknown): ExitCode | undefined {
  if (!(err instanceof CommanderError)) return undefined;
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
  return EXIT.usage;
}

/** The whole command line; `done` receives the exit code of the command that ran. */
export function buildProgram(
  io: Io,
  done: (code: ExitCode) => void = () => undefined,
  dispatch: Dispatch = runCommand(io),
): Command {
  const program = new Command('exo-cba')
    .description(
      'Certificate-based app-only auth for Exchange Online PowerShell: set it up (init), keep it ' +
        'working (rotate), prove it in CI (check).',
    )
    .version(VERSION, '-V, --version')
    .addOption(
      new Option('--cloud <name>', 'Microsoft cloud (default: global)').choices(CLOUD_NAMES as string[]),
    )
    .option('--profile <name>', 'profile to use (default: the only one, or the default one)')
    .option('--json', 'print one JSON object on stdout and nothing else')
    .option('--verbose', 'explain each step and HTTP exchange on stderr (secrets are redacted)')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)')
    .option('-y, --yes', 'accept defaults and confirmations; never prompt')
    .option('--no-interactive', 'never prompt (also when stdin is not a TTY, or CI is set)')
    .showHelpAfterError('(run with --help for usage)')
    // Every subcommand's --help lists the global options too (they are accepted before or after the command).
    .configureHelp({ showGlobalOptions: true, sortOptions: false })
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();

  /** Each command's flags become its typed options here, once; then the command runs through `dispatch`. */
  const run =
    <K extends CommandName>(name: K) =>
    async (_opts: Raw, cmd: Command) => {
      const raw = cmd.optsWithGlobals();
      const flags: GlobalFlags = {
        verbose: Boolean(raw['verbose']),
        json: Boolean(raw['json']),
        yes: Boolean(raw['yes']),
        interactive: raw['interactive'] !== false,
        color: raw['color'] !== false,
      };
      const { PARSERS } = await import('./options.js');
      const options = PARSERS[name](raw, io.env);
      done(await dispatch(name, options, flags));
    };

  const certInputs = (c: Command) =>
    c
      .option('--app-id <guid>', 'application (client) id; env EXO_CBA_APP_ID')
      .option('--tenant <id|domain>', 'tenant id or initial domain; env EXO_CBA_TENANT')
      .option(
        '--cert-file <path>',
        'PEM with certificate and key, or a PFX; env EXO_CBA_CERTIFICATE (a path or base64)',
      )
      .option(
        '--pfx-password-env <NAME>',
        'name of the environment variable that holds the PFX password (default: EXO_CBA_CERTIFICATE_PASSWORD)',
      )
      .option(
        '--workload <name>',
        `for an app given by --app-id: ${WORKLOAD_NAMES.join(', ')} (default: exchange; a profile knows its own); ` +
          'env EXO_CBA_WORKLOAD',
      )
      .option('--all', 'every profile')
      .option('--sandbox', 'run against the built-in sandbox tenant');
  const newCertOptions = (c: Command) =>
    c
      .option('--validity-days <days>', 'certificate validity in days, 1-3650 (default: 365)')
      .option('--key-size <bits>', `RSA key size: ${KEY_SIZES.join(', ')} (default: 2048)`)
      .option(
        '--pfx-legacy',
        'encrypt the PFX with 3DES (Windows Server 2016, Windows PowerShell 5.1) instead of AES-256',
      )
      .option(
        '--wait <duration>',
        'how long to wait for replication while verifying, e.g. 90s, 5m (default: 5m)',
      );
  const adminInputs = (c: Command) =>
    c
      .option(
        '--client-id <guid>',
        'public client used for the admin sign-in (default: Microsoft Graph Command Line Tools, 14d82eec-…)',
      )
      .option(
        '--auth <method>',
        'admin sign-in: device (device code) or browser (loopback) (default: device)',
      );

  adminInputs(newCertOptions(program.command('init')))
    .description(
      "register the workload's app, grant its permission, assign the role, make and upload a " +
        'certificate, and verify the connection',
    )
    .option(
      '--workload <name>',
      `what the app is for, one app each: ${allWorkloads()
        .map((w) => `${w.name} (${w.service})`)
        .join(', ')} (default: ${WORKLOAD_NAMES[0] ?? 'exchange'}; the wizard asks)`,
    )
    .option('--tenant <id|domain>', 'tenant to sign in to (default: the home tenant of the admin)')
    .option(
      '--app-name <name>',
      `display name of the app registration (default: ${allWorkloads()
        .map((w) => `"${w.defaultAppName}" for ${w.name}`)
        .join(', ')})`,
    )
    .option(
      '--role <role>',
      `directory role for the app, least privilege first: ${allWorkloads()
        .map(
          (w) =>
            `for ${w.name} ${w.roles.accepted.map((r) => r.key).join(', ')} (default: ${w.roles.defaultKey})`,
        )
        .join('; ')}`,
    )
    .option('--allow-global-admin', 'allow --role global-administrator without a prompt (with --yes)')
    .option(
      '--exchange-role-group <name>',
      'Exchange RBAC instead of a directory role: put the app in this role group (built-in or ' +
        'custom), e.g. "View-Only Organization Management"',
    )
    .option(
      '--exchange-role <role>',
      'Exchange RBAC: assign this management role to the app (repeatable), e.g. "Mail Recipients"',
      (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
    )
    .option(
      '--exchange-scope <scope>',
      'with --exchange-role: limit the assignments to this management scope',
    )
    .option('--out-dir <dir>', 'where to write the certificate files (default: <config dir>/certs/<profile>)')
    .option('--cert-file <path>', 'use this existing certificate (PFX or PEM with key) instead of making one')
    .option(
      '--pfx-password-env <NAME>',
      'name of the environment variable that holds the PFX password (else prompt, or generate)',
    )
    .option(
      '--adopt-app <appId>',
      'take over this existing app, which exo-cba did not create (it lists its credentials and grants, and asks first)',
    )
    .addOption(
      new Option(
        '--foreign-credentials <what>',
        'with --adopt-app: remove or keep the credentials exo-cba did not make (default: ask)',
      ).choices(['remove', 'keep']),
    )
    .option('--no-verify', 'skip the end-to-end verification (the result is then unverified)')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--sandbox', 'run against the built-in sandbox tenant (no Microsoft account needed)')
    .addHelpText(
      'after',
      '\nExamples:\n  exo-cba init                      # the wizard: asks each question, then ' +
        'verifies\n  exo-cba init --tenant contoso.onmicrosoft.com --role global-reader --yes   # ' +
        'unattended\n  exo-cba init --sandbox            # try it against the built-in sandbox tenant\n',
    )
    .action(run('init'));

  certInputs(program.command('check'))
    .description(
      "prove with the certificate alone that the workload's connect cmdlet would work now; warn before expiry",
    )
    .option('--warn-days <days>', 'warn when the certificate expires within this many days (default: 30)')
    .option('--strict', 'exit 1 on warnings too')
    .option(
      '--graph',
      "also compare the app's registered keys with the local certificate (needs the app to read itself)",
    )
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--concurrency <n>', 'profiles checked at once with --all (default: 8)')
    .option(
      '--federated',
      "sign in with the CI system's own OIDC token instead of the certificate (no certificate, no secret)",
    )
    .option(
      '--federated-token-file <path>',
      'with --federated: the file holding the CI token (default: GitHub Actions, or AZURE_FEDERATED_TOKEN_FILE)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  exo-cba check                     # the default profile\n  exo-cba check ' +
        '--all --junit report.xml --strict   # every profile, in CI\n  exo-cba check --federated ' +
        '--junit report.xml   # in a pipeline: EXO_CBA_APP_ID, EXO_CBA_TENANT, no secret\n',
    )
    .action(run('check'));

  adminInputs(newCertOptions(certInputs(program.command('rotate'))))
    .description('replace the certificate with no downtime and, normally, no admin sign-in')
    .option('--if-expiring-within <days>', 'do nothing unless the certificate expires within DAYS')
    .option('--admin', 'sign in an admin and replace the keys with Graph (when no valid certificate is left)')
    .option(
      '--overlap <duration>',
      'keep the old key registered this long after the switch, e.g. 7d, 36h; 0 removes it at once (default: 7d)',
    )
    .option('--keep-old', 'keep the old key until rotate --finish (never past its expiry)')
    .option('--finish', 'remove now every old key still in its overlap')
    .option('--new-password', 'protect the new PFX with a new password (asked, or from --new-password-env)')
    .option('--new-password-env <NAME>', 'the environment variable that holds the new PFX password')
    .option(
      '--on-rotated <command>',
      "run this command after each verified rotation (remembered in the profile; '' forgets it)",
    )
    .option('--dry-run', 'print what rotate would do and change nothing')
    .option('--export-pfx-base64 <file>', 'also write the new PFX as base64 (0600), for a CI secret')
    .option(
      '--out-dir <dir>',
      'where to write the new certificate files (default: where the current ones are)',
    )
    .option('--object-id <guid>', "the app's object id, when not using a profile; env EXO_CBA_APP_OBJECT_ID")
    .option('--concurrency <n>', 'profiles rotated at once with --all, shared between tenants (default: 8)')
    .addHelpText(
      'after',
      '\nExamples:\n  exo-cba rotate --all --if-expiring-within 30   # daily, from a scheduler\n  ' +
        'exo-cba rotate --admin --profile contoso        # after the certificate expired\n',
    )
    .action(run('rotate'));

  program
    .command('status')
    .description(
      'list the profiles: tenant, app, role, thumbprint, expiry, last check, the default, shared apps',
    )
    .option('--set-default <profile>', 'make this profile the one commands use when no --profile is given')
    .addHelpText('after', '\nExamples:\n  exo-cba status\n  exo-cba status --json\n')
    .action(run('status'));

  adminInputs(program.command('remove'))
    .description(
      'delete the app registration (with its service principal, grant and role), archive the files, ' +
        'drop the profile; an app other profiles share keeps running for them',
    )
    .option('--delete-app', 'delete the app even though other profiles here use it (it asks, naming them)')
    .option('--dry-run', 'print what remove would do and change nothing')
    .option('--sandbox', 'run against the built-in sandbox tenant')
    .addHelpText('after', '\nExamples:\n  exo-cba remove --profile contoso.onmicrosoft.com\n')
    .action(run('remove'));

  // Workload identity federation: CI signs in with its own OIDC token, no certificate and no secret.
  adminInputs(program.command('federate'))
    .description(
      "trust a CI system's own OIDC token for the profile's app (workload identity federation): add, " +
        'list or remove; prints the pipeline to paste',
    )
    .option('--github <owner/repo>', 'GitHub Actions: trust this repository (with one of the four below)')
    .option('--environment <name>', 'with --github: jobs that run in this environment')
    .option('--branch <name>', 'with --github or --gitlab: runs on this branch')
    .option('--tag <name>', 'with --github or --gitlab: runs on this tag')
    .option('--pull-request', 'with --github: pull request runs')
    .option(
      '--azure-devops <org/project/connection>',
      'Azure DevOps: trust this service connection (with --organization-id)',
    )
    .option(
      '--organization-id <guid>',
      "with --azure-devops: the organization's id, the end of the issuer https://vstoken.dev.azure.com/<id>",
    )
    .option('--gitlab <group/project>', 'GitLab: trust this project (with --branch or --tag)')
    .option('--gitlab-url <url>', 'with --gitlab: a self-managed GitLab (default: https://gitlab.com)')
    .option('--issuer <url>', 'any OIDC issuer (with --subject), exactly as its tokens carry it in iss')
    .option('--subject <subject>', "with --issuer: the tokens' sub, exactly (case-sensitive)")
    .option('--list', "list the app's federated credentials")
    .option('--remove <name>', 'remove this federated credential (read back)')
    .option('--wait <duration>', 'how long to wait for a change to show in Graph (default: 2m)')
    .option('--dry-run', 'print what federate would do and change nothing')
    .option('--sandbox', 'run against the built-in sandbox tenant')
    .addHelpText(
      'after',
      '\nExamples:\n  exo-cba federate --github contoso/jobs --environment production\n' +
        '  exo-cba federate --gitlab ops/exchange --branch main --gitlab-url https://gitlab.contoso.com\n' +
        '  exo-cba federate --list\n',
    )
    .action(run('federate'));

  program
    .command('token')
    .description(
      "print one access token for the profile's workload (Exchange Online) on stdout, nothing else, for " +
        'Connect-ExchangeOnline -AccessToken',
    )
    .option('--federated', "sign in with the CI system's own OIDC token instead of the certificate")
    .option(
      '--federated-token-file <path>',
      'with --federated: the file holding the CI token (default: GitHub Actions, or AZURE_FEDERATED_TOKEN_FILE)',
    )
    .option('--app-id <guid>', 'application (client) id; env EXO_CBA_APP_ID')
    .option('--tenant <id|domain>', 'tenant id or initial domain; env EXO_CBA_TENANT')
    .option('--cert-file <path>', 'without --federated: PEM with key, or a PFX; env EXO_CBA_CERTIFICATE')
    .option('--pfx-password-env <NAME>', 'the environment variable that holds the PFX password')
    .option('--sandbox', 'run against the built-in sandbox tenant')
    .addHelpText(
      'after',
      '\nExamples:\n  $token = npx exo-cba token --federated   # in a pipeline, no secret\n' +
        '  Connect-ExchangeOnline -AccessToken $token -Organization contoso.onmicrosoft.com\n',
    )
    .action(run('token'));

  program
    .command('sandbox')
    .description(
      'serve a local stand-in for Entra, Graph and Exchange on 127.0.0.1 and print how to point exo-cba at it',
    )
    .option('--port <n>', 'first of three ports (authority, Graph, Exchange) (default: free ones)')
    .option('--state <file>', 'keep the tenant in this file between runs')
    .option(
      '--ca-file <file>',
      'where to write the throwaway CA certificate (default: <config dir>/sandbox/ca.pem)',
    )
    .option('--replication-delay <ms>', 'new objects stay invisible for this long (default: 0)')
    .option(
      '--throttle-every <n>',
      'answer every Nth Graph request with 429 + Retry-After (default: 0, never)',
    )
    .addOption(
      new Option('--device-code <mode>', 'what the admin does with a device code (default: approve)').choices(
        ['approve', 'deny', 'expire', 'conditional-access'],
      ),
    )
    .option('--block-client <guid>', 'the tenant disables this public client (AADSTS7000112)')
    .option(
      '--fail-once <spec>',
      'fail one matching call, e.g. graph:POST:/servicePrincipals:503 (service token|graph|exchange)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  exo-cba sandbox --replication-delay 3000   # then follow the lines it prints\n',
    )
    .action(run('sandbox'));

  return program;
}
