import { createHash } from 'node:crypto';
import type { Context } from '../../core/context.js';
import type { Directory, GraphApplication, GraphServicePrincipal, NewKeyCredential, RequiredResourceAccess } from '../../adapters/graph.js';
import { GraphApiError } from '../../adapters/graph.js';
import { untilReplicated } from '../../core/retry.js';
import { EXCHANGE_APP_ID, EXCHANGE_MANAGE_AS_APP_ROLE_ID, type DirectoryRole } from '../../workloads/exchange/facts.js';
import { failure, usageError, type CliError } from '../../core/errors.js';
import { judge, describeForeign, EXO_CBA_TAG, type Verdict } from '../../tenant/ownership.js';
import type { Profile } from '../../profile/store.js';
import { explainGraphError } from '../../adapters/graph-errors.js';
import { keepKey, keyCredentialFor, thumbprintOfKey } from '../../certificate/keys.js';
import type { Credential } from '../../certificate/x509.js';

/** The Graph side of init: each step finds what exists and creates only what is missing. */

export type StepCtx = Pick<Context, 'clock' | 'out'>;
export type Outcome = 'created' | 'reused' | 'updated';

export const EXO_RRA: RequiredResourceAccess = { resourceAppId: EXCHANGE_APP_ID, resourceAccess: [{ id: EXCHANGE_MANAGE_AS_APP_ROLE_ID, type: 'Role' }] };

export function hasManageAsApp(rra: RequiredResourceAccess[]): boolean {
  return rra.some((r) => r.resourceAppId === EXCHANGE_APP_ID && r.resourceAccess.some((a) => a.id === EXCHANGE_MANAGE_AS_APP_ROLE_ID && a.type === 'Role'));
}

export function withManageAsApp(rra: RequiredResourceAccess[]): RequiredResourceAccess[] {
  if (hasManageAsApp(rra)) return rra;
  const exo = rra.find((r) => r.resourceAppId === EXCHANGE_APP_ID);
  if (exo) return rra.map((r) => (r === exo ? { ...r, resourceAccess: [...r.resourceAccess, EXO_RRA.resourceAccess[0]!] } : r));
  return [...rra, EXO_RRA];
}

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
  exoSp: GraphServicePrincipal;
  granted: boolean;
  roleAssigned: boolean;
  /** How the app was shown to be ours (or that it is being adopted), and what is on it that exo-cba did not make. */
  verdict?: Verdict;
  adopting: boolean;
}

export interface SurveyInput {
  appName: string;
  knownObjectId?: string;
  recent: boolean;
  role: DirectoryRole;
  deadline: number;
  /** Every profile here: which apps are provably ours, and which certificates are known. */
  profiles: Profile[];
  tenantId: string;
  /** --adopt-app: take over this app deliberately. */
  adoptAppId?: string;
  /** Thumbprints known besides the profiles' (a certificate brought with --cert-file). */
  knownThumbprints: string[];
}

/** Read-only: what already exists for this app name (or the app the profile remembers, or the one being adopted). */
export async function survey(ctx: StepCtx, dir: Directory, input: SurveyInput): Promise<Survey> {
  const exoSp = await step('look up the Exchange Online service principal', () => dir.findServicePrincipal(EXCHANGE_APP_ID));
  if (!exoSp) {
    throw failure('This tenant has no Office 365 Exchange Online service principal.', { why: 'Exchange.ManageAsApp can only be granted where Exchange Online is provisioned.', fix: 'Check that the tenant has an Exchange Online licence, and that --cloud is right.' });
  }
  let app: GraphApplication | undefined;
  let verdict: Verdict | undefined;
  let adopting = false;
  if (input.knownObjectId) {
    const id = input.knownObjectId;
    // A run that was cut short may have created the app seconds ago: give replication a moment to show it.
    app = await step('read the application', () =>
      input.recent
        ? untilReplicated(ctx, 'read the application', async () => {
            const a = await dir.getApplication(id);
            if (!a) throw new GraphApiError(404, 'Request_ResourceNotFound', 'not visible yet', [], undefined, 'read');
            return a;
          }, { deadline: Math.min(input.deadline, ctx.clock.now().getTime() + 30_000) }).catch((err: unknown) => {
            if (err instanceof GraphApiError && err.status === 404) return undefined;
            throw err;
          })
        : dir.getApplication(id),
    );
  }
  if (!app && input.adoptAppId) {
    const adoptId = input.adoptAppId;
    app = await step('read the application to adopt', () => dir.getApplicationByAppId(adoptId));
    if (!app) throw usageError(`There is no app with appId ${adoptId} in this tenant.`, 'Copy the Application (client) ID from Entra ID > App registrations, and check --tenant.');
    const found = app;
    verdict = judge(found, await step('read the credentials and owners of the application', () => dir.getCredentials(found.id)), input.profiles, input.tenantId, input.knownThumbprints);
    adopting = !verdict.ours;
  }
  if (!app) {
    // Graph matches display names without regard to case: every app it returns bears "the same" name.
    const found = await step('look up applications by name', () => dir.findApplicationsByName(input.appName));
    const judged = await Promise.all(found.map(async (a) => ({ app: a, verdict: judge(a, await step('read the credentials and owners of the application', () => dir.getCredentials(a.id)), input.profiles, input.tenantId, input.knownThumbprints) })));
    const ours = judged.filter((j) => j.verdict.ours);
    if (ours.length > 1) {
      throw failure(`There are ${ours.length} applications named '${input.appName}' that exo-cba could use (appIds ${ours.map((j) => j.app.appId).join(', ')}).`, {
        why: 'exo-cba will not guess which one to use.',
        fix: 'Pick another --app-name, or delete the extra registrations in Entra ID > App registrations.',
      });
    }
    if (ours.length === 1) ({ app, verdict } = ours[0]!);
    else if (judged.length) throw await notOurs(dir, input.appName, judged);
  }
  if (!app) return { exoSp, granted: false, roleAssigned: false, adopting };
  const appId = app.appId;
  const sp = await step('look up the service principal', () => dir.findServicePrincipal(appId));
  if (!sp) return { app, exoSp, granted: false, roleAssigned: false, adopting, ...(verdict ? { verdict } : {}) };
  const grants = await step('list the app role grants', () => dir.listAppRoleAssignments(sp.id));
  const roles = await step('list directory role assignments', () => dir.listRoleAssignments(sp.id));
  return {
    app, sp, exoSp, adopting, ...(verdict ? { verdict } : {}),
    granted: grants.some((g) => g.resourceId === exoSp.id && g.appRoleId === EXCHANGE_MANAGE_AS_APP_ROLE_ID),
    roleAssigned: roles.some((r) => r.roleDefinitionId === input.role.templateId && r.directoryScopeId === '/'),
  };
}

