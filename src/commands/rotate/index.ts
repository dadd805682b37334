import { nameOf } from '../../workloads/index.js';
import type { Context } from '../../context.js';
import type { RotateOptions } from './options.js';
import { CliError, EXIT } from '../../core/errors.js';
import { planSteps, runSteps } from '../../core/steps.js';
import { resolveTargets, type AppTarget } from '../../tenant/app-targets.js';
import { openTarget } from '../../tenant/target.js';
import type { Identity } from '../../adapters/identity.js';
import { explainServiceFailure } from '../../tenant/explain-failure.js';
import type { Target } from '../../tenant/target.js';
import type { Credential } from '../../certificate/x509.js';
import type { Profile } from '../../profile/store.js';
import type { CommandResult, RotateItem } from '../../output/render.js';
import { makeKeyOps, type RotateRun } from './run.js';
import { eachFairly, oneQuestionAtATime } from './all.js';
import { ROTATE_STEPS } from './steps/index.js';
import { rotateLocked } from './locked.js';
import { stablePaths } from './steps/certificate.js';

/**
 * exo-cba rotate: a new certificate with no gap for the jobs that use it, normally with no admin (addKey and
 * removeKey with a proof of possession): same file paths, same password source, an overlap that finishes
 * itself, and a hook for what exo-cba cannot do itself.
 */

interface Svc {
  target: Target;
  identity: Identity;
}

export async function rotateCommand(o: RotateOptions, ctx: Context): Promise<CommandResult> {
  for (const [flag, p] of [
    ['--export-pfx-base64', o.exportPfxBase64 && (await import('node:path')).dirname(o.exportPfxBase64)],
    ['--out-dir', o.outDir],
  ] as const) {
    if (!p) continue;
    const why =
      (await ctx.files.whyNotWritable(p)) ??
      (flag === '--out-dir' ? await ctx.files.whyNotSafe(p) : undefined);
    if (why)
      throw new CliError(EXIT.usage, `${flag}: ${why}.`, { fix: `Choose a writable place for ${flag}.` });
  }
  const targets = await resolveTargets(o.target, ctx);
  const opened = new Map<string, Promise<Svc>>();
  const unregister = ctx.services.onInterrupt(
    () =>
      'Cancelled. The rotation is recorded in the profile as it stood; run the same rotate again to ' +
      'resume: nothing is added twice.',
  );
  // One connection set per (cloud, sandbox), shared by the rotations in flight.
  const svcFor = (t: AppTarget) => {
    const key = `${t.cloud}|${t.sandbox}`;
    let svc = opened.get(key);
    if (!svc) {
      svc = openTarget(ctx, { cloud: t.cloud, sandbox: t.sandbox }).then(async (target) => ({
        target,
        identity: await ctx.services.identity(target.cloud, target.http),
      }));
      opened.set(key, svc);
    }
    return svc;
  };
  const many = targets.length > 1;
  const runCtx: Context = many ? { ...ctx, prompt: oneQuestionAtATime(ctx.prompt) } : ctx;
  let results: RotateItem[];
  try {
    results = await eachFairly(
      targets,
      { concurrency: o.concurrency, laneOf: (t) => `${t.cloud}|${t.tenant}` },
      async (t) => {
        try {
          const svc = await svcFor(t);
          return await rotateLocked(runCtx, t, o, (now) => rotateOne(runCtx, now, svc, o));
        } catch (caught) {
          const err = explainServiceFailure(caught, t, `rotate the certificate of ${t.label}`);
          if (!many) throw err;
          return failedItem(t, err);
        }
      },
    );
  } finally {
    unregister();
    await Promise.all(
      [...opened.values()].map((s) =>
        s.then(
          (x) => x.target.close(),
          () => undefined,
        ),
      ),
    );
  }
  const problems = results.some(
    (r) => Boolean(r.notes?.length) || (r.hook !== undefined && r.hook.code !== 0) || r.action === 'failed',
  );
  return { command: 'rotate', exitCode: problems ? EXIT.failed : EXIT.ok, data: { results } };
}

