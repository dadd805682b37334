import { createHash } from 'node:crypto';
import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import {
  GraphApiError,
  type Directory,
  type GraphApplication,
  type NewApplication,
} from '../../../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../../../adapters/graph-errors.js';
import { backoff } from '../../../core/retry.js';
import { keyCredentialFor } from '../../../certificate/keys.js';
import { EXO_CBA_TAG, judge, workloadTag } from '../../../tenant/ownership.js';
import { declares, permissionNames, withDeclared } from '../../../tenant/permissions.js';
import { failure } from '../../../core/errors.js';
import type { InitRun } from '../run.js';

/**
 * The app registration: reused (declaring the workload's permission if it does not yet), or created with its
 * certificate as key in the same request (one write, and one replication, less).
 */

/**
 * The alternate key exo-cba gives the apps it creates. The hash of the exact display name keeps two apps
 * whose names differ only in case or punctuation from ever sharing a key (an upsert would merge them).
 */
export function uniqueNameFor(appName: string): string {
  const slug =
    appName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'app';
  return `exo-cba-${slug}-${createHash('sha256').update(appName).digest('hex').slice(0, 10)}`;
}

type Ctx = Pick<Context, 'clock' | 'out'>;

const visible = (ctx: Ctx, dir: Directory, uniqueName: string, deadline: number) =>
  untilReplicated(
    ctx,
    'read the application',
    async () => {
      const a = await dir.getApplicationByUniqueName(uniqueName);
      if (!a)
        throw new GraphApiError(404, 'Request_ResourceNotFound', 'not visible yet', [], undefined, 'read');
      return a;
    },
    { deadline },
  ).catch((e: unknown) => {
    throw explainGraphError(e, 'read the application');
  });

/**
 * Where the alternate key is not offered (Graph answers the uniqueName segment with 400 "Resource not found
 * for the segment …" in a cloud or tenant without it; see microsoft-facts §8), nothing that names uniqueName
 * is sent again: apps are found by $filter on exo-cba's tag and the display name, then judged by the
 * ownership rules, and the plain POST carries no uniqueName.
 */
async function findOwn(ctx: Ctx, s: InitRun, thumbprint: string): Promise<GraphApplication | undefined> {
  const dir = s.deps.dir;
  const look = async () => {
    const found = await dir.findTaggedApplications(EXO_CBA_TAG, s.answers.appName).catch((e: unknown) => {
      throw explainGraphError(e, 'look up the application by its tag and name');
    });
    const judged = await Promise.all(
      found.map(async (a) => ({
        app: a,
        verdict: judge(
          a,
          await dir.getCredentials(a.id).catch((e: unknown) => {
            throw explainGraphError(e, 'read the credentials and owners of the application');
          }),
          s.allProfiles,
          s.org.tenantId,
          [thumbprint],
        ),
      })),
    );
    const ours = judged.filter((j) => j.verdict.ours);
    if (ours.length > 1)
      throw failure(
        `There are ${ours.length} applications named '${s.answers.appName}' that exo-cba could use.`,
        {
          why: `appIds ${ours.map((j) => j.app.appId).join(', ')}; exo-cba will not guess which one to use.`,
          fix: 'Pick another --app-name, or delete the extra registrations in Entra ID > App registrations.',
        },
      );
    return ours[0]?.app;
  };
  // A run cut short after its POST may have made the app seconds ago: give replication a moment to show it.
  const resuming =
    s.existing?.state === 'incomplete' && s.existing.pendingCertificate?.thumbprint === thumbprint;
  if (!resuming) return look();
  const until = Math.min(s.deadline, ctx.clock.now().getTime() + RESUME_LOOK_MS);
  for (let attempt = 0; ; attempt++) {
    const app = await look();
    if (app || ctx.clock.now().getTime() >= until) return app;
    await ctx.clock.sleep(Math.min(backoff(attempt), 2000));
  }
}

const RESUME_LOOK_MS = 15_000;

