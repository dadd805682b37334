import path from 'node:path';
import type { Context } from '../../core/context.js';
import type { CheckOptions } from '../../cli/options.js';
import { CliError, EXIT, type ExitCode } from '../../core/errors.js';
import { resolveTargets, mapBounded, type AppTarget } from '../../tenant/app-targets.js';
import { openTarget, type Target } from '../../tenant/target.js';
import { AuthError } from '../../adapters/identity.js';
import { GraphApiError } from '../../adapters/graph.js';
import { diagnoseAuthError, diagnoseProbe } from '../../workloads/exchange/index.js';
import { strategyFor } from '../../rights/index.js';
import { withRetries } from '../../core/retry.js';
import type { ProbeResult } from '../../workloads/exchange/index.js';

/** How long check waits out Exchange throttling before it reports the check as failed. */
const CHECK_WAIT_MS = 120_000;
import { EXCHANGE_MANAGE_AS_APP, VERIFY_CMDLET } from '../../workloads/exchange/index.js';
import { toJunit } from '../../output/junit.js';
import { thumbprintOfKey } from '../../certificate/keys.js';
import type { CheckItem, CheckReport, CommandResult } from '../../output/render.js';
import type { Credential } from '../../certificate/x509.js';

/** exo-cba check: with the certificate alone, prove that Connect-ExchangeOnline would work now. Never prompts. */


type Services = { target: Target; identity: Awaited<ReturnType<Context['services']['identity']>>; exchange: Awaited<ReturnType<Context['services']['exchange']>> };

