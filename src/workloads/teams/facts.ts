import { GRAPH_APP_ID } from '../../tenant/entra.js';
import { ENTRA_ROLES, type RoleChoice } from '../../rights/roles.js';
import type { AppPermission } from '../workload.js';

/**
 * Microsoft Teams PowerShell (Connect-MicrosoftTeams) facts, from Microsoft's application-based
 * authentication article (https://learn.microsoft.com/microsoftteams/teams-powershell-application-authentication)
 * and, for the REST call a proof makes, public clients' code (monkey365 Test-TeamsConnection, CIPP-API
 * New-TeamsRequestV2.ps1).
 */

/** Skype and Teams Tenant Admin API: the module's second token is `scope=48ac35b8-…/.default`. */
export const TEAMS_API_APP_ID = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';

const R = ENTRA_ROLES;

/**
 * The roles Teams app-only accepts ("any of the supported built-in roles"), least privilege first: read-only,
 * then Cs and voice, then everything Teams. Skype for Business Administrator serves the Cs cmdlets (what
 * Microsoft365DSC asks for). Exchange- and compliance-only roles give a Teams session nothing.
 */
export const TEAMS_ROLES: RoleChoice = {
  accepted: [
    { ...R.globalReader, description: 'read-only everywhere: reports and audits of Teams settings' },
    {
      ...R.teamsCommunicationsAdministrator,
      description: 'calling, meetings and the *-Cs policies: voice and policy changes',
    },
    { ...R.skypeForBusinessAdministrator, description: 'the *-Cs cmdlets (the older name for that scope)' },
    { ...R.teamsAdministrator, description: 'everything Teams: the usual choice for Teams scripts' },
    { ...R.globalAdministrator, description: 'everything in the tenant; emergencies only' },
  ],
  defaultKey: R.teamsAdministrator.key,
  notServing: [
    R.exchangeAdministrator,
    R.exchangeRecipientAdministrator,
    R.helpdeskAdministrator,
    R.complianceAdministrator,
    R.securityAdministrator,
    R.securityReader,
  ],
};

/**
 * The Microsoft Graph application permissions the module's Graph token needs, by set (the article's
 * "Setup Application-based authentication", step 2): Organization.Read.All is all the *-Cs cmdlets need;
 * the team and channel cmdlets need the rest. Resolved to their ids by value in each tenant.
 */
export const PERMISSION_SETS = {
  cs: ['Organization.Read.All'],
  all: [
    'Organization.Read.All',
    'User.Read.All',
    'Group.ReadWrite.All',
    'AppCatalog.ReadWrite.All',
    'TeamSettings.ReadWrite.All',
    'Channel.Delete.All',
    'ChannelSettings.ReadWrite.All',
    'ChannelMember.ReadWrite.All',
  ],
} as const;

export type PermissionSet = keyof typeof PERMISSION_SETS;
const DEFAULT_PERMISSION_SET: PermissionSet = 'cs';

export function teamsPermissions(set: PermissionSet = DEFAULT_PERMISSION_SET): AppPermission[] {
  return PERMISSION_SETS[set].map((value) => ({
    resourceAppId: GRAPH_APP_ID,
    resourceName: 'Microsoft Graph',
    value,
  }));
}

/** What the Graph proof reads: GET /v1.0/organization needs Organization.Read.All app-only. */
export const GRAPH_PROOF_PERMISSION = 'Organization.Read.All';

/**
 * The cmdlets Microsoft documents as not supported with application-based authentication (the article's
 * "Cmdlets supported" section): no job should be built on them. The three CsOnlineApplicationInstance reads
 * and writes are unsupported in GCC High and DoD only.
 */
export const UNSUPPORTED_APP_ONLY: readonly { cmdlets: string; where?: string }[] = [
  { cmdlets: 'New-Team' },
  { cmdlets: 'Set-CsOnlineApplicationInstance' },
  { cmdlets: 'Get-, New- and Sync-CsOnlineApplicationInstance', where: 'GCC High and DoD' },
  { cmdlets: '*PolicyPackage*' },
  { cmdlets: '*-CsTeamsShiftsConnection*' },
  { cmdlets: '*-CsBatchTeamsDeployment*' },
  { cmdlets: 'Set-CsTeamsSettingsCustomApp' },
  { cmdlets: 'Get-MultiGeoRegion' },
  { cmdlets: 'Get-AllM365TeamsApps, Get-M365TeamsApp, Update-M365TeamsApp' },
  { cmdlets: 'Get-M365UnifiedCustomPendingApps, Update-M365UnifiedCustomPendingApp' },
  { cmdlets: 'Get-M365UnifiedTenantSettings, Update-M365UnifiedTenantSettings' },
];