/** The plain create, never re-sent blindly: before each try, look for the app (a lost answer may have made it). */
async function createPlainly(ctx: Ctx, s: InitRun, body: NewApplication, thumbprint: string) {
  for (let attempt = 0; ; attempt++) {
    const existing = await findOwn(ctx, s, thumbprint);
    if (existing) return { app: existing, created: false };
    try {
      return { app: await s.deps.dir.createApplication(body), created: true };
    } catch (err) {
      const retryable =
        err instanceof GraphApiError && (err.reason === 'throttled' || err.reason === 'transient');
      if (!retryable || attempt >= 4 || ctx.clock.now().getTime() > s.deadline)
        throw explainGraphError(err, 'create the application');
      const wait = err.extra.retryAfterMs ?? backoff(attempt);
      ctx.out.verbose(
        `POST /applications failed (${err.status}); looking for the app before trying again in ${wait} ms`,
      );
      await ctx.clock.sleep(wait);
    }
  }
}

/**
 * Creates the app idempotently. The upsert by uniqueName lets a run killed after the create reached Graph
 * find the same app next time; where it is refused, see findOwn.
 */
async function create(ctx: Ctx, s: InitRun): Promise<{ app: GraphApplication; created: boolean }> {
  const dir = s.deps.dir;
  const uniqueName = uniqueNameFor(s.answers.appName);
  const credential = s.credential;
  if (!credential) throw new Error('The certificate step has not run.');
  // The tag and the uniqueName mark the app as exo-cba's (see tenant/ownership.ts); neither alone is proof.
  const body = {
    displayName: s.answers.appName,
    signInAudience: 'AzureADMyOrg',
    requiredResourceAccess: withDeclared([], s.survey.permissions),
    keyCredentials: [keyCredentialFor(credential, s.answers.appName, s.keyId)],
    tags: [EXO_CBA_TAG, workloadTag(s.workload.name)],
  };
  try {
    const up = await dir.upsertApplication(uniqueName, body);
    return up.app
      ? { app: up.app, created: true }
      : { app: await visible(ctx, dir, uniqueName, s.deadline), created: false };
  } catch (err) {
    // Where the alternate key is not offered, create without it (and never name it again in this run).
    if (!(err instanceof GraphApiError) || ![400, 404, 405, 501].includes(err.status))
      throw explainGraphError(err, 'create the application');
    ctx.out.verbose(
      `upsert by uniqueName refused (${err.status} ${err.code}: ${err.message}); ` +
        'looking for the app by its tag and name before POST /applications',
    );
  }
  return createPlainly(ctx, s, body, credential.thumbprint);
}

const declaresAll = (app: GraphApplication, s: InitRun) =>
  s.survey.permissions.every((p) => declares(app.requiredResourceAccess, p));

export const application: Step<InitRun, Ctx> = {
  id: 'application',
  plan(_ctx, s) {
    const app = s.survey.app;
    const names = permissionNames(s.survey.permissions);
    if (!app)
      return (
        `create application '${s.answers.appName}' (single tenant, declaring ` +
        `${names}, with the certificate as its key): PATCH /applications(uniqueName=…) ` +
        `with Prefer: create-if-missing`
      );
    if (declaresAll(app, s)) return `reuse application '${app.displayName}' (appId ${app.appId})`;
    return (
      `reuse application '${app.displayName}' (appId ${app.appId}) and declare ` +
      `${names} on it: PATCH /applications/{id}`
    );
  },
  async run(ctx, s) {
    const found = s.survey.app;
    if (found) {
      if (declaresAll(found, s)) {
        s.app = found;
        s.outcomes['application'] = 'reused';
      } else {
        const rra = withDeclared(found.requiredResourceAccess, s.survey.permissions);
        await s.deps.dir.updateApplication(found.id, { requiredResourceAccess: rra }).catch((e: unknown) => {
          throw explainGraphError(e, `declare ${permissionNames(s.survey.permissions)} on the application`);
        });
        s.app = { ...found, requiredResourceAccess: rra };
        s.outcomes['application'] = 'updated';
      }
    } else {
      const { app, created } = await create(ctx, s);
      s.app = app;
      s.outcomes['application'] = created ? 'created' : 'reused';
    }
    // Written the moment the app is known, so a run killed now resumes with this app instead of making another.
    await s.journal({
      state: 'incomplete',
      app: { displayName: s.app.displayName, objectId: s.app.id, appId: s.app.appId },
    });
    s.report(`Application '${s.app.displayName}'`, s.outcomes['application'], ` (appId ${s.app.appId})`);
  },
};
