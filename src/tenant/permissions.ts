import type { Directory, GraphServicePrincipal, RequiredResourceAccess } from '../adapters/graph.js';
import { explainGraphError } from '../adapters/graph-errors.js';
import { failure } from '../core/errors.js';
import type { AppPermission } from '../workloads/workload.js';

/**
 * Application permissions as exo-cba declares, consents and checks them, whatever the workload. A permission
 * is named by its resource's appId and its app role's value; the role's id is read from the resource's
 * service principal (`appRoles`) in the tenant, because public GUID tables contradict each other.
 */
export interface ResolvedPermission extends AppPermission {
  /** The resource's service principal in this tenant (where the grant is made). */
  resource: GraphServicePrincipal;
  roleId: string;
}

export async function resolvePermission(dir: Directory, p: AppPermission): Promise<ResolvedPermission> {
  const resource = await dir.findServicePrincipal(p.resourceAppId).catch((err: unknown) => {
    throw explainGraphError(err, `look up the ${p.resourceName} service principal`);
  });
  if (!resource)
    throw failure(`This tenant has no ${p.resourceName} service principal (appId ${p.resourceAppId}).`, {
      why: `${p.value} can only be granted where ${p.resourceName} is provisioned.`,
      fix: 'Check that the tenant has the service (a licence that includes it), and that --cloud is right.',
    });
  const role = resource.appRoles?.find((r) => r.value === p.value);
  if (!role)
    throw failure(`${p.resourceName} in this tenant offers no application permission '${p.value}'.`, {
      why: `Its service principal lists ${(resource.appRoles ?? []).map((r) => r.value).join(', ') || 'no app roles'}.`,
      fix: 'Check --cloud (sovereign clouds name some resources differently), and report it if it persists.',
    });
  return { ...p, resource, roleId: role.id };
}

export function declares(rra: RequiredResourceAccess[], p: ResolvedPermission): boolean {
  return rra.some(
    (r) =>
      r.resourceAppId === p.resourceAppId &&
      r.resourceAccess.some((a) => a.id === p.roleId && a.type === 'Role'),
  );
}

/** Adds the permissions to what the app declares, keeping everything else. */
export function withDeclared(
  rra: RequiredResourceAccess[],
  ps: readonly ResolvedPermission[],
): RequiredResourceAccess[] {
  let out = rra;
  for (const p of ps) {
    if (declares(out, p)) continue;
    const access = { id: p.roleId, type: 'Role' as const };
    out = out.some((r) => r.resourceAppId === p.resourceAppId)
      ? out.map((r) =>
          r.resourceAppId === p.resourceAppId ? { ...r, resourceAccess: [...r.resourceAccess, access] } : r,
        )
      : [...out, { resourceAppId: p.resourceAppId, resourceAccess: [access] }];
  }
  return out;
}

export const permissionNames = (ps: readonly AppPermission[]): string => ps.map((p) => p.value).join(', ');
