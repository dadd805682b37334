import { directoryRole } from '../../rights/directory-role.js';
import type { Workload } from '../workload.js';
import { COMPLIANCE_ENDPOINT_ENV, COMPLIANCE_REGION_ENDPOINT_ENV, complianceEndpoint } from './endpoints.js';
import { COMPLIANCE_ROLES, VERIFY_CMDLET, compliancePermissions } from './facts.js';
import { complianceConnect } from './powershell.js';
import { complianceCmdlet, verifyCompliance } from './verify.js';

/**
 * Security & Compliance PowerShell (Connect-IPPSSession): an app of its own, with Exchange's permission and a
 * directory role S&C accepts. It reuses Exchange's InvokeCommand transport (S&C's REST API is the same).
 *
 * - facts.ts       the roles it accepts (and those it does not), its permission, its verify cmdlet
 * - endpoints.ts   its REST host, token resource and Connect-IPPSSession endpoints per cloud
 * - api.ts         the admin API, with the redirect to the tenant's regional host
 * - verify.ts      the proof of a connection, and its `check` check
 * - powershell.ts  the PowerShell lines exo-cba prints
 */
export const compliance: Workload = {
  name: 'compliance',
  service: 'Security & Compliance',
  purpose: 'Security & Compliance PowerShell (Connect-IPPSSession): retention, DLP, labels, alerts',
  defaultAppName: 'S&C Background Process',
  profileName: (domain) => `${domain}-compliance`,
  permissions: compliancePermissions,
  roles: COMPLIANCE_ROLES,
  strategies: [directoryRole],
  endpoint: complianceEndpoint,
  endpointEnv: [COMPLIANCE_ENDPOINT_ENV, COMPLIANCE_REGION_ENDPOINT_ENV],
  verifyCall: () => `${VERIFY_CMDLET} in Security & Compliance`,
  verify: verifyCompliance,
  checks: [complianceCmdlet],
  connect: complianceConnect,
};
