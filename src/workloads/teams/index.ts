import { directoryRole } from '../../rights/directory-role.js';
import type { Workload } from '../workload.js';
import { teamsTenant } from './checks.js';
import { TEAMS_ENDPOINT_ENV, teamsEndpoint } from './endpoints.js';
import { TEAMS_ROLES, teamsPermissions } from './facts.js';
import { teamsConnect } from './powershell.js';
import { verifyTeams } from './verify.js';

/**
 * Microsoft Teams PowerShell (Connect-MicrosoftTeams): an app of its own, with Microsoft Graph application
 * permissions and a directory role Teams accepts. The module signs in twice (a Graph token and a Skype and
 * Teams Tenant Admin API token), and so does the proof.
 *
 * - facts.ts       the roles it accepts (and those it does not), its Graph permission sets, the cmdlets
 *                  Microsoft documents as unsupported app-only
 * - endpoints.ts   its token resource, tenant admin API host and module versions per cloud
 * - api.ts         the two read-only calls, and how their answers are read
 * - verify.ts      the proof of a connection, with its diagnoses
 * - checks.ts      its `check` check
 * - powershell.ts  the PowerShell lines exo-cba prints
 */
export const teams: Workload = {
  name: 'teams',
  service: 'Microsoft Teams',
  purpose: 'Microsoft Teams PowerShell (Connect-MicrosoftTeams): policies, voice, phone numbers, teams',
  defaultAppName: 'Teams Background Process',
  profileName: (domain) => `${domain}-teams`,
  permissions: () => teamsPermissions(),
  roles: TEAMS_ROLES,
  strategies: [directoryRole],
  endpoint: teamsEndpoint,
  endpointEnv: [TEAMS_ENDPOINT_ENV],
  verifyCall: () => 'Teams.Tenant/tenants with the Teams token, and GET /organization with the Graph token',
  verify: verifyTeams,
  checks: [teamsTenant],
  connect: teamsConnect,
};