/** The refusal for same-named apps that are not provably exo-cba's: who made them and who can sign in as them. */
async function notOurs(dir: Directory, appName: string, judged: { app: GraphApplication; verdict: Verdict }[]): Promise<CliError> {
  const lines: string[] = [];
  for (const { app, verdict } of judged) {
    const creds = await dir.getCredentials(app.id).catch(() => undefined);
    const owners = creds?.owners.map((o) => o.userPrincipalName ?? o.displayName ?? o.id).join(', ') || 'none';
    lines.push(`'${app.displayName}' appId ${app.appId}, created ${app.createdDateTime?.slice(0, 10) ?? 'on an unknown date'}, owners: ${owners}`);
    lines.push(`    not exo-cba's: ${verdict.why}`);
    for (const f of verdict.foreign) lines.push(`    ${describeForeign(f)}`);
  }
  return usageError(
    `An app named '${appName}' already exists and exo-cba cannot prove it is its own:\n  ${lines.join('\n  ')}`,
    `Choose another --app-name, or take this app over deliberately with --adopt-app ${judged[0]!.app.appId} (exo-cba then lists its credentials and grants and asks before granting anything).`,
    'Granting Exchange rights to an app someone else registered would hand those rights to whoever holds its keys.',
  );
}

export async function ensureApplication(ctx: StepCtx, dir: Directory, s: Survey, appName: string, deadline: number, key: NewKeyCredential, onCreated: (app: GraphApplication) => Promise<void>): Promise<{ app: GraphApplication; outcome: Outcome }> {
  if (s.app) {
    if (hasManageAsApp(s.app.requiredResourceAccess)) return { app: s.app, outcome: 'reused' };
    const app = s.app;
    const rra = withManageAsApp(app.requiredResourceAccess);
    await step('declare Exchange.ManageAsApp on the application', () => dir.updateApplication(app.id, { requiredResourceAccess: rra }));
    return { app: { ...app, requiredResourceAccess: rra }, outcome: 'updated' };
  }
  const uniqueName = uniqueNameFor(appName);
  // The tag and the uniqueName mark the app as exo-cba's (see ownership.ts); neither alone is proof.
  const body = { displayName: appName, signInAudience: 'AzureADMyOrg', requiredResourceAccess: [EXO_RRA], keyCredentials: [key], tags: [EXO_CBA_TAG] };
  // Upsert by a stable alternate key: a run killed after the create reached Graph, but before its answer
  // did, finds the same app on the next run instead of making a second one.
  let up: { created: boolean; app?: GraphApplication };
  try {
    up = await dir.upsertApplication(uniqueName, body);
  } catch (err) {
    // Where the upsert is not offered (Graph's docs disagree on some national clouds), create plainly.
    if (!(err instanceof GraphApiError) || ![400, 404, 405, 501].includes(err.status)) throw explainGraphError(err, 'create the application');
    ctx.out.verbose(`upsert by uniqueName refused (${err.status} ${err.code}); creating with POST /applications`);
    up = { created: true, app: await step('create the application', () => dir.createApplication({ ...body, uniqueName })) };
  }
  if (up.app) {
    await onCreated(up.app);
    return { app: up.app, outcome: 'created' };
  }
  const app = await untilReplicated(ctx, 'read the application', async () => {
    const a = await dir.getApplicationByUniqueName(uniqueName);
    if (!a) throw new GraphApiError(404, 'Request_ResourceNotFound', 'not visible yet', [], undefined, 'read');
    return a;
  }, { deadline }).catch((e: unknown) => {
    throw explainGraphError(e, 'read the application');
  });
  await onCreated(app);
  return { app, outcome: 'reused' };
}

