import { ENTRA_ROLES, type RoleChoice } from '../../rights/roles.js';

/**
 * Exchange Online's identifiers and the directory roles it accepts for app-only access, from Microsoft's
 * documentation (https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2).
 */

export const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const EXCHANGE_MANAGE_AS_APP = 'Exchange.ManageAsApp';

const R = ENTRA_ROLES;

/**
 * The directory roles Exchange Online app-only auth accepts (Microsoft's app-only article, "Assign Microsoft
 * Entra roles"), least privilege first: read-only roles, then narrow write roles, then the broad ones.
 */
export const EXCHANGE_ROLES: RoleChoice = {
  accepted: [
    { ...R.securityReader, description: 'read-only: security settings and reports' },
    { ...R.globalReader, description: 'read-only everywhere: reporting and audit jobs' },
    {
      ...R.exchangeRecipientAdministrator,
      description: 'mailboxes, contacts, groups and other recipients only',
    },
    { ...R.helpdeskAdministrator, description: 'helpdesk tasks, including passwords of non-admins' },
    { ...R.complianceAdministrator, description: 'retention, DLP, eDiscovery and other compliance features' },
    { ...R.securityAdministrator, description: 'manage security features' },
    {
      ...R.exchangeAdministrator,
      description: 'every Exchange Online cmdlet; the usual choice for admin scripts',
    },
    { ...R.globalAdministrator, description: 'everything in the tenant; emergencies only' },
  ],
  defaultKey: R.exchangeAdministrator.key,
  notServing: [],
};

/** Roles that may read recipients but not the organisation's configuration: proved with a recipient read. */
export const RECIPIENT_ONLY_ROLES: readonly string[] = [
  R.exchangeRecipientAdministrator.templateId,
  R.helpdeskAdministrator.templateId,
];

/** The read-only cmdlet used to prove that Exchange accepts the app (fits in one page). */
export const VERIFY_CMDLET = 'Get-AcceptedDomain';
/** System mailbox used as anchor for organisation cmdlets by the Exchange Online PowerShell module. */
export const ANCHOR_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
