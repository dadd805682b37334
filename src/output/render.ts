import type { Context, Paint } from '../context.js';
import type { CertificateFiles, FederatedCredentialRecord } from '../profile/store.js';
import type { CloudName } from '../core/clouds.js';
import type { ExitCode } from '../core/errors.js';
import type { Rights } from '../rights/types.js';
import { workloadNamed, type ConnectFacts, type WorkloadName } from '../workloads/index.js';
import type { FederateResult } from '../commands/federate/index.js';
import type { TokenResult } from '../commands/token/index.js';

/** The one renderer: a command's data as text for people, or as one JSON object for machines. */

export interface InitResult {
  appId: string;
  objectId: string;
  servicePrincipalId: string;
  tenantId: string;
  organization: string;
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  files: CertificateFiles;
  role: string;
  rights: Rights;
  workload: WorkloadName;
  cloud: CloudName;
  verified: boolean;
  profile: string;
  outcomes: Record<string, string>;
  appName: string;
}

interface DryRunResult {
  dryRun: true;
  declined?: true;
  profile: string;
  workload: WorkloadName;
  tenantId: string;
  organization: string;
  plan: string[];
}

type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export interface CheckItem {
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}
export interface CheckReport {
  profile?: string;
  workload: WorkloadName;
  status: Exclude<CheckStatus, 'skip'>;
  appId?: string;
  tenant?: string;
  thumbprint?: string;
  notAfter?: string;
  daysLeft?: number;
  checks: CheckItem[];
}
export interface CheckResult {
  reports: CheckReport[];
  status: Exclude<CheckStatus, 'skip'>;
  junitFile?: string;
}

export interface RotateItem {
  profile: string;
  action: 'rotated' | 'skipped' | 'finished' | 'failed' | 'planned';
  reason: string;
  appId?: string;
  organization?: string;
  thumbprint?: string;
  thumbprintSha256?: string;
  notAfter?: string;
  oldThumbprint?: string;
  oldKeyKept?: boolean;
  /** When the old key's overlap ends (a later rotate then removes it). */
  oldKeyRetires?: string;
  files?: CertificateFiles;
  archived?: string[];
  cloud?: CloudName;
  workload?: WorkloadName;
  rights?: Rights;
  exportedPfxBase64?: string;
  /** Old keys removed by this run (their overlap was over), each read back. */
  retired?: string[];
  /** What could not be confirmed; the run then exits 1. */
  notes?: string[];
  /** Keys on the app that no profile tracks, where the run could read the app's keys (named, never removed). */
  untracked?: { keyId: string; thumbprint?: string; endDateTime: string }[];
  hook?: { command: string; code: number; output: string };
  plan?: string[];
}
export interface RotateResult {
  results: RotateItem[];
}

export interface StatusRow {
  profile: string;
  tenantId: string;
  organization: string;
  cloud: string;
  workload: WorkloadName;
  appName: string;
  appId?: string;
  role: string;
  state: string;
  thumbprint?: string;
  notAfter?: string;
  daysLeft?: number;
  lastCheck?: { at: string; status: string };
  sandbox?: boolean;
  /** The profile commands use when none is named. */
  isDefault: boolean;
  /** Other profiles here that use the same app (each with its own certificate). */
  sharedWith?: string[];
  /** Old keys still registered after a rotation, and when they go (undefined: at rotate --finish). */
  pendingRemovals?: { thumbprint: string; retireAfter?: string }[];
  /** The CI systems the app trusts, as federate (or init) last read them back. */
  federatedCredentials?: FederatedCredentialRecord[];
}
interface StatusResult {
  configFile: string;
  defaultProfile?: string;
  profiles: StatusRow[];
}

interface RemoveResult {
  profile: string;
  workload: WorkloadName;
  appId?: string;
  deleted: boolean;
  declined?: boolean;
  archived: string[];
  note?: string;
  plan?: string[];
}

interface SandboxResult {
  stopped: string;
  requests: number;
}

export type CommandResult = { exitCode: ExitCode } & (
  | { command: 'init'; data: InitResult | DryRunResult }
  | { command: 'check'; data: CheckResult }
  | { command: 'rotate'; data: RotateResult }
  | { command: 'status'; data: StatusResult }
  | { command: 'remove'; data: RemoveResult }
  | { command: 'sandbox'; data: SandboxResult }
  /** Commands that render their own text: `text` for people, `data` for --json. */
  | { command: 'federate'; data: FederateResult; text: string }
  | { command: 'token'; data: TokenResult; text: string }
);

export function render(result: CommandResult, ctx: Pick<Context, 'out'>, json: boolean): void {
  if (json) {
    ctx.out.data(JSON.stringify(result.data, null, 2));
    return;
  }
  const text = 'text' in result ? result.text : renderText(result, ctx.out.color);
  if (text) ctx.out.data(text);
}

