import path from 'node:path';
import { nameOf } from '../../workloads/index.js';
import type { Context } from '../../context.js';
import type { CheckOptions } from './options.js';
import { CliError, EXIT, usageError, type ExitCode } from '../../core/errors.js';
import {
  resolveFederatedTarget,
  resolveTargets,
  mapBounded,
  type AppTarget,
} from '../../tenant/app-targets.js';
import { openTarget, type Target } from '../../tenant/target.js';
import { toJunit } from '../../output/junit.js';
import type { CheckItem, CheckReport, CommandResult } from '../../output/render.js';
import { checksFor } from './checks/index.js';
import { notPromised } from './checks/files.js';
import type { Check, CheckRun } from './checks/types.js';
import { explainServiceFailure } from '../../tenant/explain-failure.js';

/**
 * exo-cba check: with the certificate alone (or, --federated, the CI system's own OIDC token), prove that the
 * workload's connect cmdlet would work now. Never prompts.
 */

type Services = CheckRun['svc'];
type CheckResult = { report: CheckReport; inputError: boolean } & Pick<CheckRun, 'authorityMetadata'>;

/** Runs every check of one app (checks/), and sums them up; a skipped --graph check is left out of the report. */
export async function checkOne(
  ctx: Context,
  t: AppTarget,
  svc: Services,
  o: CheckOptions,
): Promise<CheckResult> {
  const r: CheckRun = {
    t,
    o,
    svc,
    report: {
      ...(t.profile ? { profile: t.profile.name } : {}),
      workload: nameOf(t.workload),
      status: 'pass',
      appId: t.appId,
      tenant: t.tenant,
      checks: [],
    },
    inputError: false,
  };
  for (const check of checksFor(t.workload, o)) {
    const item = await runCheck(ctx, check, r);
    if (!item || (check.id === 'keys' && !o.graph)) continue;
    if (check.id === 'overlap' && item.status === 'skip') continue;
    if (notPromised(check.id, item)) continue;
    r.report.checks.push({ id: check.id, ...item });
  }
  const checks = r.report.checks;
  r.report.status = checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'warn')
      ? 'warn'
      : 'pass';
  return {
    report: r.report,
    inputError: r.inputError,
    ...(r.authorityMetadata ? { authorityMetadata: r.authorityMetadata } : {}),
  };
}

/**
 * One check; a service failure that escapes it (a CliError, or a classified Graph or token-service error)
 * fails that check with its explanation, so that the other checks and profiles are still reported.
 */
async function runCheck(ctx: Context, check: Check, r: CheckRun): Promise<Omit<CheckItem, 'id'> | undefined> {
  try {
    return await check.run(ctx, r);
  } catch (err) {
    const e = explainServiceFailure(err, r.t, `run the ${check.id} check`);
    if (!(e instanceof CliError)) throw err;
    return { status: 'fail', message: e.message, ...(e.detail.fix ? { fix: e.detail.fix } : {}) };
  }
}

export async function checkCommand(o: CheckOptions, ctx: Context): Promise<CommandResult> {
  const { concurrency, junit } = o;
  if (junit) {
    const why = await ctx.files.whyNotWritable(path.dirname(junit));
    if (why)
      throw new CliError(EXIT.usage, `Cannot write the JUnit report: ${why}.`, {
        fix: 'Choose a writable path for --junit.',
      });
  }
  if (o.federated && o.graph)
    throw usageError(
      "--graph compares the app's keys with the local certificate; --federated signs in without one.",
      'Drop --graph, or drop --federated to check the certificate.',
    );
  const targets = o.federated
    ? [await resolveFederatedTarget(o.target, ctx, 'check')]
    : await resolveTargets(o.target, ctx);

  // One connection set per (cloud, sandbox): an in-process sandbox is shared by all its profiles.
  const groups = new Map<string, Promise<Services>>();
  const opened: Target[] = [];
  const servicesFor = (t: AppTarget) => {
    const key = `${t.cloud}|${t.sandbox}`;
    if (!groups.has(key)) {
      groups.set(
        key,
        (async () => {
          const target = await openTarget(ctx, { cloud: t.cloud, sandbox: t.sandbox });
          opened.push(target);
          return {
            target,
            identity: await ctx.services.identity(target.cloud, target.http),
          };
        })(),
      );
    }
    return groups.get(key)!;
  };
  let results: CheckResult[];
  try {
    results = await mapBounded(targets, concurrency, async (t) => checkOne(ctx, t, await servicesFor(t), o));
  } finally {
    await Promise.all(opened.map((t) => t.close()));
  }
  const reports = results.map((r) => r.report);
  const at = ctx.clock.now().toISOString();
  for (const [i, r] of results.entries()) {
    const name = targets[i]?.profile?.name;
    const fresh = name ? await ctx.profiles.get(name) : undefined;
    const kept = r.authorityMetadata ? { authorityMetadata: r.authorityMetadata } : {};
    if (fresh) await ctx.profiles.save({ ...fresh, ...kept, lastCheck: { at, status: r.report.status } });
  }
  const status = reports.some((r) => r.status === 'fail')
    ? 'fail'
    : reports.some((r) => r.status === 'warn')
      ? 'warn'
      : 'pass';
  if (junit) await ctx.files.writeAtomic(junit, toJunit(reports, o.strict, at), 0o644);
  let exitCode: ExitCode = status === 'fail' || (status === 'warn' && o.strict) ? EXIT.failed : EXIT.ok;
  if (targets.length === 1 && results[0]!.inputError) exitCode = EXIT.usage;
  return { command: 'check', exitCode, data: { reports, status, ...(junit ? { junitFile: junit } : {}) } };
}
