import type { Context } from '../../context.js';
import type { CloudName } from '../../core/clouds.js';
import {
  GraphApiError,
  type Directory,
  type GraphApplication,
  type GraphServicePrincipal,
} from '../../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../../adapters/graph-errors.js';
import { failure, usageError, type CliError } from '../../core/errors.js';
import { judge, describeForeign, workloadOfApp, type Verdict } from '../../tenant/ownership.js';
import { resolvePermission, type ResolvedPermission } from '../../tenant/permissions.js';
import type { Rights, WorkloadAdmin } from '../../rights/index.js';
import { strategyFor, type Workload } from '../../workloads/index.js';
import type { Profile } from '../../profile/store.js';

/** Before anything changes: what exists already for this app, and whether exo-cba may touch it. */

type StepCtx = Pick<Context, 'clock' | 'out'>;

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explainGraphError(err, name);
  }
}

export interface Survey {
  app?: GraphApplication;
  sp?: GraphServicePrincipal;
  /** The workload's application permissions, resolved to their role ids in this tenant. */
  permissions: ResolvedPermission[];
  /** Each of them is granted (admin consent) already. */
  granted: boolean;
  /** The app already holds the chosen rights. */
  rightsHeld: boolean;
  /** How the app was shown to be ours (or that it is being adopted), and what is on it that exo-cba did not make. */
  verdict?: Verdict;
  adopting: boolean;
}

export interface SurveyInput {
  workload: Workload;
  appName: string;
  knownObjectId?: string;
  recent: boolean;
  rights: Rights;
  cloud: CloudName;
  deadline: number;
  /** Every profile here: which apps are provably ours, and which certificates are known. */
  profiles: Profile[];
  tenantId: string;
  /** --adopt-app: take over this app deliberately. */
  adoptAppId?: string;
  /** Thumbprints known besides the profiles' (a certificate brought with --cert-file). */
  knownThumbprints: string[];
  /** The admin's session with the workload, for rights held there (opened only when needed). */
  admin(): Promise<WorkloadAdmin>;
}

/** Read-only: what already exists for this app name (or the app the profile remembers, or the one being adopted). */
export async function survey(ctx: StepCtx, dir: Directory, input: SurveyInput): Promise<Survey> {
  const permissions = await Promise.all(
    input.workload.permissions(input.cloud).map((p) => resolvePermission(dir, p)),
  );
  let app: GraphApplication | undefined;
  let verdict: Verdict | undefined;
  let adopting = false;
  if (input.knownObjectId) {
    const id = input.knownObjectId;
    // A run that was cut short may have created the app seconds ago: give replication a moment to show it.
    app = await step('read the application', () =>
      input.recent
        ? untilReplicated(
            ctx,
            'read the application',
            async () => {
              const a = await dir.getApplication(id);
              if (!a)
                throw new GraphApiError(
                  404,
                  'Request_ResourceNotFound',
                  'not visible yet',
                  [],
                  undefined,
                  'read',
                );
              return a;
            },
            { deadline: Math.min(input.deadline, ctx.clock.now().getTime() + 30_000) },
          ).catch((err: unknown) => {
            if (err instanceof GraphApiError && err.status === 404) return undefined;
            throw err;
          })
        : dir.getApplication(id),
    );
  }
  if (!app && input.adoptAppId) {
    const adoptId = input.adoptAppId;
    app = await step('read the application to adopt', () => dir.getApplicationByAppId(adoptId));
    if (!app)
      throw usageError(
        `There is no app with appId ${adoptId} in this tenant.`,
        'Copy the Application (client) ID from Entra ID > App registrations, and check --tenant.',
      );
    const found = app;
    verdict = judge(
      found,
      await step('read the credentials and owners of the application', () => dir.getCredentials(found.id)),
      input.profiles,
      input.tenantId,
      input.knownThumbprints,
    );
    adopting = !verdict.ours;
  }
  if (!app) {
    // Graph matches display names without regard to case: every app it returns bears "the same" name.
    const found = await step('look up applications by name', () => dir.findApplicationsByName(input.appName));
    const judged = await Promise.all(
      found.map(async (a) => ({
        app: a,
        verdict: judge(
          a,
          await step('read the credentials and owners of the application', () => dir.getCredentials(a.id)),
          input.profiles,
          input.tenantId,
          input.knownThumbprints,
        ),
      })),
    );
    const ours = judged.filter((j) => j.verdict.ours);
    if (ours.length > 1) {
      throw failure(
        `There are ${ours.length} applications named '${input.appName}' that exo-cba could use ` +
          `(appIds ${ours.map((j) => j.app.appId).join(', ')}).`,
        {
          why: 'exo-cba will not guess which one to use.',
          fix: 'Pick another --app-name, or delete the extra registrations in Entra ID > App registrations.',
        },
      );
    }
    if (ours.length === 1) ({ app, verdict } = ours[0]!);
    else if (judged.length) throw await notOurs(dir, input.appName, judged);
  }
  if (!app) return { permissions, granted: false, rightsHeld: false, adopting };
  refuseOtherWorkload(app, input);
  const appId = app.appId;
  const sp = await step('look up the service principal', () => dir.findServicePrincipal(appId));
  if (!sp)
    return { app, permissions, granted: false, rightsHeld: false, adopting, ...(verdict ? { verdict } : {}) };
  const [grants, rightsHeld] = await Promise.all([
    step('list the app role grants', () => dir.listAppRoleAssignments(sp.id)),
    step('list the rights the app holds', () =>
      strategyFor(input.workload, input.rights).isHeld(
        { dir, sp: { id: sp.id, appId: sp.appId, displayName: sp.displayName }, admin: input.admin },
        input.rights,
      ),
    ),
  ]);
  return {
    app,
    sp,
    permissions,
    adopting,
    rightsHeld,
    ...(verdict ? { verdict } : {}),
    granted: permissions.every((p) =>
      grants.some((g) => g.resourceId === p.resource.id && g.appRoleId === p.roleId),
    ),
  };
}

