/**
 * Exchange Online's identifiers and the directory roles it accepts for app-only access, from Microsoft's
 * documentation (https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2).
 */

export const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const EXCHANGE_MANAGE_AS_APP_ROLE_ID = 'dc50a0fb-09a3-484d-be87-e023b12c6440';
export const EXCHANGE_MANAGE_AS_APP = 'Exchange.ManageAsApp';

export interface DirectoryRole {
  key: string;
  name: string;
  templateId: string;
  description: string;
  /** Serves Security & Compliance PowerShell (Connect-IPPSSession). */
  compliance: boolean;
}

/**
 * The directory roles Exchange Online app-only auth accepts (Entra built-in roles reference), least
 * privilege first: read-only roles, then narrow write roles, then the broad ones.
 */
export const EXCHANGE_ROLES: readonly DirectoryRole[] = [
  {
    key: 'security-reader',
    name: 'Security Reader',
    templateId: '5d6b6bb7-de71-4623-b4af-96380a352509',
    compliance: true,
    description: 'read-only: security settings and reports',
  },
  {
    key: 'global-reader',
    name: 'Global Reader',
    templateId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
    compliance: true,
    description: 'read-only everywhere: reporting and audit jobs',
  },
  {
    key: 'exchange-recipient-administrator',
    name: 'Exchange Recipient Administrator',
    templateId: '31392ffb-586c-42d1-9346-e59415a2cc4e',
    compliance: false,
    description: 'mailboxes, contacts, groups and other recipients only',
  },
  {
    key: 'helpdesk-administrator',
    name: 'Helpdesk Administrator',
    templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
    compliance: false,
    description: 'helpdesk tasks, including passwords of non-admins',
  },
  {
    key: 'compliance-administrator',
    name: 'Compliance Administrator',
    templateId: '17315797-102d-40b4-93e0-432062caca18',
    compliance: true,
    description: 'retention, DLP, eDiscovery and other compliance features',
  },
  {
    key: 'security-administrator',
    name: 'Security Administrator',
    templateId: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    compliance: true,
    description: 'manage security features, Security & Compliance included',
  },
  {
    key: 'exchange-administrator',
    name: 'Exchange Administrator',
    templateId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
    compliance: false,
    description: 'every Exchange Online cmdlet; the usual choice for admin scripts',
  },
  {
    key: 'global-administrator',
    name: 'Global Administrator',
    templateId: '62e90394-69f5-4237-9190-012177145e10',
    compliance: true,
    description: 'everything in the tenant; emergencies only',
  },
];

/** Accepts a key (exchange-administrator), a display name (any case) or a template id. */
export function findExchangeRole(input: string): DirectoryRole | undefined {
  const wanted = input.trim().toLowerCase();
  return EXCHANGE_ROLES.find(
    (r) => r.key === wanted || r.name.toLowerCase() === wanted || r.templateId === wanted,
  );
}

export function roleByTemplateId(id: string): DirectoryRole | undefined {
  return EXCHANGE_ROLES.find((r) => r.templateId === id);
}

/** The read-only cmdlet used to prove that Exchange accepts the app (fits in one page). */
export const VERIFY_CMDLET = 'Get-AcceptedDomain';
/** System mailbox used as anchor for organisation cmdlets by the Exchange Online PowerShell module. */
export const ANCHOR_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
