import { AuthError } from '../../../adapters/identity.js';
import { GRAPH_APP_ID } from '../../../tenant/entra.js';
import { diagnoseAuthError } from '../../../tenant/diagnose.js';
import { permissionNames } from '../../../tenant/permissions.js';
import type { AppPermission } from '../../../workloads/index.js';
import { graphTokenOf, skip, type Check, type CheckRun } from './types.js';

const rolesOf = (claims: Record<string, unknown>) =>
  Array.isArray(claims['roles']) ? (claims['roles'] as string[]) : [];

/**
 * The roles of the token a permission shows up in: the workload's own token, or, for a Microsoft Graph
 * permission of a workload whose resource is not Graph (Teams: the module's second token), a Graph token from
 * the same certificate.
 */
async function rolesFor(
  r: CheckRun,
  token: { claims: Record<string, unknown> },
  wanted: readonly AppPermission[],
): Promise<Map<AppPermission, string[]>> {
  const cloud = r.svc.target.cloud;
  const own = rolesOf(token.claims);
  const onGraph = (p: AppPermission) =>
    p.resourceAppId === GRAPH_APP_ID &&
    r.t.workload.endpoint(cloud.name, r.svc.target.env).resource !== cloud.graphResource;
  const graph = wanted.some(onGraph) && r.cred ? rolesOf((await graphTokenOf(r, r.cred)).claims) : undefined;
  return new Map(wanted.map((p) => [p, onGraph(p) ? (graph ?? []) : own]));
}

/** The tokens carry the workload's application permissions: admin consent is in place. */
export const consent: Check = {
  id: 'consent',
  async run(_ctx, r) {
    if (!r.token) return skip('no token');
    const wanted = r.t.workload.permissions(r.svc.target.cloud.name);
    let roles: Map<AppPermission, string[]>;
    try {
      roles = await rolesFor(r, r.token, wanted);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const d = diagnoseAuthError(err, { appId: r.t.appId, tenant: r.t.tenant, service: 'Microsoft Graph' });
      return {
        status: 'fail',
        message: `no Microsoft Graph token to read the consent from: ${d.what}`,
        fix: d.fix,
      };
    }
    const missing = wanted.filter((p) => !roles.get(p)?.includes(p.value));
    if (!missing.length) return { status: 'pass', message: `token carries ${permissionNames(wanted)}` };
    return {
      status: 'fail',
      message: `token has no ${permissionNames(missing)} role: admin consent is missing`,
      fix:
        `Re-run 'exo-cba init${r.t.profile ? ` --profile ${r.t.profile.name}` : ''}', or in the ` +
        `portal: App registrations > API permissions > Grant admin consent.`,
    };
  },
};