export async function checkOne(ctx: Context, t: AppTarget, svc: Services, o: CheckOptions): Promise<{ report: CheckReport; inputError: boolean }> {
  const checks: CheckItem[] = [];
  const add = (c: CheckItem) => checks.push(c);
  const skip = (id: string, why: string) => add({ id, status: 'skip', message: why });
  const now = ctx.clock.now();
  const report: CheckReport = { ...(t.profile ? { profile: t.profile.name } : {}), status: 'pass', appId: t.appId, tenant: t.tenant, checks };
  let cred: Credential | undefined;
  let inputError = false;

  try {
    cred = await t.credential();
    add({ id: 'certificate', status: 'pass', message: `certificate ${cred.thumbprint} and its ${cred.keyBits}-bit key load and belong together` });
    report.thumbprint = cred.thumbprint;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    inputError = true;
    add({ id: 'certificate', status: 'fail', message: err.message, ...(err.detail.fix ? { fix: err.detail.fix } : {}) });
  }

  if (cred) {
    const days = Math.floor((cred.notAfter.getTime() - now.getTime()) / 86_400_000);
    report.daysLeft = days;
    report.notAfter = cred.notAfter.toISOString();
    const rotate = `exo-cba rotate${t.profile ? ` --profile ${t.profile.name}` : ''}`;
    if (cred.notAfter.getTime() <= now.getTime()) add({ id: 'validity', status: 'fail', message: `expired on ${report.notAfter} (${days} days left)`, fix: `${rotate} --admin (no valid certificate is left to sign a rotation)` });
    else if (cred.notBefore.getTime() > now.getTime()) add({ id: 'validity', status: 'fail', message: `not valid before ${cred.notBefore.toISOString()}; notAfter ${report.notAfter}`, fix: "Check this machine's clock, or the certificate's dates." });
    else if (days < o.warnDays) add({ id: 'validity', status: 'warn', message: `expires in ${days} days (notAfter ${report.notAfter})`, fix: rotate });
    else add({ id: 'validity', status: 'pass', message: `${days} days left (notAfter ${report.notAfter})` });
  } else skip('validity', 'no certificate to inspect');

  let token: { accessToken: string; claims: Record<string, unknown> } | undefined;
  if (cred) {
    try {
      token = await svc.identity.appToken({ clientId: t.appId, tenant: t.tenant, keyPem: cred.keyPem, thumbprintSha256: cred.thumbprintSha256 }, svc.target.cloud.exchangeResource);
      add({ id: 'sign-in', status: 'pass', message: `app-only token for ${svc.target.cloud.exchangeResource} issued` });
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const d = diagnoseAuthError(err, { appId: t.appId, tenant: t.tenant });
      add({ id: 'sign-in', status: 'fail', message: d.what, fix: d.fix });
    }
  } else skip('sign-in', 'no usable certificate');

  if (token) {
    const roles = Array.isArray(token.claims['roles']) ? (token.claims['roles'] as string[]) : [];
    if (roles.includes(EXCHANGE_MANAGE_AS_APP)) add({ id: 'consent', status: 'pass', message: `token carries ${EXCHANGE_MANAGE_AS_APP}` });
    else add({ id: 'consent', status: 'fail', message: `token has no ${EXCHANGE_MANAGE_AS_APP} role: admin consent is missing`, fix: `Re-run 'exo-cba init${t.profile ? ` --profile ${t.profile.name}` : ''}', or in the portal: App registrations > API permissions > Grant admin consent.` });
    const tid = typeof token.claims['tid'] === 'string' ? token.claims['tid'] : t.tenant;
    const org = t.organization ?? t.tenant;
    // The cmdlet the profile's rights allow (a scoped app may not run every cmdlet).
    const rights = t.profile?.rights;
    const cmdlet = rights ? strategyFor(rights).verifyCmdlet(rights) : VERIFY_CMDLET;
    // Exchange's 429 and 503 are waited out under the one retry policy (a CI check should not fail on one).
    const busy = (p: ProbeResult) => !p.ok && (p.kind === 'throttled' || p.kind === 'unavailable');
    const probe = await withRetries(ctx, `${cmdlet} in Exchange Online`, async () => {
      const p = await svc.exchange.invoke({ tenantId: tid, organization: org, accessToken: token!.accessToken, cmdlet });
      if (busy(p)) throw Object.assign(new Error('busy'), { probe: p });
      return p;
    }, {
      deadline: ctx.clock.now().getTime() + CHECK_WAIT_MS,
      decide: (e) => {
        const p = (e as { probe?: ProbeResult }).probe;
        return p && !p.ok ? { label: `Exchange is busy (HTTP ${p.status})`, ...(p.retryAfterMs !== undefined ? { retryAfterMs: p.retryAfterMs } : {}) } : undefined;
      },
    }).catch((e: unknown) => {
      const p = (e as { probe?: ProbeResult }).probe;
      if (p) return p;
      throw e;
    });
    if (probe.ok) add({ id: 'exchange', status: 'pass', message: `${cmdlet} ran in Exchange Online (${probe.count} result(s))` });
    else {
      const d = diagnoseProbe(probe, rights ? strategyFor(rights).whenRefused(rights) : undefined, cmdlet);
      add({ id: 'exchange', status: 'fail', message: d.what, fix: d.fix });
    }
  } else {
    skip('consent', 'no token');
    skip('exchange', 'no token');
  }

  if (o.graph) await graphKeysCheck(ctx, t, svc, cred, o, add);

  report.status = checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'pass';
  return { report, inputError };
}

