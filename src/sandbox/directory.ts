import { randomUUID, createHash, X509Certificate } from 'node:crypto';
import {
  EXO_APP_ID,
  MANAGE_AS_APP,
  MANAGE_AS_APP_ROLE_ID,
  GRAPH_APP_ID,
  GRAPH_CLI_APP_ID,
  ROLE,
} from './microsoft-ids.js';

/** The sandbox tenant's directory: what Entra and Graph would hold, reduced to what exo-cba touches. */

export interface KeyCredential {
  keyId: string;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
  /** base64 of the certificate DER. */
  key: string;
  displayName: string;
  startDateTime: string;
  endDateTime: string;
  /** base64 of the SHA-1 thumbprint bytes, as Graph returns it. */
  customKeyIdentifier: string;
  visibleAt: number;
}

export interface Application {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[];
  keyCredentials: KeyCredential[];
  /** Client-provided alternate key (Graph: application upsert). */
  uniqueName?: string;
  createdDateTime: string;
  isFallbackPublicClient: boolean;
  visibleAt: number;
  /** Users who own the registration: Graph makes the signed-in creator an owner. Owners may manage its credentials. */
  owners?: string[];
  tags?: string[];
  /** Client secrets (only their metadata is ever returned). */
  passwordCredentials?: {
    keyId: string;
    displayName: string | null;
    hint: string | null;
    startDateTime: string;
    endDateTime: string;
    /** sha256 (hex) of the secret text, so the token service can accept it (the text itself is never kept). */
    secretHash?: string;
  }[];
  /** Workload identity federation: an outside issuer whose tokens sign in as this app. */
  federatedIdentityCredentials?: FederatedCredential[];
}

/** A federated identity credential: tokens of `issuer` whose `sub` and `aud` match sign in as the app. */
export interface FederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description?: string | null;
  /** When reads and the token service see it (absent: always). */
  visibleAt?: number;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: AppRole[];
  /** Resource identifiers this principal answers to as a token audience. */
  servicePrincipalNames: string[];
  /** A first-party public client that users may sign in with (device code, browser). */
  publicClient: boolean;
  accountEnabled: boolean;
  visibleAt: number;
}

interface AppRoleAssignment {
  id: string;
  principalId: string;
  principalType: 'ServicePrincipal';
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  appRoleId: string;
  createdDateTime: string;
  visibleAt: number;
}

interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  visibleAt: number;
}

export interface User {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

/** A SharePoint site (a site collection's root web) of the tenant's SharePoint host. */
export interface Site {
  /** Graph's composite id: "{hostname},{siteCollectionId},{webId}". */
  id: string;
  /** Server-relative path: "" for the root site, "/sites/hr" for the others. */
  path: string;
  displayName: string;
  createdDateTime: string;
}

/** An application's grant on one site (Sites.Selected), as Graph's site permissions hold it. */
export interface SitePermission {
  id: string;
  siteId: string;
  appId: string;
  appDisplayName: string;
  roles: string[];
  visibleAt: number;
}

export interface DirectoryData {
  schemaVersion: 1;
  tenant: { id: string; displayName: string; initialDomain: string };
  users: User[];
  applications: Application[];
  servicePrincipals: ServicePrincipal[];
  appRoleAssignments: AppRoleAssignment[];
  roleAssignments: RoleAssignment[];
  /** SharePoint (seeded by workload-seed.ts; absent from state files written before it). */
  sites?: Site[];
  sitePermissions?: SitePermission[];
}

const SANDBOX_DOMAIN = 'exocbasandbox.onmicrosoft.com';

/** Graph application permissions the sandbox knows by value (for app-only tokens). */
const GRAPH_APP_ROLES: AppRole[] = [
  {
    id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
    value: 'Application.Read.All',
    displayName: 'Read all applications',
    allowedMemberTypes: ['Application'],
    isEnabled: true,
  },
  {
    id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
    value: 'Application.ReadWrite.All',
    displayName: 'Read and write all applications',
    allowedMemberTypes: ['Application'],
    isEnabled: true,
  },
  {
    id: '18a4783c-866b-4cc7-a460-3d5e5662c884',
    value: 'Application.ReadWrite.OwnedBy',
    displayName: 'Manage apps that this app creates or owns',
    allowedMemberTypes: ['Application'],
    isEnabled: true,
  },
];

export function newDirectory(resources: { graph: string; exchange: string }): DirectoryData {
  const adminId = randomUUID();
  return {
    schemaVersion: 1,
    tenant: { id: randomUUID(), displayName: 'exo-cba Sandbox', initialDomain: SANDBOX_DOMAIN },
    users: [{ id: adminId, userPrincipalName: `admin@${SANDBOX_DOMAIN}`, displayName: 'Sandbox Admin' }],
    applications: [],
    servicePrincipals: [
      {
        id: randomUUID(),
        appId: EXO_APP_ID,
        displayName: 'Office 365 Exchange Online',
        servicePrincipalNames: [resources.exchange, EXO_APP_ID],
        appRoles: [
          {
            id: MANAGE_AS_APP_ROLE_ID,
            value: MANAGE_AS_APP,
            displayName: 'Manage Exchange As Application',
            allowedMemberTypes: ['Application'],
            isEnabled: true,
          },
        ],
        publicClient: false,
        accountEnabled: true,
        visibleAt: 0,
      },
      {
        id: randomUUID(),
        appId: GRAPH_APP_ID,
        displayName: 'Microsoft Graph',
        servicePrincipalNames: [resources.graph, GRAPH_APP_ID, 'https://graph.microsoft.com'],
        appRoles: GRAPH_APP_ROLES,
        publicClient: false,
        accountEnabled: true,
        visibleAt: 0,
      },
      {
        id: randomUUID(),
        appId: GRAPH_CLI_APP_ID,
        displayName: 'Microsoft Graph Command Line Tools',
        servicePrincipalNames: [GRAPH_CLI_APP_ID],
        appRoles: [],
        publicClient: true,
        accountEnabled: true,
        visibleAt: 0,
      },
    ],
    appRoleAssignments: [],
    roleAssignments: [
      {
        id: randomUUID(),
        principalId: adminId,
        roleDefinitionId: ROLE.globalAdministrator,
        directoryScopeId: '/',
        visibleAt: 0,
      },
    ],
  };
}

export function thumbprintOfDerBase64(keyB64: string, alg: 'sha1' | 'sha256'): Buffer {
  return createHash(alg).update(Buffer.from(keyB64, 'base64')).digest();
}

export function certificatePemOf(key: KeyCredential): string {
  return new X509Certificate(Buffer.from(key.key, 'base64')).toString();
}

export class Directory {
  constructor(
    public data: DirectoryData,
    private readonly now: () => number,
    /** Replication delay applied to objects created from now on. */
    public replicationDelayMs = 0,
  ) {}

