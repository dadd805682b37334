import { randomUUID } from 'node:crypto';
import type { AppRole, DirectoryData, ServicePrincipal } from './directory.js';
import {
  COMPLIANCE_RESOURCE,
  EXO_APP_ID,
  GRAPH_APP_ID,
  GRAPH_SITES_ROLE,
  SPO_APP_ID,
  SPO_ROLE,
  TEAMS_ADMIN_API_APP_ID,
  TEAMS_GRAPH_PERMISSIONS,
} from './microsoft-ids.js';

/**
 * The first-party service principals, app roles and SharePoint sites the Security & Compliance, SharePoint and
 * Teams stand-ins need, added to a directory that lacks them (a new one, or a state file written before them).
 * Idempotent: running it twice changes nothing.
 */

const appRole = (id: string, value: string, displayName: string): AppRole => ({
  id,
  value,
  displayName,
  allowedMemberTypes: ['Application'],
  isEnabled: true,
});

/** The tenant's SharePoint host: "<name>.sharepoint.com" from the initial "<name>.onmicrosoft.com" domain. */
export function sharePointHostOf(data: Pick<DirectoryData, 'tenant'>): string {
  return `${data.tenant.initialDomain.split('.')[0] ?? 'contoso'}.sharepoint.com`;
}

function firstParty(appId: string, displayName: string, names: string[], roles: AppRole[]): ServicePrincipal {
  return {
    id: randomUUID(),
    appId,
    displayName,
    appRoles: roles,
    servicePrincipalNames: [appId, ...names],
    publicClient: false,
    accountEnabled: true,
    visibleAt: 0,
  };
}

function addRoles(sp: ServicePrincipal, roles: AppRole[]): void {
  for (const r of roles) if (!sp.appRoles.some((x) => x.value === r.value)) sp.appRoles.push(r);
}

export function seedWorkloads(data: DirectoryData): DirectoryData {
  const sps = data.servicePrincipals;
  // S&C's resource belongs to Office 365 Exchange Online (the same app role, Exchange.ManageAsApp).
  const exo = sps.find((s) => s.appId === EXO_APP_ID);
  if (exo && !exo.servicePrincipalNames.includes(COMPLIANCE_RESOURCE))
    exo.servicePrincipalNames.push(COMPLIANCE_RESOURCE);
  if (!sps.some((s) => s.appId === SPO_APP_ID))
    sps.push(
      firstParty(
        SPO_APP_ID,
        'Office 365 SharePoint Online',
        [`https://${sharePointHostOf(data)}`],
        [
          appRole(
            SPO_ROLE['Sites.FullControl.All'],
            'Sites.FullControl.All',
            'Have full control of all site collections',
          ),
          appRole(SPO_ROLE['Sites.Read.All'], 'Sites.Read.All', 'Read items in all site collections'),
          appRole(SPO_ROLE['Sites.Selected'], 'Sites.Selected', 'Access selected site collections'),
        ],
      ),
    );
  if (!sps.some((s) => s.appId === TEAMS_ADMIN_API_APP_ID))
    sps.push(
      firstParty(
        TEAMS_ADMIN_API_APP_ID,
        'Skype and Teams Tenant Admin API',
        ['https://api.interfaces.records.teams.microsoft.com'],
        [],
      ),
    );
  const graph = sps.find((s) => s.appId === GRAPH_APP_ID);
  if (graph) {
    addRoles(
      graph,
      TEAMS_GRAPH_PERMISSIONS.map((p) => appRole(p.ownId, p.value, p.displayName)),
    );
    addRoles(graph, [
      appRole(GRAPH_SITES_ROLE['Sites.Selected'], 'Sites.Selected', 'Access selected site collections'),
      appRole(
        GRAPH_SITES_ROLE['Sites.FullControl.All'],
        'Sites.FullControl.All',
        'Have full control of all site collections',
      ),
    ]);
  }
  seedSites(data);
  return data;
}

function seedSites(data: DirectoryData): void {
  if (data.sites) return;
  const host = sharePointHostOf(data);
  const site = (path: string, displayName: string) => ({
    id: `${host},${randomUUID()},${randomUUID()}`,
    path,
    displayName,
    createdDateTime: '2024-01-15T09:00:00Z',
  });
  data.sites = [site('', 'Communication site'), site('/sites/hr', 'HR'), site('/sites/finance', 'Finance')];
  data.sitePermissions ??= [];
}