/**
 * The alternate key exo-cba gives the apps it creates. The hash of the exact display name keeps two apps
 * whose names differ only in case or punctuation from ever sharing a key (an upsert would merge them).
 */
export function uniqueNameFor(appName: string): string {
  const slug = appName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'app';
  return `exo-cba-${slug}-${createHash('sha256').update(appName).digest('hex').slice(0, 10)}`;
}

export async function ensureServicePrincipal(ctx: StepCtx, dir: Directory, s: Survey, app: GraphApplication, deadline: number): Promise<{ sp: GraphServicePrincipal; outcome: Outcome }> {
  if (s.sp) return { sp: s.sp, outcome: 'reused' };
  try {
    const sp = await untilReplicated(ctx, 'create the service principal', () => dir.createServicePrincipal(app.appId), { deadline });
    return { sp, outcome: 'created' };
  } catch (err) {
    // 409: it exists (an earlier run made it, and the survey's read has not seen it yet).
    if (err instanceof GraphApiError && err.status === 409) {
      const sp = await untilReplicated(ctx, 'read the service principal', async () => {
        const found = await dir.findServicePrincipal(app.appId);
        if (!found) throw new GraphApiError(404, 'Request_ResourceNotFound', 'not visible yet', [], undefined, 'read');
        return found;
      }, { deadline });
      return { sp, outcome: 'reused' };
    }
    throw explainGraphError(err, 'create the service principal');
  }
}

const isDuplicate = (err: unknown) => err instanceof GraphApiError && (err.status === 409 || (err.status === 400 && /already exists|conflicting object/i.test(err.message)));

export async function ensureGrant(ctx: StepCtx, dir: Directory, s: Survey, sp: GraphServicePrincipal, deadline: number): Promise<Outcome> {
  if (s.granted) return 'reused';
  try {
    await untilReplicated(ctx, 'grant Exchange.ManageAsApp', () => dir.grantAppRole(s.exoSp.id, sp.id, EXCHANGE_MANAGE_AS_APP_ROLE_ID), { deadline });
    return 'created';
  } catch (err) {
    if (isDuplicate(err)) return 'reused';
    throw explainGraphError(err, 'grant Exchange.ManageAsApp (admin consent)');
  }
}

export async function ensureRole(ctx: StepCtx, dir: Directory, s: Survey, sp: GraphServicePrincipal, role: DirectoryRole, deadline: number): Promise<Outcome> {
  if (s.roleAssigned) return 'reused';
  try {
    await untilReplicated(ctx, 'assign the directory role', () => dir.assignDirectoryRole(sp.id, role.templateId), { deadline });
    return 'created';
  } catch (err) {
    if (isDuplicate(err)) return 'reused';
    throw explainGraphError(err, `assign the ${role.name} role`);
  }
}

/** PATCH replaces keyCredentials whole, so send every existing key (with its value) plus the new one. */
export async function ensureKeyUploaded(ctx: StepCtx, dir: Directory, app: GraphApplication, cred: Credential, appName: string, deadline: number): Promise<{ keyId: string; outcome: Outcome }> {
  const keys = await untilReplicated(ctx, 'read the application keys', () => dir.getKeyCredentials(app.id), { deadline }).catch((e: unknown) => {
    throw explainGraphError(e, 'read the application keys');
  });
  const mine = keys.find((k) => thumbprintOfKey(k) === cred.thumbprint || k.key === cred.der.toString('base64'));
  if (mine) return { keyId: mine.keyId, outcome: 'reused' };
  const unreadable = keys.filter((k) => !k.key);
  if (unreadable.length > 0) {
    throw failure('Graph did not return the values of the keys already on the app, so adding one would delete them.', { fix: 'Add the certificate in the portal (Certificates & secrets > Upload), or report this.' });
  }
  await step('upload the certificate (PATCH keyCredentials)', () => dir.updateApplication(app.id, { keyCredentials: [...keys.map(keepKey), keyCredentialFor(cred, appName)] }));
  const after = await untilReplicated(ctx, 'read back the new key', async () => {
    const ks = await dir.getKeyCredentials(app.id);
    const k = ks.find((x) => thumbprintOfKey(x) === cred.thumbprint || x.key === cred.der.toString('base64'));
    if (!k) throw new GraphApiError(404, 'Request_ResourceNotFound', 'key not visible yet', [], undefined, 'read');
    return k;
  }, { deadline }).catch((e: unknown) => {
    throw explainGraphError(e, 'read back the new key');
  });
  return { keyId: after.keyId, outcome: 'created' };
}