/** The registered keys, read by the app itself (needs Application.Read.All or to own itself; skipped otherwise). */
async function graphKeysCheck(ctx: Context, t: AppTarget, svc: Services, cred: Credential | undefined, o: CheckOptions, add: (c: CheckItem) => void) {
  if (!cred) return add({ id: 'keys', status: 'skip', message: 'no usable certificate' });
  let graphToken: string;
  try {
    graphToken = (await svc.identity.appToken({ clientId: t.appId, tenant: t.tenant, keyPem: cred.keyPem, thumbprintSha256: cred.thumbprintSha256 }, svc.target.cloud.graphResource)).accessToken;
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    return add({ id: 'keys', status: 'skip', message: `no Graph token: ${err.description}` });
  }
  const dir = await ctx.services.directory(svc.target.cloud, svc.target.http, async () => graphToken);
  try {
    const app = await dir.getApplicationByAppId(t.appId);
    if (!app) return add({ id: 'keys', status: 'skip', message: 'the app cannot see its own registration' });
    const now = ctx.clock.now().getTime();
    const mine = app.keyCredentials.find((k) => thumbprintOfKey(k) === cred.thumbprint);
    const soon = app.keyCredentials.filter((k) => k !== mine && Date.parse(k.endDateTime) - now < o.warnDays * 86_400_000);
    if (!mine) return add({ id: 'keys', status: 'fail', message: `the app has ${app.keyCredentials.length} key(s) and none is this certificate`, fix: 'Upload it (exo-cba rotate --admin) or use the registered certificate.' });
    if (soon.length) return add({ id: 'keys', status: 'warn', message: `registered; other keys expiring soon: ${soon.map((k) => `${thumbprintOfKey(k) ?? k.keyId} (${k.endDateTime.slice(0, 10)})`).join(', ')}`, fix: 'Remove or rotate them (exo-cba rotate --finish removes a kept old key).' });
    add({ id: 'keys', status: 'pass', message: `registered as key ${mine.keyId}; ${app.keyCredentials.length - 1} other key(s), none expiring within ${o.warnDays} days` });
  } catch (err) {
    if (err instanceof GraphApiError && (err.status === 403 || err.status === 401)) return add({ id: 'keys', status: 'skip', message: 'the app may not read its own registration (needs Application.Read.All); nothing to compare' });
    throw err;
  }
}

export async function checkCommand(o: CheckOptions, ctx: Context): Promise<CommandResult> {
  const { concurrency, junit } = o;
  if (junit) {
    const why = await ctx.files.whyNotWritable(path.dirname(junit));
    if (why) throw new CliError(EXIT.usage, `Cannot write the JUnit report: ${why}.`, { fix: 'Choose a writable path for --junit.' });
  }
  const targets = await resolveTargets(o.target, ctx);

  // One connection set per (cloud, sandbox): an in-process sandbox is shared by all its profiles.
  const groups = new Map<string, Promise<Services>>();
  const opened: Target[] = [];
  const servicesFor = (t: AppTarget) => {
    const key = `${t.cloud}|${t.sandbox}`;
    if (!groups.has(key)) {
      groups.set(key, (async () => {
        const target = await openTarget(ctx, { cloud: t.cloud, sandbox: t.sandbox });
        opened.push(target);
        return { target, identity: await ctx.services.identity(target.cloud, target.http), exchange: await ctx.services.exchange(target.cloud, target.http) };
      })());
    }
    return groups.get(key)!;
  };
  let results: { report: CheckReport; inputError: boolean }[];
  try {
    results = await mapBounded(targets, concurrency, async (t) => checkOne(ctx, t, await servicesFor(t), o));
  } finally {
    await Promise.all(opened.map((t) => t.close()));
  }
  const reports = results.map((r) => r.report);
  const at = ctx.clock.now().toISOString();
  for (const r of reports) {
    const t = targets.find((x) => x.profile?.name === r.profile);
    if (t?.profile) {
      const fresh = await ctx.profiles.get(t.profile.name);
      if (fresh) await ctx.profiles.save({ ...fresh, lastCheck: { at, status: r.status } });
    }
  }
  const status = reports.some((r) => r.status === 'fail') ? 'fail' : reports.some((r) => r.status === 'warn') ? 'warn' : 'pass';
  if (junit) await ctx.files.writeAtomic(junit, toJunit(reports, o.strict, at), 0o644);
  let exitCode: ExitCode = status === 'fail' || (status === 'warn' && o.strict) ? EXIT.failed : EXIT.ok;
  if (targets.length === 1 && results[0]!.inputError) exitCode = EXIT.usage;
  return { command: 'check', exitCode, data: { reports, status, ...(junit ? { junitFile: junit } : {}) } };
}
