import { randomUUID } from 'node:crypto';
import type { Directory, Application, ServicePrincipal } from './directory.js';
import { type SbRequest, type SbResponse, graphError, jsonOf, INVALID_JSON } from './http-util.js';
import type { TokenService } from './tokens.js';
import { ROLE } from './microsoft-ids.js';
import { fieldError } from './field-errors.js';
import { parseKeyCredentials } from './graph-keys.js';
import {
  type Caller,
  type Need,
  callerOf,
  allowed,
  denied,
  notFound,
  badRequest,
  READ_APPS,
  WRITE_APPS,
  APP_WRITERS,
  ROLE_WRITERS,
} from './graph-access.js';
import { parseFilter, meets, select, appView, spView, keyView } from './graph-views.js';
import { checkKeyProof } from './graph-proof.js';
import { defaultPolicyView, lifetimeRefusal, type KeyRule } from './graph-policies.js';
import { handleSites } from './graph-sites.js';
import { handleRoleDefinitions } from './graph-roles.js';
import { handleFederatedCredentials } from './graph-federated.js';

const ORGANIZATION_READ = {
  delegated: [
    'User.Read',
    'Organization.Read.All',
    'Directory.Read.All',
    'Organization.ReadWrite.All',
    'Directory.ReadWrite.All',
  ],
  application: [
    'Organization.Read.All',
    'Directory.Read.All',
    'Organization.ReadWrite.All',
    'Directory.ReadWrite.All',
  ],
};

/** The part of Microsoft Graph v1.0 that exo-cba calls, with Graph's status codes, error bodies and permission checks. */

export class GraphService {
  constructor(
    private readonly dir: Directory,
    private readonly tokens: TokenService,
    private readonly origin: () => string,
    private readonly resources: string[],
    private readonly now: () => number,
    private readonly keyPolicy: () => KeyRule[] = () => [],
  ) {}

  private ctx(path: string): string {
    return `${this.origin()}/v1.0/$metadata#${path}`;
  }

