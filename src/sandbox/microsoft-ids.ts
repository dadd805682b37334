/**
 * Microsoft's identifiers as the sandbox knows them: its own literal copy, written from the documentation
 * (never imported from exo-cba, so a wrong identifier in the tool cannot also be "right" in the sandbox).
 * A contract test compares the two copies.
 */

/** Office 365 Exchange Online. https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2 */
export const EXO_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
/** Its application permission for app-only PowerShell (same page, "Exchange.ManageAsApp"). */
export const MANAGE_AS_APP_ROLE_ID = 'dc50a0fb-09a3-484d-be87-e023b12c6440';
export const MANAGE_AS_APP = 'Exchange.ManageAsApp';
/** Microsoft Graph. https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Microsoft Graph Command Line Tools, a first-party public client (same page). */
export const GRAPH_CLI_APP_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
/** The `aud` of the proof-of-possession JWT. https://learn.microsoft.com/graph/api/application-addkey */
export const ADD_KEY_PROOF_AUDIENCE = '00000002-0000-0000-c000-000000000000';

/** Directory role template ids. https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference */
export const ROLE = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  exchangeRecipientAdministrator: '31392ffb-586c-42d1-9346-e59415a2cc4e',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  complianceAdministrator: '17315797-102d-40b4-93e0-432062caca18',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
} as const;

/**
 * The directory roles Exchange Online accepts for app-only access (the app-only auth page above, "Assign
 * Microsoft Entra roles to the application"): any other role gives the app no Exchange access.
 */
export const EXCHANGE_CAPABLE_ROLES: readonly string[] = [
  ROLE.complianceAdministrator,
  ROLE.exchangeAdministrator,
  ROLE.exchangeRecipientAdministrator,
  ROLE.globalAdministrator,
  ROLE.globalReader,
  ROLE.helpdeskAdministrator,
  ROLE.securityAdministrator,
  ROLE.securityReader,
];