/**
 * One app per workload: an app exo-cba made for another workload (its tag, or a profile that uses it) is never
 * reused or widened for this one.
 */
function refuseOtherWorkload(app: GraphApplication, input: SurveyInput): void {
  const byProfile = input.profiles.find(
    (p) => p.app.objectId === app.id && (p.workload ?? 'exchange') !== input.workload.name,
  );
  const other = byProfile ? (byProfile.workload ?? 'exchange') : workloadOfApp(app);
  if (other === undefined || other === input.workload.name) return;
  throw usageError(
    `The app '${app.displayName}' (appId ${app.appId}) is exo-cba's app for the ${other} workload` +
      `${byProfile ? ` (profile '${byProfile.name}')` : ''}, not for ${input.workload.name}.`,
    `Give this workload an app of its own: leave out --app-name (the default is '${input.workload.defaultAppName}'), ` +
      'or choose another name.',
    'Each workload gets its own app, so that each holds only what its jobs need; exo-cba never widens ' +
      "another workload's app.",
  );
}

/** The refusal for same-named apps that are not provably exo-cba's: who made them and who can sign in as them. */
async function notOurs(
  dir: Directory,
  appName: string,
  judged: { app: GraphApplication; verdict: Verdict }[],
): Promise<CliError> {
  const lines: string[] = [];
  for (const { app, verdict } of judged) {
    const creds = await dir.getCredentials(app.id).catch(() => undefined);
    const owners =
      creds?.owners.map((o) => o.userPrincipalName ?? o.displayName ?? o.id).join(', ') || 'none';
    lines.push(
      `'${app.displayName}' appId ${app.appId}, created ` +
        `${app.createdDateTime?.slice(0, 10) ?? 'on an unknown date'}, owners: ${owners}`,
    );
    lines.push(`    not exo-cba's: ${verdict.why}`);
    for (const f of verdict.foreign) lines.push(`    ${describeForeign(f)}`);
  }
  return usageError(
    `An app named '${appName}' already exists and exo-cba cannot prove it is its own:\n  ${lines.join('\n  ')}`,
    `Choose another --app-name, or take this app over deliberately with --adopt-app ` +
      `${judged[0]!.app.appId} (exo-cba then lists its credentials and grants and asks before granting anything).`,
    'Granting Exchange rights to an app someone else registered would hand those rights to whoever holds its keys.',
  );
}