/** With --all, one profile's failure is its own line in the results; the others go on. */
function failedItem(t: AppTarget, err: unknown): RotateItem {
  const reason =
    err instanceof CliError
      ? `${err.message}${err.detail.fix ? ` (fix: ${err.detail.fix})` : ''}`
      : `unexpected: ${err instanceof Error ? err.message : String(err)}`;
  return { profile: t.label, action: 'failed', reason };
}

/**
 * Every refusal about the certificate folder comes before the first change (a retired key, an added key, a
 * file moved): a folder or archive/ that is a symbolic link is refused here, not halfway through the switch.
 */
async function refuseUnsafeFolder(ctx: Context, r: RotateRun): Promise<void> {
  const dir = stablePaths(ctx, r).dir;
  const why = (await ctx.files.whyNotSafe(dir)) ?? (await ctx.files.whyNotWritable(dir));
  if (why)
    throw new CliError(EXIT.usage, `The certificate folder ${dir} cannot take the new files: ${why}.`, {
      why: 'Nothing was changed: no key was added and no file was moved.',
      fix: `Put a real, writable folder at ${dir} (move the files back from where the link points), or pass --out-dir.`,
    });
}

async function rotateOne(ctx: Context, t: AppTarget, svc: Svc, o: RotateOptions): Promise<RotateItem> {
  let current: Credential | undefined;
  try {
    current = await t.credential();
  } catch (err) {
    if (!(err instanceof CliError) || !o.admin) throw err;
    ctx.out.warn(`current certificate unusable (${err.message}); continuing with the admin path`);
  }
  const profile = t.profile ? await ctx.profiles.get(t.profile.name) : undefined;
  const cloud = svc.target.cloud;
  const r: Omit<RotateRun, 'keys'> & { keys?: RotateRun['keys'] } = {
    o,
    t,
    cloud,
    svc,
    ...(profile ? { profile } : {}),
    ...(current ? { current } : {}),
    appName: profile?.app.displayName ?? `exo-cba ${t.appId}`,
    archived: [],
    retired: [],
    notes: [],
    base: {
      profile: t.label,
      appId: t.appId,
      organization: t.organization ?? t.tenant,
      cloud: t.cloud,
      workload: nameOf(t.workload),
      ...(profile ? { rights: profile.rights } : {}),
    },
    save: async (patch: Partial<Profile>) => {
      if (!r.profile) return;
      r.profile = { ...r.profile, ...patch, updatedAt: ctx.clock.now().toISOString() };
      await ctx.profiles.save(r.profile);
    },
  };
  const objectId = profile?.app.objectId ?? o.objectId;
  r.objectId = objectId;
  r.keys = makeKeyOps(ctx, r, objectId);
  const run = r as RotateRun;
  if (o.dryRun)
    return {
      ...run.base,
      action: 'planned',
      reason: 'dry run',
      plan: await planSteps(ctx, ROTATE_STEPS, run),
    };
  await refuseUnsafeFolder(ctx, run);
  await runSteps(ctx, ROTATE_STEPS, run);
  if (run.done)
    return {
      ...run.done,
      ...(run.retired.length ? { retired: run.retired } : {}),
      ...(run.notes.length ? { notes: run.notes } : {}),
      ...(run.untracked ? { untracked: run.untracked } : {}),
    };
  const p = run.pending!;
  const old = run.profile?.previousCertificates?.find((x) => x.thumbprint === current?.thumbprint);
  return {
    ...run.base,
    action: 'rotated',
    reason: `verified in ${run.verifiedSeconds ?? 0} s`,
    thumbprint: p.cred.thumbprint,
    thumbprintSha256: p.cred.thumbprintSha256,
    notAfter: p.cred.notAfter.toISOString(),
    ...(current ? { oldThumbprint: current.thumbprint } : {}),
    oldKeyKept: Boolean(old),
    ...(old?.retireAfter ? { oldKeyRetires: old.retireAfter } : {}),
    ...(run.files ? { files: run.files } : {}),
    archived: run.archived,
    ...(run.retired.length ? { retired: run.retired } : {}),
    ...(run.notes.length ? { notes: run.notes } : {}),
    ...(run.untracked ? { untracked: run.untracked } : {}),
    ...(run.hook ? { hook: run.hook } : {}),
    ...(o.exportPfxBase64 ? { exportedPfxBase64: o.exportPfxBase64 } : {}),
  };
}