  async handle(req: SbRequest): Promise<SbResponse> {
    const path = decodeURIComponent(req.url.pathname);
    if (!path.startsWith('/v1.0/'))
      return graphError(400, 'BadRequest', `Invalid version: ${path.split('/')[1] ?? ''}`);
    const caller = await callerOf(req, this.tokens, this.resources);
    if ('status' in caller) return caller;
    const route = path.slice('/v1.0'.length).replace(/\/+$/, '');
    const q = req.url.searchParams;
    const m = (re: RegExp) => re.exec(route);
    let r: RegExpExecArray | null;

    if (route === '/organization' && req.method === 'GET') {
      // https://learn.microsoft.com/graph/api/organization-list, Permissions: the least privileged first.
      const ok =
        caller.kind === 'user'
          ? ORGANIZATION_READ.delegated.some((s) => caller.scopes.has(s))
          : ORGANIZATION_READ.application.some((s) => caller.roles.has(s));
      if (!ok) return denied();
      const t = this.dir.tenant;
      return {
        status: 200,
        body: {
          '@odata.context': this.ctx('organization'),
          value: [
            {
              id: t.id,
              displayName: t.displayName,
              verifiedDomains: [
                {
                  name: t.initialDomain,
                  isInitial: true,
                  isDefault: true,
                  type: 'Managed',
                  capabilities: 'Email, OfficeCommunicationsOnline',
                },
              ],
            },
          ],
        },
      };
    }
    if (route === '/me' && req.method === 'GET') {
      if (caller.kind !== 'user')
        return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      const u = this.dir.user(caller.id);
      return u
        ? {
            status: 200,
            body: {
              '@odata.context': this.ctx('users/$entity'),
              id: u.id,
              userPrincipalName: u.userPrincipalName,
              displayName: u.displayName,
            },
          }
        : notFound(caller.id);
    }

    if (route === '/policies/defaultAppManagementPolicy' && req.method === 'GET') {
      const need: Need = {
        delegated: ['Policy.Read.All', 'Policy.ReadWrite.ApplicationConfiguration'],
        application: ['Policy.Read.All', 'Policy.ReadWrite.ApplicationConfiguration'],
      };
      if (!allowed(this.dir, caller, need)) return denied();
      return { status: 200, body: defaultPolicyView(this.keyPolicy(), this.origin()) };
    }

    // --- applications
    if (route === '/applications') {
      if (req.method === 'GET') return this.listApplications(caller, q);
      if (req.method === 'POST') return this.createApplication(caller, req);
    }
    if ((r = m(/^\/applications\(uniqueName='([^']+)'\)$/))) {
      const uniqueName = r[1]!;
      if (req.method === 'GET') {
        if (!allowed(this.dir, caller, READ_APPS)) return denied();
        const app = this.dir.data.applications.find(
          (a) => a.uniqueName === uniqueName && this.dir.visible(a),
        );
        return app
          ? {
              status: 200,
              body: {
                '@odata.context': this.ctx('applications/$entity'),
                ...select(appView(app, q.get('$select')), q.get('$select')),
              },
            }
          : notFound(uniqueName);
      }
      if (req.method === 'PATCH') {
        // The alternate key is unique at write time, so an upsert finds the app even before reads can see it.
        const existing = this.dir.data.applications.find((a) => a.uniqueName === uniqueName);
        if (existing) return this.patchApplication(caller, existing, uniqueName, req);
        if (!/create-if-missing/i.test(String(req.headers['prefer'] ?? ''))) return notFound(uniqueName);
        return this.createApplication(caller, req, uniqueName);
      }
    }
    if ((r = m(/^\/applications(?:\/([^/()]+)|\(appId='([^']+)'\))$/))) {
      const app = r[1] ? this.dir.app(r[1]) : this.dir.appByAppId(r[2]!);
      const key = r[1] ?? r[2]!;
      if (req.method === 'GET') {
        if (!allowed(this.dir, caller, { ...READ_APPS })) return denied();
        if (!app) return notFound(key);
        return {
          status: 200,
          body: {
            '@odata.context': this.ctx('applications/$entity'),
            ...select(appView(app, q.get('$select')), q.get('$select')),
          },
        };
      }
      if (req.method === 'PATCH') return this.patchApplication(caller, app, key, req);
      if (req.method === 'DELETE') {
        if (!allowed(this.dir, caller, WRITE_APPS)) return denied();
        if (!app) return notFound(key);
        this.dir.deleteApplication(app.id);
        return { status: 204 };
      }
    }
    if ((r = m(/^\/applications\/([^/]+)\/owners$/)) && req.method === 'GET') {
      if (!allowed(this.dir, caller, READ_APPS)) return denied();
      const app = this.dir.app(r[1]!);
      if (!app) return notFound(r[1]!);
      const owners = (app.owners ?? []).flatMap((id) => {
        const u = this.dir.user(id);
        return u
          ? [
              {
                '@odata.type': '#microsoft.graph.user',
                id: u.id,
                displayName: u.displayName,
                userPrincipalName: u.userPrincipalName,
              },
            ]
          : [];
      });
      return { status: 200, body: { '@odata.context': this.ctx('directoryObjects'), value: owners } };
    }
    if ((r = m(/^\/applications\/([^/]+)\/removePassword$/)) && req.method === 'POST') {
      if (!allowed(this.dir, caller, WRITE_APPS)) return denied();
      const app = this.dir.app(r[1]!);
      if (!app) return notFound(r[1]!);
      const body = jsonOf(req) as { keyId?: unknown };
      const before = (app.passwordCredentials ?? []).length;
      app.passwordCredentials = (app.passwordCredentials ?? []).filter((p) => p.keyId !== body?.keyId);
      return before === app.passwordCredentials.length ? notFound(String(body?.keyId)) : { status: 204 };
    }
    const federated = handleFederatedCredentials(
      { dir: this.dir, caller, req, ctx: (p: string) => this.ctx(p) },
      route,
    );
    if (federated) return federated;
    if ((r = m(/^\/applications\/([^/]+)\/(addKey|removeKey)$/)) && req.method === 'POST') {
      return this.rollKey(caller, r[1]!, r[2] as 'addKey' | 'removeKey', req);
    }

    // --- service principals
    if (route === '/servicePrincipals') {
      if (req.method === 'GET') {
        if (!allowed(this.dir, caller, READ_APPS)) return denied();
        const f = parseFilter(q.get('$filter'));
        if (f === 'invalid') return badRequest(`Invalid filter clause: ${q.get('$filter') ?? ''}`);
        const list = this.dir.data.servicePrincipals.filter(
          (s) =>
            this.dir.visible(s) &&
            (f ?? []).every((c) => String((s as unknown as Record<string, unknown>)[c.prop]) === c.value),
        );
        return {
          status: 200,
          body: {
            '@odata.context': this.ctx('servicePrincipals'),
            value: list.map((s) => select(spView(s), q.get('$select'))),
          },
        };
      }
      if (req.method === 'POST') return this.createServicePrincipal(caller, req);
    }
    if ((r = m(/^\/servicePrincipals(?:\/([^/()]+)|\(appId='([^']+)'\))$/)) && req.method === 'GET') {
      if (!allowed(this.dir, caller, READ_APPS)) return denied();
      const sp = r[1] ? this.dir.sp(r[1]) : this.dir.spByAppId(r[2]!);
      if (!sp) return notFound(r[1] ?? r[2]!);
      return {
        status: 200,
        body: {
          '@odata.context': this.ctx('servicePrincipals/$entity'),
          ...select(spView(sp), q.get('$select')),
        },
      };
    }
    if ((r = m(/^\/servicePrincipals\/([^/]+)\/(appRoleAssignedTo|appRoleAssignments)(?:\/([^/]+))?$/))) {
      return this.appRoleAssignments(
        caller,
        r[1]!,
        r[2] as 'appRoleAssignedTo' | 'appRoleAssignments',
        r[3],
        req,
      );
    }

    // --- directory roles
    if (route === '/roleManagement/directory/roleAssignments') {
      if (req.method === 'GET') {
        const need: Need = {
          delegated: [
            'RoleManagement.Read.Directory',
            'RoleManagement.ReadWrite.Directory',
            'Directory.Read.All',
          ],
          application: ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory'],
        };
        if (!allowed(this.dir, caller, need)) return denied();
        const f = parseFilter(q.get('$filter'));
        if (f === 'invalid') return badRequest(`Invalid filter clause: ${q.get('$filter') ?? ''}`);
        const list = this.dir.data.roleAssignments.filter(
          (a) =>
            this.dir.visible(a) &&
            (f ?? []).every((c) => String((a as unknown as Record<string, unknown>)[c.prop]) === c.value),
        );
        return {
          status: 200,
          body: {
            '@odata.context': this.ctx('roleManagement/directory/roleAssignments'),
            value: list.map(({ visibleAt: _v, ...a }) => a),
          },
        };
      }
      if (req.method === 'POST') return this.assignRole(caller, req);
    }
    if ((r = m(/^\/roleManagement\/directory\/roleAssignments\/([^/]+)$/)) && req.method === 'DELETE') {
      if (
        !allowed(this.dir, caller, {
          delegated: ['RoleManagement.ReadWrite.Directory'],
          application: ['RoleManagement.ReadWrite.Directory'],
          adminRoles: ROLE_WRITERS,
        })
      )
        return denied();
      const before = this.dir.data.roleAssignments.length;
      this.dir.data.roleAssignments = this.dir.data.roleAssignments.filter((a) => a.id !== r![1]);
      return before === this.dir.data.roleAssignments.length ? notFound(r[1]!) : { status: 204 };
    }
    const more = { dir: this.dir, caller, req, ctx: (p: string) => this.ctx(p) };
    const served = handleSites(more, route) ?? handleRoleDefinitions(more, route);
    if (served) return served;
    return graphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${route.split('/')[1] ?? ''}'.`,
    );
  }

  private listApplications(caller: Caller, q: URLSearchParams): SbResponse {
    if (!allowed(this.dir, caller, READ_APPS)) return denied();
    const f = parseFilter(q.get('$filter'));
    if (f === 'invalid') return badRequest(`Invalid filter clause: ${q.get('$filter') ?? ''}`);
    // Graph compares directory strings in $filter without regard to case ('Exo App' eq 'EXO APP').
    const list = this.dir.data.applications.filter((a) => this.dir.visible(a) && meets(a, f));
    return {
      status: 200,
      body: {
        '@odata.context': this.ctx('applications'),
        value: list.map((a) => select(appView(a, q.get('$select')), q.get('$select'))),
      },
    };
  }

  private createApplication(caller: Caller, req: SbRequest, uniqueName?: string): SbResponse {
    if (!allowed(this.dir, caller, WRITE_APPS)) return denied();
    const body = jsonOf(req);
    if (body === INVALID_JSON || typeof body !== 'object' || body === null)
      return badRequest('Unable to read JSON request payload.');
    const b = body as Record<string, unknown>;
    if (typeof b['displayName'] !== 'string' || b['displayName'].trim() === '')
      return badRequest("Property 'displayName' is required.");
    if (b['displayName'].length > 256)
      return badRequest("Property 'displayName' is too long (256 characters at most).");
    // uniqueName is an alternate key: unique at write time, whatever reads can see yet.
    const wantedUnique = uniqueName ?? (typeof b['uniqueName'] === 'string' ? b['uniqueName'] : undefined);
    if (wantedUnique && this.dir.data.applications.some((a) => a.uniqueName === wantedUnique)) {
      return badRequest(`Another object with the same value for property uniqueName already exists.`, [
        { code: 'ObjectConflict', message: `uniqueName '${wantedUnique}' is in use.`, target: 'uniqueName' },
      ]);
    }
    const app: Application = {
      id: randomUUID(),
      appId: randomUUID(),
      displayName: b['displayName'],
      signInAudience:
        typeof b['signInAudience'] === 'string' ? b['signInAudience'] : 'AzureADandPersonalMicrosoftAccount',
      requiredResourceAccess: Array.isArray(b['requiredResourceAccess'])
        ? (b['requiredResourceAccess'] as Application['requiredResourceAccess'])
        : [],
      keyCredentials: [],
      createdDateTime: new Date(this.now()).toISOString(),
      isFallbackPublicClient: false,
      visibleAt: this.dir.stamp(),
      ...((uniqueName ?? (typeof b['uniqueName'] === 'string' ? b['uniqueName'] : undefined))
        ? { uniqueName: uniqueName ?? (b['uniqueName'] as string) }
        : {}),
      tags: Array.isArray(b['tags'])
        ? (b['tags'] as unknown[]).filter((t): t is string => typeof t === 'string')
        : [],
      // Graph makes the signed-in user who creates an app one of its owners.
      owners: caller.kind === 'user' ? [caller.id] : [],
    };
    if (b['keyCredentials'] !== undefined) {
      const keys = parseKeyCredentials(b['keyCredentials'], [], () => this.dir.stamp());
      if ('status' in keys) return keys;
      const refused = lifetimeRefusal(this.keyPolicy(), keys);
      if (refused) return refused;
      app.keyCredentials = keys;
    }
    this.dir.data.applications.push(app);
    return {
      status: 201,
      headers: { location: `${this.origin()}/v1.0/applications/${app.id}` },
      body: { '@odata.context': this.ctx('applications/$entity'), ...appView(app, null) },
    };
  }

  private patchApplication(
    caller: Caller,
    app: Application | undefined,
    key: string,
    req: SbRequest,
  ): SbResponse {
    if (!allowed(this.dir, caller, WRITE_APPS)) return denied();
    if (!app) return notFound(key);
    const body = jsonOf(req);
    if (body === INVALID_JSON || typeof body !== 'object' || body === null)
      return badRequest('Unable to read JSON request payload.');
    const b = body as Record<string, unknown>;
    // PATCH replaces a collection property whole: keys left out of keyCredentials are removed.
    if (b['keyCredentials'] !== undefined) {
      const keys = parseKeyCredentials(b['keyCredentials'], app.keyCredentials, () => this.dir.stamp());
      if ('status' in keys) return keys;
      const added = keys.filter((n) => !app.keyCredentials.some((o) => o.keyId === n.keyId));
      const refused = lifetimeRefusal(this.keyPolicy(), added);
      if (refused) return refused;
      app.keyCredentials = keys;
    }
    if (typeof b['displayName'] === 'string') app.displayName = b['displayName'];
    if (Array.isArray(b['requiredResourceAccess']))
      app.requiredResourceAccess = b['requiredResourceAccess'] as Application['requiredResourceAccess'];
    return { status: 204 };
  }

  /** addKey / removeKey: proof-of-possession JWT signed by a current valid key of the app (Graph docs: application-addkey). */
  private async rollKey(
    caller: Caller,
    id: string,
    op: 'addKey' | 'removeKey',
    req: SbRequest,
  ): Promise<SbResponse> {
    if (
      !allowed(this.dir, caller, {
        delegated: ['Application.ReadWrite.All'],
        application: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy'],
        adminRoles: APP_WRITERS,
        self: id,
      })
    )
      return denied();
    const app = this.dir.app(id);
    if (!app) return notFound(id);
    const body = jsonOf(req);
    if (body === INVALID_JSON || typeof body !== 'object' || body === null)
      return badRequest('Unable to read JSON request payload.');
    const b = body as Record<string, unknown>;
    const refused = await checkKeyProof(app, b['proof'], this.now());
    if (refused) return refused;
    if (op === 'addKey') {
      if (b['passwordCredential'] !== null && b['passwordCredential'] !== undefined)
        return badRequest('passwordCredential must be null when adding a certificate.');
      const keys = parseKeyCredentials(
        [
          {
            ...(b['keyCredential'] as object),
            keyId: app.keyCredentials.some(
              (k) => k.keyId === (b['keyCredential'] as { keyId?: string } | null)?.keyId,
            )
              ? undefined
              : (b['keyCredential'] as { keyId?: string } | null)?.keyId,
          },
        ],
        [],
        () => this.dir.stamp(),
      );
      if ('status' in keys) return keys;
      const added = keys[0]!;
      if (app.keyCredentials.some((k) => k.customKeyIdentifier === added.customKeyIdentifier))
        return badRequest(
          'Key credential values must be unique: this certificate is already on the application.',
        );
      // addKey is held to the tenant's credential policy as a PATCH is (appManagementPolicy docs).
      const overLimit = lifetimeRefusal(this.keyPolicy(), [added]);
      if (overLimit) return overLimit;
      app.keyCredentials.push(added);
      return {
        status: 200,
        body: { '@odata.context': this.ctx('microsoft.graph.keyCredential'), ...keyView(added, false) },
      };
    }
    const keyId = b['keyId'];
    if (typeof keyId !== 'string' || !app.keyCredentials.some((k) => k.keyId === keyId))
      return notFound(String(keyId));
    app.keyCredentials = app.keyCredentials.filter((k) => k.keyId !== keyId);
    return { status: 204 };
  }

  private createServicePrincipal(caller: Caller, req: SbRequest): SbResponse {
    if (!allowed(this.dir, caller, WRITE_APPS)) return denied();
    const body = jsonOf(req) as Record<string, unknown> | symbol | null;
    if (typeof body !== 'object' || body === null || typeof body['appId'] !== 'string')
      return badRequest("Property 'appId' is required.");
    const appId = body['appId'];
    const app = this.dir.appByAppId(appId);
    if (!app) {
      // Right after the app is created, until it replicates, Graph answers in one of several recorded shapes.
      return this.premature(
        ['graph.sp-before-app.403', 'graph.sp-before-app.400-details', 'graph.sp-before-app.400-plain'],
        { appId },
      );
    }
    if (this.dir.spByAppId(appId, true)) {
      return graphError(
        409,
        'Request_MultipleObjectsWithSameKeyValue',
        `The service principal cannot be created, updated, or restored because the service ` +
          `principal name ${appId} is already in use.`,
      );
    }
    const sp: ServicePrincipal = {
      id: randomUUID(),
      appId,
      displayName: app.displayName,
      appRoles: [],
      servicePrincipalNames: [appId],
      publicClient: false,
      accountEnabled: true,
      visibleAt: this.dir.stamp(),
    };
    this.dir.data.servicePrincipals.push(sp);
    return { status: 201, body: { '@odata.context': this.ctx('servicePrincipals/$entity'), ...spView(sp) } };
  }

  private appRoleAssignments(
    caller: Caller,
    spId: string,
    kind: 'appRoleAssignedTo' | 'appRoleAssignments',
    assignmentId: string | undefined,
    req: SbRequest,
  ): SbResponse {
    const sp = this.dir.sp(spId);
    const view = ({ visibleAt: _v, ...g }: { visibleAt: number } & Record<string, unknown>) => g;
    if (req.method === 'GET' && !assignmentId) {
      if (!allowed(this.dir, caller, READ_APPS)) return denied();
      if (!sp) return notFound(spId);
      const list = this.dir.data.appRoleAssignments.filter(
        (g) =>
          this.dir.visible(g) &&
          (kind === 'appRoleAssignedTo' ? g.resourceId === sp.id : g.principalId === sp.id),
      );
      return {
        status: 200,
        body: {
          '@odata.context': this.ctx(`servicePrincipals('${sp.id}')/${kind}`),
          value: list.map((g) => view(g as unknown as { visibleAt: number } & Record<string, unknown>)),
        },
      };
    }
    const need: Need = {
      delegated: ['AppRoleAssignment.ReadWrite.All'],
      application: ['AppRoleAssignment.ReadWrite.All'],
      adminRoles: APP_WRITERS,
    };
    if (req.method === 'DELETE' && assignmentId) {
      if (!allowed(this.dir, caller, need)) return denied();
      const before = this.dir.data.appRoleAssignments.length;
      this.dir.data.appRoleAssignments = this.dir.data.appRoleAssignments.filter(
        (g) => g.id !== assignmentId,
      );
      return before === this.dir.data.appRoleAssignments.length ? notFound(assignmentId) : { status: 204 };
    }
    if (req.method === 'POST' && kind === 'appRoleAssignedTo' && !assignmentId) {
      if (!allowed(this.dir, caller, need)) return denied();
      if (!sp) return notFound(spId);
      const b = jsonOf(req) as Record<string, unknown> | symbol | null;
      if (typeof b !== 'object' || b === null) return badRequest('Unable to read JSON request payload.');
      const principal = this.dir.sp(String(b['principalId']));
      // A principal that has not replicated yet is "not a valid reference" (or not present) to the grant.
      if (!principal)
        return this.dir.sp(String(b['principalId']), true)
          ? this.premature(['graph.reference-not-present.400', 'graph.not-a-valid-reference-update.400'], {
              id: String(b['principalId']),
            })
          : notFound(String(b['principalId']));
      if (b['resourceId'] !== sp.id)
        return badRequest('The resourceId must be the service principal the assignment is posted to.');
      const role = sp.appRoles.find((r) => r.id === b['appRoleId']);
      if (!role)
        return badRequest('Permission being assigned was not found on application', [
          {
            code: 'InvalidAppRoleId',
            message: `appRoleId ${String(b['appRoleId'])} is not defined on ${sp.displayName}.`,
          },
        ]);
      if (
        this.dir.data.appRoleAssignments.some(
          (g) => g.principalId === principal.id && g.resourceId === sp.id && g.appRoleId === role.id,
        )
      ) {
        return badRequest('Permission being assigned already exists on the object');
      }
      const g = {
        id: randomUUID().replace(/-/g, '').slice(0, 43),
        principalId: principal.id,
        principalType: 'ServicePrincipal' as const,
        principalDisplayName: principal.displayName,
        resourceId: sp.id,
        resourceDisplayName: sp.displayName,
        appRoleId: role.id,
        createdDateTime: new Date(this.now()).toISOString(),
        visibleAt: this.dir.stamp(),
      };
      this.dir.data.appRoleAssignments.push(g);
      return {
        status: 201,
        body: {
          '@odata.context': this.ctx(`servicePrincipals('${sp.id}')/appRoleAssignedTo/$entity`),
          ...view(g),
        },
      };
    }
    return graphError(405, 'Request_BadRequest', 'The requested method is not allowed on this resource.');
  }

  private prematureCount = 0;

  /** One of the recorded answers to a request that came before replication, in turn, as the field reports them. */
  private premature(ids: string[], vars: { id?: string; appId?: string }): SbResponse {
    return fieldError(ids[this.prematureCount++ % ids.length]!).answer(vars);
  }

  private assignRole(caller: Caller, req: SbRequest): SbResponse {
    if (
      !allowed(this.dir, caller, {
        delegated: ['RoleManagement.ReadWrite.Directory'],
        application: ['RoleManagement.ReadWrite.Directory'],
        adminRoles: ROLE_WRITERS,
      })
    )
      return denied();
    const b = jsonOf(req) as Record<string, unknown> | symbol | null;
    if (typeof b !== 'object' || b === null) return badRequest('Unable to read JSON request payload.');
    const principalId = String(b['principalId']);
    const roleDefinitionId = String(b['roleDefinitionId']);
    const known: string[] = Object.values(ROLE);
    if (!known.includes(roleDefinitionId)) return notFound(roleDefinitionId);
    if (b['directoryScopeId'] !== '/')
      return badRequest("directoryScopeId must be '/' for a tenant-wide assignment.");
    if (!this.dir.sp(principalId) && !this.dir.user(principalId)) {
      return this.dir.sp(principalId, true)
        ? this.premature(['graph.reference-not-present.400'], { id: principalId })
        : notFound(principalId);
    }
    if (
      this.dir.data.roleAssignments.some(
        (a) => a.principalId === principalId && a.roleDefinitionId === roleDefinitionId,
      )
    ) {
      return badRequest(
        'A conflicting object with one or more of the specified property values is present in the directory.',
      );
    }
    const a = {
      id: randomUUID(),
      principalId,
      roleDefinitionId,
      directoryScopeId: '/',
      visibleAt: this.dir.stamp(),
    };
    this.dir.data.roleAssignments.push(a);
    const { visibleAt: _v, ...view } = a;
    return {
      status: 201,
      body: { '@odata.context': this.ctx('roleManagement/directory/roleAssignments/$entity'), ...view },
    };
  }
}