function renderText(r: Exclude<CommandResult, { text: string }>, c: Paint): string {
  switch (r.command) {
    case 'init':
      return 'dryRun' in r.data ? dryRunText(r.data, c) : initText(r.data, c);
    case 'check':
      return checkText(r.data, c);
    case 'rotate':
      return r.data.results.map((x) => rotateText(x, c)).join('\n\n');
    case 'status':
      return statusText(r.data, c);
    case 'remove':
      if (r.data.declined) return 'Not confirmed: nothing was changed.';
      if (r.data.plan)
        return [
          c.bold(`Plan for profile ${r.data.profile}; nothing was changed:`),
          ...r.data.plan.map((p, i) => `  ${i + 1}. ${p}`),
        ].join('\n');
      return `${r.data.deleted ? `Deleted the app ${r.data.appId ?? ''} with its service principal, grant and role assignment.` : 'Nothing deleted in the tenant.'}\n${r.data.archived.length ? `Archived: ${r.data.archived.join(', ')}\n` : ''}Profile '${r.data.profile}' removed.${r.data.note ? `\n${r.data.note}` : ''}`;
    case 'sandbox':
      return '';
  }
}

function dryRunText(d: DryRunResult, c: Paint): string {
  if (d.declined) return 'Not confirmed: nothing was changed in the tenant or on disk.';
  return [
    c.bold(`Plan for ${d.organization} (profile ${d.profile}); nothing was changed:`),
    ...d.plan.map((p, i) => `  ${i + 1}. ${p}`),
  ].join('\n');
}

function initText(d: InitResult, c: Paint): string {
  const workload = workloadNamed(d.workload);
  const facts: ConnectFacts = {
    appId: d.appId,
    thumbprint: d.thumbprint,
    organization: d.organization,
    ...(d.files.pfx ? { pfx: d.files.pfx } : {}),
    cloud: d.cloud,
    rights: d.rights,
    servicePrincipalId: d.servicePrincipalId,
    appName: d.appName,
  };
  const out = [
    c.bold(
      d.verified
        ? c.green(`${workload.service} app-only access is set up and verified.`)
        : c.yellow('Set up, NOT verified (--no-verify): run exo-cba check to prove it works.'),
    ),
    '',
    `  AppId         ${c.bold(d.appId)}`,
    `  Thumbprint    ${c.bold(d.thumbprint)}`,
    `  Organization  ${c.bold(d.organization)}`,
    '',
    `  Role          ${d.role}`,
    `  Valid until   ${d.notAfter}`,
    `  Files         ${d.files.dir}`,
    ...(['cer', 'pem', 'key', 'pfx', 'pfxPasswordFile'] as const)
      .filter((k) => d.files[k])
      .map((k) => `                ${d.files[k]!}`),
    `  Profile       ${d.profile}`,
    '',
    c.bold('PowerShell:'),
    workload.connect.lines(facts),
    '',
    ...(workload.connect.narrower?.({ ...facts, role: d.role }) ?? []),
    '',
    c.dim(
      `Renew before ${d.notAfter.slice(0, 10)} with: exo-cba rotate --profile ${d.profile}   ` +
        `(schedule: --if-expiring-within 30)`,
    ),
  ];
  return out.join('\n');
}

const mark = (s: CheckStatus, c: Paint) =>
  s === 'pass'
    ? c.green('PASS')
    : s === 'warn'
      ? c.yellow('WARN')
      : s === 'fail'
        ? c.red('FAIL')
        : c.dim('SKIP');

function checkText(d: CheckResult, c: Paint): string {
  return (
    d.reports
      .map((r) => {
        const head =
          `${c.bold(r.profile ?? r.appId ?? 'check')}: ` +
          `${mark(r.status, c)}${r.daysLeft !== undefined ? `  (${r.daysLeft} days left, notAfter ${r.notAfter ?? '?'})` : ''}`;
        const width = Math.max(...r.checks.map((x) => x.id.length));
        const rows = r.checks.map(
          (x) =>
            `  ${mark(x.status, c)}  ${x.id.padEnd(width)}  ` +
            `${x.message}${x.fix && x.status !== 'pass' ? `\n        ${' '.repeat(width)}  fix: ${x.fix}` : ''}`,
        );
        return [head, ...rows].join('\n');
      })
      .join('\n\n') + (d.junitFile ? `\n\nJUnit report: ${d.junitFile}` : '')
  );
}