  visible(o: { visibleAt: number }): boolean {
    return o.visibleAt <= this.now();
  }

  stamp(): number {
    return this.now() + this.replicationDelayMs;
  }

  get tenant() {
    return this.data.tenant;
  }

  app(id: string, includeHidden = false): Application | undefined {
    return this.data.applications.find((a) => a.id === id && (includeHidden || this.visible(a)));
  }

  appByAppId(appId: string, includeHidden = false): Application | undefined {
    return this.data.applications.find((a) => a.appId === appId && (includeHidden || this.visible(a)));
  }

  sp(id: string, includeHidden = false): ServicePrincipal | undefined {
    return this.data.servicePrincipals.find((s) => s.id === id && (includeHidden || this.visible(s)));
  }

  spByAppId(appId: string, includeHidden = false): ServicePrincipal | undefined {
    return this.data.servicePrincipals.find((s) => s.appId === appId && (includeHidden || this.visible(s)));
  }

  spByResource(resource: string): ServicePrincipal | undefined {
    const r = resource.replace(/\/+$/, '').toLowerCase();
    return this.data.servicePrincipals.find(
      (s) => this.visible(s) && s.servicePrincipalNames.some((n) => n.toLowerCase() === r),
    );
  }

  user(id: string): User | undefined {
    return this.data.users.find((u) => u.id === id);
  }

  /** Role template ids a principal holds, as Exchange and the token service see them (replicated only). */
  roleTemplatesOf(principalId: string): string[] {
    return this.data.roleAssignments
      .filter((r) => r.principalId === principalId && this.visible(r))
      .map((r) => r.roleDefinitionId);
  }

  /** App role values granted to a principal on a resource (replicated only). */
  grantedRoles(principalId: string, resource: ServicePrincipal): string[] {
    return this.data.appRoleAssignments
      .filter((g) => g.principalId === principalId && g.resourceId === resource.id && this.visible(g))
      .map((g) => resource.appRoles.find((r) => r.id === g.appRoleId)?.value)
      .filter((v): v is string => typeof v === 'string');
  }

  /** Deleting an app removes its service principal and everything granted to that principal. */
  deleteApplication(id: string): boolean {
    const app = this.app(id, true);
    if (!app) return false;
    this.data.applications = this.data.applications.filter((a) => a.id !== id);
    const sp = this.spByAppId(app.appId, true);
    if (sp) {
      this.data.servicePrincipals = this.data.servicePrincipals.filter((s) => s.id !== sp.id);
      this.data.appRoleAssignments = this.data.appRoleAssignments.filter((g) => g.principalId !== sp.id);
      this.data.roleAssignments = this.data.roleAssignments.filter((r) => r.principalId !== sp.id);
    }
    return true;
  }
}
