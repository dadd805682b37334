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
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
  teamsCommunicationsAdministrator: 'baf37b3a-610e-45da-9e62-d9d1e5e8914b',
  skypeForBusinessAdministrator: '75941009-915a-4869-abe7-691bff18279e',
  sharePointAdministrator: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  /**
   * Teams Reader: no template id in the sources this sandbox was written from, so this one is the sandbox's
   * OWN, not Microsoft's; a client must find the role by its displayName (role templates below).
   */
  teamsReader: '5a1b9e3c-7d2f-4c1a-9e8b-5ab0c0ffee01',
} as const;

/** The display names of the role templates the sandbox's directory holds (same reference page). */
export const ROLE_DISPLAY_NAMES: Record<keyof typeof ROLE, string> = {
  globalAdministrator: 'Global Administrator',
  privilegedRoleAdministrator: 'Privileged Role Administrator',
  applicationAdministrator: 'Application Administrator',
  cloudApplicationAdministrator: 'Cloud Application Administrator',
  exchangeAdministrator: 'Exchange Administrator',
  exchangeRecipientAdministrator: 'Exchange Recipient Administrator',
  globalReader: 'Global Reader',
  securityReader: 'Security Reader',
  securityAdministrator: 'Security Administrator',
  complianceAdministrator: 'Compliance Administrator',
  helpdeskAdministrator: 'Helpdesk Administrator',
  teamsAdministrator: 'Teams Administrator',
  teamsCommunicationsAdministrator: 'Teams Communications Administrator',
  skypeForBusinessAdministrator: 'Skype for Business Administrator',
  sharePointAdministrator: 'SharePoint Administrator',
  teamsReader: 'Teams Reader',
};

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

// --- Security & Compliance PowerShell (Purview) ------------------------------------------------------------
// https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2 (same app role as Exchange) and
// the REST transport public clients use (KelvinTegelaar/CIPP-API New-ExoRequest.ps1, silverhack/monkey365
// Get-MonkeySecCompBackendUri.ps1).

/** The token resource of S&C's admin API: `scope=https://ps.compliance.protection.outlook.com/.default`. */
export const COMPLIANCE_RESOURCE = 'https://ps.compliance.protection.outlook.com';

/**
 * The directory roles S&C accepts for app-only access (the app-only auth page, "Assign Microsoft Entra roles"
 * table, S&C column). Exchange Administrator, Exchange Recipient Administrator and Helpdesk Administrator are
 * Exchange-only.
 */
export const COMPLIANCE_CAPABLE_ROLES: readonly string[] = [
  ROLE.complianceAdministrator,
  ROLE.globalAdministrator,
  ROLE.globalReader,
  ROLE.securityAdministrator,
  ROLE.securityReader,
];

// --- SharePoint Online ---------------------------------------------------------------------------------------
// https://learn.microsoft.com/sharepoint/dev/solution-guidance/security-apponly-azuread

/** Office 365 SharePoint Online (the resource of SharePoint REST and CSOM). */
export const SPO_APP_ID = '00000003-0000-0ff1-ce00-000000000000';
/**
 * Its application permissions. Sites.FullControl.All: the page above and SharePoint/sp-dev-docs
 * docs/embedded/development/auth.md (earlier rev.); Sites.Read.All and Sites.Selected: public setup scripts
 * and tables (field), https://pnp.github.io/powershell/cmdlets/Grant-PnPEntraIDAppSitePermission.html.
 */
export const SPO_ROLE = {
  'Sites.FullControl.All': '678536fe-1083-478a-9c59-b99265e6b0d3',
  'Sites.Read.All': 'd13f72ca-a275-4b96-b789-48ebcc4da984',
  'Sites.Selected': '20d37865-089c-4dee-8c41-6967602d4ac8',
} as const;
/**
 * The Microsoft Graph permissions of the same names, which do NOT authorize SharePoint REST (the token's
 * audience is Graph). The prefixes `883ea226-…` and `a82116e5-…` are in the facts the sandbox was written
 * from; the full ids are the Graph permissions reference's (https://learn.microsoft.com/graph/permissions-reference).
 */
export const GRAPH_SITES_ROLE = {
  'Sites.Selected': '883ea226-0bf2-4a8f-9f9d-92c9162a727d',
  'Sites.FullControl.All': 'a82116e5-55eb-4c41-a434-62fe8a61c773',
} as const;
/**
 * Roles a delegated admin needs to create site permissions through Graph: "SharePoint Administrator or
 * higher" (https://learn.microsoft.com/graph/api/site-post-permissions, note under Permissions).
 */
export const SHAREPOINT_ADMIN_ROLES: readonly string[] = [
  ROLE.sharePointAdministrator,
  ROLE.globalAdministrator,
];

// --- Microsoft Teams PowerShell -----------------------------------------------------------------------------
// https://learn.microsoft.com/microsoftteams/teams-powershell-application-authentication

/** Skype and Teams Tenant Admin API: `scope=48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default`. */
export const TEAMS_ADMIN_API_APP_ID = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';

/**
 * Directory roles that serve Teams app-only (the page above: "any of the supported built-in roles"; Teams
 * Reader and Skype for Business Administrator from Microsoft365DSC issues #2670 and #3863, field).
 */
export const TEAMS_CAPABLE_ROLES: readonly string[] = [
  ROLE.teamsAdministrator,
  ROLE.teamsCommunicationsAdministrator,
  ROLE.skypeForBusinessAdministrator,
  ROLE.globalReader,
  ROLE.teamsReader,
  ROLE.globalAdministrator,
];

/**
 * The Graph application permissions Teams PowerShell needs (the Teams page above: Organization.Read.All for
 * the *-Cs cmdlets; the rest for the team and channel cmdlets). The sources give no ids for them, so these ids
 * are the sandbox's OWN, not Microsoft's: a client must resolve each permission by its value.
 */
export const TEAMS_GRAPH_PERMISSIONS: readonly { value: string; ownId: string; displayName: string }[] = [
  {
    value: 'Organization.Read.All',
    ownId: '5a1b9e3c-0001-4000-8000-5ab0c0ffee01',
    displayName: 'Read organization information',
  },
  {
    value: 'User.Read.All',
    ownId: '5a1b9e3c-0002-4000-8000-5ab0c0ffee01',
    displayName: "Read all users' full profiles",
  },
  {
    value: 'Group.ReadWrite.All',
    ownId: '5a1b9e3c-0003-4000-8000-5ab0c0ffee01',
    displayName: 'Read and write all groups',
  },
  {
    value: 'AppCatalog.ReadWrite.All',
    ownId: '5a1b9e3c-0004-4000-8000-5ab0c0ffee01',
    displayName: 'Read and write to all app catalogs',
  },
  {
    value: 'TeamSettings.ReadWrite.All',
    ownId: '5a1b9e3c-0005-4000-8000-5ab0c0ffee01',
    displayName: "Read and change all teams' settings",
  },
  {
    value: 'Channel.Delete.All',
    ownId: '5a1b9e3c-0006-4000-8000-5ab0c0ffee01',
    displayName: 'Delete channels',
  },
  {
    value: 'ChannelSettings.ReadWrite.All',
    ownId: '5a1b9e3c-0007-4000-8000-5ab0c0ffee01',
    displayName: 'Read and write the names, descriptions, and settings of all channels',
  },
  {
    value: 'ChannelMember.ReadWrite.All',
    ownId: '5a1b9e3c-0008-4000-8000-5ab0c0ffee01',
    displayName: 'Add and remove members from all channels',
  },
];