function rotateText(x: RotateItem, c: Paint): string {
  const extra = [
    ...(x.retired?.length
      ? [`  Removed       old key(s) ${x.retired.join(', ')} (overlap over; read back: gone)`]
      : []),
    ...(x.notes ?? []).map((n) => c.yellow(`  Not confirmed ${n}`)),
  ];
  if (x.action === 'planned')
    return [
      c.bold(`${x.profile}: plan; nothing was changed:`),
      ...(x.plan ?? []).map((p, i) => `  ${i + 1}. ${p}`),
    ].join('\n');
  if (x.action !== 'rotated')
    return [
      `${c.bold(x.profile)}: ${x.action === 'failed' ? c.red(x.action) : x.action} — ${x.reason}`,
      ...extra,
    ].join('\n');
  const retires = x.oldKeyRetires ? x.oldKeyRetires.slice(0, 16).replace('T', ' ') : undefined;
  const old = x.oldKeyKept
    ? retires
      ? `still registered until ${retires} UTC; a later rotate removes it`
      : 'still registered until rotate --finish'
    : 'removed';
  return [
    `${c.bold(x.profile)}: ${c.green('rotated')} — ${x.reason}`,
    `  AppId         ${x.appId ?? ''}`,
    `  Thumbprint    ${c.bold(x.thumbprint ?? '')}   (was ${x.oldThumbprint ?? '?'}, ${old})`,
    `  Organization  ${x.organization ?? ''}`,
    `  Valid until   ${x.notAfter ?? ''}`,
    ...(x.files ? [`  Files         ${x.files.pfx ?? x.files.dir} (same paths as before)`] : []),
    ...(x.archived?.length
      ? [
          `  Archived      ${x.archived.length} old file(s) under ${x.archived[0]!.replace(/[/\\][^/\\]+$/, '')}`,
        ]
      : []),
    ...(x.exportedPfxBase64 ? [`  PFX base64    ${x.exportedPfxBase64}`] : []),
    ...(x.hook
      ? [
          `  Hook          ${x.hook.command} -> exit ${x.hook.code}${
            x.hook.code !== 0 && x.hook.output
              ? `\n${x.hook.output
                  .split('\n')
                  .map((l) => `                | ${l}`)
                  .join('\n')}`
              : ''
          }`,
        ]
      : []),
    ...extra,
    '',
    c.bold('What each kind of job must do:'),
    '  Jobs that use the file path (-CertificateFilePath): nothing; the same path and password open ' +
      'the new certificate.',
    `  Jobs that use the thumbprint (Windows store): import the new ` +
      `PFX${retires ? ` before ${retires} UTC, when the old key goes` : ''}, then use the new thumbprint:`,
    ...windowsImport(x).map((l) => `    ${l}`),
    `  CI secrets that hold the PFX: update ` +
      `them${x.exportedPfxBase64 ? ` from ${x.exportedPfxBase64}` : ' (rotate --export-pfx-base64 FILE writes it as base64)'}, or let an --on-rotated hook do it.`,
    '',
    workloadNamed(x.workload ?? 'exchange').connect.lines(connectFacts(x)),
  ].join('\n');
}

function connectFacts(x: RotateItem): ConnectFacts {
  return {
    appId: x.appId ?? '',
    thumbprint: x.thumbprint ?? '',
    organization: x.organization ?? '',
    ...(x.files?.pfx ? { pfx: x.files.pfx } : {}),
    cloud: x.cloud ?? 'global',
    ...(x.rights ? { rights: x.rights } : {}),
  };
}

const windowsImport = (x: RotateItem): string[] =>
  workloadNamed(x.workload ?? 'exchange').connect.thumbprintLines(connectFacts(x));

function statusText(d: StatusResult, c: Paint): string {
  if (d.profiles.length === 0) return `No profiles in ${d.configFile}. Run 'exo-cba init' to create one.`;
  const rows = d.profiles.map((p) => [
    `${p.profile}${p.isDefault ? ' *' : ''}`,
    p.workload,
    p.sandbox ? `${p.organization} (sandbox)` : p.organization,
    p.appName,
    p.appId ?? '-',
    p.role,
    p.thumbprint ?? '-',
    p.notAfter ? p.notAfter.slice(0, 10) : '-',
    p.daysLeft === undefined ? '-' : String(p.daysLeft),
    p.lastCheck
      ? `${p.lastCheck.status} ${p.lastCheck.at.slice(0, 16).replace('T', ' ')}`
      : p.state === 'ready'
        ? '-'
        : p.state,
  ]);
  const head = [
    'PROFILE',
    'WORKLOAD',
    'ORGANIZATION',
    'APP',
    'APPID',
    'ROLE',
    'THUMBPRINT',
    'NOTAFTER',
    'DAYS',
    'LAST CHECK',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    c.bold(line(head)),
    ...rows.map((r, i) => {
      const days = d.profiles[i]!.daysLeft;
      const l = line(r);
      return days !== undefined && days < 0 ? c.red(l) : days !== undefined && days <= 30 ? c.yellow(l) : l;
    }),
    ...(d.defaultProfile
      ? [
          c.dim(
            `* the default profile (used when no --profile is given); change it with 'exo-cba ` +
              `status --set-default NAME'`,
          ),
        ]
      : []),
    ...d.profiles
      .filter((p) => p.sharedWith?.length)
      .map(
        (p) =>
          `${p.profile} shares its app ${p.appId ?? p.appName} with ${p.sharedWith!.join(', ')}: ` +
          `removing one profile removes only its own key.`,
      ),
    ...d.profiles.flatMap((p) =>
      (p.federatedCredentials ?? []).map(
        (f) => `${p.profile}: trusts CI tokens of ${f.issuer} with subject ${f.subject} (${f.name})`,
      ),
    ),
    ...d.profiles.flatMap((p) =>
      (p.pendingRemovals ?? []).map(
        (x) =>
          `${p.profile}: old key ${x.thumbprint} is still registered; ` +
          `${x.retireAfter ? `the next rotate after ${x.retireAfter.slice(0, 16).replace('T', ' ')} UTC removes it` : 'rotate --finish removes it'}.`,
      ),
    ),
  ].join('\n');
}
