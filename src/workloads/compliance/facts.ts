import type { CloudName } from '../../core/clouds.js';
import { ENTRA_ROLES, type RoleChoice } from '../../rights/roles.js';
import type { AppPermission } from '../workload.js';

/**
 * Security & Compliance PowerShell (Purview, Connect-IPPSSession) facts, from Microsoft's app-only article
 * (https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2: one article covers Exchange and
 * S&C) and, for the REST transport ExchangeOnlineManagement v3 uses, public clients' code (CIPP-API
 * New-ExoRequest.ps1, monkey365 Get-MonkeySecCompBackendUri.ps1).
 */

const R = ENTRA_ROLES;

/**
 * The roles S&C accepts (the article's "Assign Microsoft Entra roles" table), least privilege first. Exchange
 * Administrator, Exchange Recipient Administrator and Helpdesk Administrator serve Exchange only.
 */
export const COMPLIANCE_ROLES: RoleChoice = {
  accepted: [
    { ...R.globalReader, description: 'read-only: reports and audits of compliance settings' },
    { ...R.securityReader, description: 'read-only: security and compliance settings and alerts' },
    {
      ...R.complianceAdministrator,
      description: 'retention, DLP, labels, eDiscovery: the usual choice for compliance scripts',
    },
    { ...R.securityAdministrator, description: 'manage security features, Security & Compliance included' },
    { ...R.globalAdministrator, description: 'everything in the tenant; emergencies only' },
  ],
  defaultKey: R.complianceAdministrator.key,
  notServing: [R.exchangeAdministrator, R.exchangeRecipientAdministrator, R.helpdeskAdministrator],
};

/** A read-only cmdlet every accepted role may run: what verification and check run. */
export const VERIFY_CMDLET = 'Get-RetentionCompliancePolicy';

export const COMPLIANCE_PERMISSION = 'Exchange.ManageAsApp';

/**
 * The same application permission as Exchange (Exchange.ManageAsApp on Office 365 Exchange Online). In GCC High
 * and DoD, which have S&C PowerShell only, the article's manifest note names another resource
 * (00000007-0000-0ff1-ce00-000000000000); the role is resolved there by its value like everywhere else.
 */
export function compliancePermissions(cloud: CloudName): AppPermission[] {
  const usGov = cloud === 'gcchigh' || cloud === 'dod';
  return [
    {
      resourceAppId: usGov ? '00000007-0000-0ff1-ce00-000000000000' : '00000002-0000-0ff1-ce00-000000000000',
      resourceName: usGov ? 'Office 365 Exchange Online (US Government S&C)' : 'Office 365 Exchange Online',
      value: COMPLIANCE_PERMISSION,
    },
  ];
}

/** The anchor mailbox S&C's REST calls carry (CIPP: APP:SystemMailbox{…}@{tenantId}). */
export const ANCHOR_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
