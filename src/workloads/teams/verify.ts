import type { Context } from '../../context.js';
import { knownRoleName } from '../../rights/roles.js';
import type { Rights } from '../../rights/types.js';
import type { Diagnosis } from '../../tenant/diagnose.js';
import { prove, type CallRefused, type Proof } from '../prove.js';
import type { VerifyInput, VerifyOutcome, WorkloadDeps } from '../workload.js';
import { makeTeamsApi, type CallAnswer, type TeamsApi } from './api.js';
import { teamsApiOrigin } from './endpoints.js';
import { GRAPH_PROOF_PERMISSION, TEAMS_API_APP_ID, TEAMS_ROLES, teamsPermissions } from './facts.js';

const SERVICE = 'Teams';
const roleNames = () => TEAMS_ROLES.accepted.map((r) => r.name).join(', ');

/** The Teams roles the token's `wids` carry: what the session's RBAC is built from. */
export function teamsRolesIn(claims: Record<string, unknown>, rights?: Rights): string[] {
  const wids = Array.isArray(claims['wids']) ? (claims['wids'] as string[]) : [];
  const ids = new Set(TEAMS_ROLES.accepted.map((r) => r.templateId));
  if (rights?.kind === 'directory-role') ids.add(rights.templateId);
  return wids.filter((w) => ids.has(w)).map((w) => knownRoleName(w) ?? w);
}

const assignFix = (rights?: Rights) =>
  `Assign ${rights?.kind === 'directory-role' ? rights.name : 'one of: ' + roleNames()} to the app ` +
  '(re-run exo-cba init --workload teams, or Entra ID > Roles and administrators); a new assignment ' +
  'takes a few minutes to reach the token and Teams.';

/**
 * Teams builds the session's RBAC from the directory roles in the token (`wids`): without one it accepts, the
 * tenant admin API refuses every call, so the token says so first. A role just assigned takes minutes to
 * appear in new tokens: init waits for it; check reports it.
 */
export function roleInToken(claims: Record<string, unknown>, rights?: Rights): Diagnosis | undefined {
  if (teamsRolesIn(claims, rights).length) return undefined;
  const should = rights?.kind === 'directory-role' ? ` (it should hold ${rights.name})` : '';
  return {
    what:
      'The Teams token carries no directory role Teams accepts: the app holds none, or a new ' +
      `assignment has not reached the token yet${should}.`,
    fix: assignFix(rights),
    replicating: true,
  };
}

/** A refusal either service answers alike: busy (retried within --wait), or a shape not known here. */
function otherRefusal(a: Exclude<CallAnswer, { ok: true }>, service: string): Diagnosis {
  if (a.kind === 'throttled' || a.kind === 'unavailable')
    return {
      what: `${service} is busy (HTTP ${a.status}).`,
      fix: 'Try again in a few minutes.',
      replicating: true,
    };
  return {
    what: a.message,
    fix: 'Run again with --verbose and report it if it persists.',
    replicating: false,
  };
}

/** What a refusal of the tenant admin API means. */
export function diagnoseTenants(
  a: Exclude<CallAnswer, { ok: true }>,
  held: string[],
  rights?: Rights,
): Diagnosis {
  switch (a.kind) {
    case 'forbidden':
      return {
        what:
          `Teams refused the app (HTTP ${a.status}: ${a.message}) although the token carries ` +
          `${held.join(', ') || 'a role'}: the role has not reached Teams yet, or Teams does not take it.`,
        fix: assignFix(rights),
        replicating: true,
      };
    case 'refused':
      return {
        what: `Teams refused the token (HTTP ${a.status}: ${a.message}).`,
        fix: `Check that the token is for the ${TEAMS_API_APP_ID} resource and this tenant; run again with --verbose.`,
        replicating: false,
      };
    default:
      return otherRefusal(a, SERVICE);
  }
}

/** What a refusal of Graph's organization read means. */
function diagnoseOrganization(a: Exclude<CallAnswer, { ok: true }>): Diagnosis {
  switch (a.kind) {
    case 'forbidden':
      return {
        what:
          `Graph refused GET /organization (HTTP ${a.status} ${a.message}): the app's ` +
          `${GRAPH_PROOF_PERMISSION} consent has not reached Graph yet.`,
        fix: `Grant admin consent for ${GRAPH_PROOF_PERMISSION} (re-run exo-cba init --workload teams).`,
        replicating: true,
      };
    case 'no-identity':
      return {
        what: `Graph knows no service principal for the app (HTTP ${a.status} Authorization_IdentityNotFound).`,
        fix: 'Re-run exo-cba init --workload teams: it makes the service principal again.',
        replicating: true,
      };
    default:
      return otherRefusal(a, 'Graph');
  }
}

const refusal = (a: Exclude<CallAnswer, { ok: true }>, diagnosis: Diagnosis): CallRefused => ({
  ok: false,
  diagnosis,
  ...(a.retryAfterMs !== undefined ? { retryAfterMs: a.retryAfterMs } : {}),
});

/** The Teams token: a Teams role in `wids`, then the tenant admin API reads the tenant. */
function teamsProof(api: TeamsApi | undefined, input: VerifyInput, cloud: string): Proof {
  let held: string[] = [];
  return {
    service: SERVICE,
    resource: TEAMS_API_APP_ID,
    permissions: [],
    claims: (c) => {
      held = teamsRolesIn(c, input.rights);
      return roleInToken(c, input.rights);
    },
    calling: api ? 'Reading the tenant from the Teams tenant admin API' : 'Reading the Teams token',
    waitingForService: 'Waiting for the role to reach Teams (2–5 minutes are usual)',
    call: async (accessToken) => {
      if (!api)
        return {
          ok: true,
          said:
            `the Teams token carries ${held.join(', ')} (the tenant admin API was not called: no source ` +
            `names its host in the ${cloud} cloud; EXO_CBA_TEAMS_ENDPOINT names it)`,
        };
      const a = await api.tenants(accessToken, input.tenantId);
      return a.ok
        ? { ok: true, said: `Teams accepted the app with ${held.join(', ')} and read the tenant` }
        : refusal(a, diagnoseTenants(a, held, input.rights));
    },
  };
}

/** The Graph token: the chosen permissions in `roles`, then Graph reads the organization. */
function graphProof(api: TeamsApi, input: VerifyInput, resource: string, permissions: string[]): Proof {
  return {
    service: 'Microsoft Graph',
    resource,
    permissions,
    calling: 'Reading the organization from Microsoft Graph',
    waitingForService: 'Waiting for the consent to reach Graph',
    call: async (accessToken) => {
      const a = await api.organization(accessToken, input.tenantId);
      return a.ok
        ? {
            ok: true,
            said: `Graph accepted the app with ${permissions.join(', ')} and read the organization`,
          }
        : refusal(a, diagnoseOrganization(a));
    },
  };
}

/**
 * Teams PowerShell signs in twice, and so does the proof: a token for the Skype and Teams Tenant Admin API
 * with a Teams role in `wids` and the tenant admin API's answer, then a Graph token with the chosen
 * permissions in `roles` and Graph's answer. Both share the one --wait.
 */
export async function verifyTeams(
  ctx: Pick<Context, 'clock' | 'out'>,
  deps: WorkloadDeps,
  input: VerifyInput,
): Promise<VerifyOutcome> {
  const origin = teamsApiOrigin(deps.cloud.name, deps.env);
  const api = makeTeamsApi({ teams: origin ?? '', graph: deps.cloud.graphEndpoint }, deps.http);
  const started = ctx.clock.now().getTime();
  const teams = await prove(ctx, deps, input, teamsProof(origin ? api : undefined, input, deps.cloud.name));
  if (!teams.verified) return teams;
  const left = Math.max(0, input.waitMs - (ctx.clock.now().getTime() - started));
  const permissions = teamsPermissions().map((p) => p.value);
  // The first proof's progress line has ended: the second shows its own.
  const { progress: _ended, ...rest } = input;
  const graph = await prove(
    ctx,
    deps,
    { ...rest, waitMs: left },
    graphProof(api, input, deps.cloud.graphResource, permissions),
  );
  const seconds = teams.seconds + graph.seconds;
  return graph.verified ? { verified: true, seconds, roles: graph.roles } : { ...graph, seconds };
}
