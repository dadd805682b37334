import type { HttpTransport } from './http.js';
import type { Cloud } from '../core/clouds.js';
import { GraphApiError, type AdminNeed } from './graph-errors.js';
import { withRetries } from '../core/retry.js';
import type { Clock, Output } from '../core/ports.js';

/** Microsoft Graph behind named operations. Below them runs the real Graph SDK (its auth and retry middleware). */

export type TokenSource = () => Promise<string>;

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: { id: string; type: string }[];
}

export interface KeyCredentialView {
  keyId: string;
  displayName?: string | null;
  startDateTime: string;
  endDateTime: string;
  customKeyIdentifier?: string | null;
  /** Only returned with $select=keyCredentials. */
  key?: string | null;
  type: string;
  usage: string;
}

export interface NewKeyCredential {
  keyId?: string;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
  key: string;
  displayName?: string;
  startDateTime?: string;
  endDateTime?: string;
}

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  signInAudience?: string;
  requiredResourceAccess: RequiredResourceAccess[];
  keyCredentials: KeyCredentialView[];
  passwordCredentials?: PasswordCredentialView[];
  uniqueName?: string | null;
  tags?: string[];
  createdDateTime?: string;
}

export interface PasswordCredentialView {
  keyId: string;
  displayName?: string | null;
  hint?: string | null;
  endDateTime?: string | null;
}
export interface FederatedCredentialView {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences?: string[];
  description?: string | null;
}

/** POST /applications/{id}/federatedIdentityCredentials. */
export interface NewFederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: [string];
  description?: string;
}
export interface DirectoryObjectView {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  appId?: string | null;
}

/** What an app's registration says about who can sign in as it, and who may change that. */
export interface AppCredentials {
  keys: KeyCredentialView[];
  passwords: PasswordCredentialView[];
  federated: FederatedCredentialView[];
  owners: DirectoryObjectView[];
}

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles?: { id: string; value: string }[];
}
export interface GraphAppRoleAssignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}
export interface GraphRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}
export interface Organization {
  tenantId: string;
  displayName: string;
  initialDomain: string;
}

/** GET /policies/defaultAppManagementPolicy (the part exo-cba reads). */
export interface KeyRestriction {
  restrictionType?: string;
  maxLifetime?: string | null;
  state?: string | null;
  restrictForAppsCreatedAfterDateTime?: string | null;
}

export interface TenantAppManagementPolicy {
  id?: string;
  displayName?: string;
  isEnabled?: boolean;
  applicationRestrictions?: { keyCredentials?: KeyRestriction[] | null } | null;
}

export interface NewApplication {
  displayName: string;
  signInAudience: string;
  requiredResourceAccess: RequiredResourceAccess[];
  keyCredentials?: NewKeyCredential[];
  tags?: string[];
}

export interface Directory {
  organization(): Promise<Organization>;
  findApplicationsByName(displayName: string): Promise<GraphApplication[]>;
  /** The tenant's default app management policy (credential rules). */
  getDefaultAppManagementPolicy(): Promise<TenantAppManagementPolicy>;
  /** Apps carrying this tag and display name ($filter; needs no alternate key). */
  findTaggedApplications(tag: string, displayName: string): Promise<GraphApplication[]>;
  getApplication(objectId: string): Promise<GraphApplication | undefined>;
  getApplicationByAppId(appId: string): Promise<GraphApplication | undefined>;
  createApplication(body: NewApplication & { uniqueName?: string }): Promise<GraphApplication>;
  /**
   * Idempotent create (Graph: application upsert): PATCH /applications(uniqueName='…') with
   * Prefer: create-if-missing. 201 with the new app, or 204 when it already existed (then read it).
   */
  upsertApplication(
    uniqueName: string,
    body: NewApplication,
  ): Promise<{ created: boolean; app?: GraphApplication }>;
  /** Every way to sign in as the app (certificates, secrets, federated credentials) and its owners, who may add more. */
  getCredentials(objectId: string): Promise<AppCredentials>;
  removePassword(objectId: string, keyId: string): Promise<void>;
  deleteFederatedCredential(objectId: string, id: string): Promise<void>;
  /** The app's federated identity credentials (workload identity federation); callers read back with it. */
  listFederatedCredentials(objectId: string): Promise<FederatedCredentialView[]>;
  addFederatedCredential(objectId: string, body: NewFederatedCredential): Promise<FederatedCredentialView>;
  getApplicationByUniqueName(uniqueName: string): Promise<GraphApplication | undefined>;
  updateApplication(
    objectId: string,
    patch: { requiredResourceAccess?: RequiredResourceAccess[]; keyCredentials?: NewKeyCredential[] },
  ): Promise<void>;
  /** With the `key` values: the only read that returns them (needed to PATCH the whole collection). */
  getKeyCredentials(objectId: string): Promise<KeyCredentialView[]>;
  addKey(objectId: string, key: NewKeyCredential, proof: string): Promise<KeyCredentialView>;
  removeKey(objectId: string, keyId: string, proof: string): Promise<void>;
  deleteApplication(objectId: string): Promise<void>;
  findServicePrincipal(appId: string): Promise<GraphServicePrincipal | undefined>;
  createServicePrincipal(appId: string): Promise<GraphServicePrincipal>;
  listAppRoleAssignments(principalSpId: string): Promise<GraphAppRoleAssignment[]>;
  grantAppRole(resourceSpId: string, principalId: string, appRoleId: string): Promise<GraphAppRoleAssignment>;
  listRoleAssignments(principalId: string): Promise<GraphRoleAssignment[]>;
  assignDirectoryRole(principalId: string, roleTemplateId: string): Promise<GraphRoleAssignment>;
  removeRoleAssignment(assignmentId: string): Promise<void>;
}

export { GraphApiError, isReplicationGap } from './graph-errors.js';

/** An OData string literal: quoted, with a quote inside doubled ('O''Brien'). */
const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/**
 * An OData string literal as it goes into a URL. The Graph SDK joins paths and query options as given,
 * without encoding them, so an `&`, `#`, `+`, `%`, `?` or `/` in a value would end or change the request.
 */
export const odataLiteral = (s: string) => encodeURIComponent(odataString(s));
/** `$filter=prop eq 'value'`, encoded for the query string. */
export const odataEq = (prop: string, value: string) =>
  encodeURIComponent(`${prop} eq ${odataString(value)}`);

interface SdkGraphError {
  statusCode?: number;
  code?: string | null;
  message?: string;
  requestId?: string | null;
  body?: unknown;
  headers?: Headers;
}

/** Retry-After in seconds (Graph sends seconds; an HTTP date is read too). */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The SDK's error, read into a GraphApiError. Graph's bodies vary in the field: `message` may be a string or
 * an object with `value`, and `details` an array or a single object (go-azure-sdk odata/errors.go copes with
 * both); the AAD Graph era put the detail code in `values[{item: PropertyErrorCode}]`.
 */
function toGraphApiError(
  err: unknown,
  operation: string,
  needs: AdminNeed,
  now: number,
): GraphApiError | Error {
  const e = err as SdkGraphError;
  if (typeof e?.statusCode !== 'number' || e.statusCode <= 0)
    return err instanceof Error ? err : new Error(String(err));
  let details: string[] = [];
  let code = e.code ?? 'unknown';
  let message = e.message ?? '';
  if (typeof e.body === 'string') {
    try {
      // The SDK keeps either the whole body or its inner "error" object, as a JSON string.
      type Inner = {
        code?: string;
        message?: string | { value?: string };
        details?: { code?: string }[] | { code?: string };
        values?: { item?: string; value?: string }[];
      };
      const parsed = JSON.parse(e.body) as Inner & { error?: Inner };
      const inner = parsed.error ?? parsed;
      const list = Array.isArray(inner.details) ? inner.details : inner.details ? [inner.details] : [];
      details = [
        ...list.map((d) => d.code ?? ''),
        ...(inner.values ?? []).filter((v) => v.item === 'PropertyErrorCode').map((v) => v.value ?? ''),
      ].filter(Boolean);
      code = inner.code ?? code;
      message = typeof inner.message === 'string' ? inner.message : (inner.message?.value ?? message);
    } catch {
      // A non-JSON body: keep what the SDK read.
    }
  }
  const ra = retryAfterMs(e.headers?.get?.('retry-after'), now);
  return new GraphApiError(e.statusCode, code, message, details, e.requestId ?? undefined, operation, {
    needs,
    ...(ra !== undefined ? { retryAfterMs: ra } : {}),
  });
}

/** What each operation asks of the signed-in admin (for the advice on a 403); anything unlisted changes apps. */
const NEEDS: Record<string, AdminNeed> = {
  'read the organization': 'read',
  'look up applications by name': 'read',
  'read the application': 'read',
  'read the application credentials and owners': 'read',
  'read the application keys': 'read',
  'read the federated credentials': 'read',
  'read the service principal': 'read',
  'list the app role grants': 'read',
  'list directory role assignments': 'read',
  'grant the app role (admin consent)': 'consent',
  'assign the directory role': 'role-assignment',
  'remove a directory role assignment': 'role-assignment',
};

/**
 * Operations never sent again automatically: a POST /applications whose answer was lost may have created the
 * app, and a second one would make a duplicate. (The uniqueName upsert is idempotent and may be resent.)
 */
const NOT_RESENT = new Set(['create the application (POST)']);

/** How long one Graph call may spend waiting out throttling and transient failures. */
export const GRAPH_CALL_BUDGET_MS = 120_000;

export interface DirectoryOptions {
  clock: Clock;
  out: Pick<Output, 'verbose' | 'progress'>;
}

/** Awaits a call whose answer is not needed. */
const settled = async (answer: Promise<unknown>): Promise<void> => {
  await answer;
};

export async function makeDirectory(
  cloud: Cloud,
  http: HttpTransport,
  token: TokenSource,
  opts: DirectoryOptions,
): Promise<Directory> {
  const sdk = await import('@microsoft/microsoft-graph-client');
  const { Client, AuthenticationHandler } = sdk;

  /** The last link of the SDK's middleware chain: the request goes out through exo-cba's transport. */
  const transport = {
    async execute(context: { request: string | Request; options?: RequestInit; response?: Response }) {
      const req =
        context.request instanceof Request ? context.request : new Request(context.request, context.options);
      const headers: Record<string, string> = {};
      new Headers(context.options?.headers ?? req.headers).forEach((v, k) => (headers[k] = v));
      const body = context.options?.body ?? (req.body ? Buffer.from(await req.arrayBuffer()) : undefined);
      const res = await http({
        method: context.options?.method ?? req.method,
        url: req.url,
        headers,
        ...(body !== undefined && body !== null
          ? { body: typeof body === 'string' ? body : Buffer.from(body as ArrayBuffer) }
          : {}),
      });
      const noBody = res.status === 204 || res.status === 304;
      context.response = new Response(noBody ? null : res.body, { status: res.status, headers: res.headers });
    },
  };
  // No SDK RetryHandler: retries follow exo-cba's one policy (core/retry.ts), which knows which calls are
  // safe to send again and shows every wait.
  const auth = new AuthenticationHandler({ getAccessToken: token });
  auth.setNext(transport);
  const graphHost = new URL(cloud.graphEndpoint).hostname;
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl: cloud.graphEndpoint + '/',
    defaultVersion: 'v1.0',
    // The SDK only attaches the token for Graph hosts it knows, compared by hostname without port.
    customHosts: new Set([graphHost]),
  });

  /**
   * One Graph operation: its error read once, and throttling or a transient failure retried under the one
   * policy. A create that is not idempotent (`resend: false`) is never sent again blindly: its caller looks
   * first (init's application step does).
   */
  function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const needs = NEEDS[operation] ?? 'apps';
    const resend = !NOT_RESENT.has(operation);
    const once = async () => {
      try {
        return await fn();
      } catch (err) {
        throw toGraphApiError(err, operation, needs, opts.clock.now().getTime());
      }
    };
    if (!resend) return once();
    return withRetries(opts, operation, once, {
      deadline: opts.clock.now().getTime() + GRAPH_CALL_BUDGET_MS,
      maxAttempts: 6,
      decide: (err) =>
        err instanceof GraphApiError && (err.reason === 'throttled' || err.reason === 'transient')
          ? {
              label:
                err.reason === 'throttled'
                  ? `Microsoft Graph is throttling (HTTP ${err.status})`
                  : `Microsoft Graph failed this time (HTTP ${err.status})`,
              ...(err.extra.retryAfterMs !== undefined ? { retryAfterMs: err.extra.retryAfterMs } : {}),
            }
          : undefined,
    });
  }
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof GraphApiError && err.status === 404) return undefined;
      throw err;
    }
  };
  const appFields =
    'id,appId,displayName,signInAudience,requiredResourceAccess,keyCredentials,passwordCredentials,uniqueName,tags,createdDateTime';

  return {
    organization: () =>
      call('read the organization', async () => {
        const r = (await client.api('/organization').select('id,displayName,verifiedDomains').get()) as {
          value: {
            id: string;
            displayName: string;
            verifiedDomains: { name: string; isInitial: boolean }[];
          }[];
        };
        const org = r.value[0];
        if (!org) throw new Error('Graph returned no organization for this account.');
        const initial = org.verifiedDomains.find((d) => d.isInitial)?.name;
        if (!initial) throw new Error('The organization has no initial domain in verifiedDomains.');
        return { tenantId: org.id, displayName: org.displayName, initialDomain: initial };
      }),
    findApplicationsByName: (name) =>
      call(
        'look up applications by name',
        async () =>
          (
            (await client
              .api('/applications')
              .filter(odataEq('displayName', name))
              .select(appFields)
              .get()) as { value: GraphApplication[] }
          ).value,
      ),
    getDefaultAppManagementPolicy: () =>
      call(
        'read the tenant app management policy',
        () => client.api('/policies/defaultAppManagementPolicy').get() as Promise<TenantAppManagementPolicy>,
      ),
    findTaggedApplications: (tag, name) =>
      call(
        'look up applications by tag and name',
        async () =>
          (
            (await client
              .api('/applications')
              .filter(`tags/any(t:t eq ${odataString(tag)}) and displayName eq ${odataString(name)}`)
              .select(appFields)
              .get()) as { value: GraphApplication[] }
          ).value,
      ),
    getApplication: (id) =>
      orUndefined(
        call(
          'read the application',
          () => client.api(`/applications/${id}`).select(appFields).get() as Promise<GraphApplication>,
        ),
      ),
    getApplicationByAppId: (appId) =>
      orUndefined(
        call(
          'read the application',
          () =>
            client
              .api(`/applications(appId=${odataLiteral(appId)})`)
              .select(appFields)
              .get() as Promise<GraphApplication>,
        ),
      ),
    createApplication: (body) =>
      call(
        'create the application (POST)',
        () => client.api('/applications').post(body) as Promise<GraphApplication>,
      ),
    upsertApplication: (uniqueName, body) =>
      call('create the application', async () => {
        const res = (await client
          .api(`/applications(uniqueName=${odataLiteral(uniqueName)})`)
          .header('Prefer', 'create-if-missing')
          .responseType(sdk.ResponseType.RAW)
          .patch(body)) as Response;
        if (res.status === 201) return { created: true, app: (await res.json()) as GraphApplication };
        if (res.status === 204 || res.status === 200) return { created: false };
        const text = await res.text();
        throw Object.assign(new Error(text), {
          statusCode: res.status,
          body: text,
          requestId: res.headers.get('request-id'),
        });
      }),
    getCredentials: (id) =>
      call('read the application credentials and owners', async () => {
        const [app, federated, owners] = await Promise.all([
          client.api(`/applications/${id}`).select('keyCredentials,passwordCredentials').get() as Promise<{
            keyCredentials: KeyCredentialView[];
            passwordCredentials?: PasswordCredentialView[];
          }>,
          client.api(`/applications/${id}/federatedIdentityCredentials`).get() as Promise<{
            value: FederatedCredentialView[];
          }>,
          client
            .api(`/applications/${id}/owners`)
            .select('id,displayName,userPrincipalName,appId')
            .get() as Promise<{ value: DirectoryObjectView[] }>,
        ]);
        return {
          keys: app.keyCredentials,
          passwords: app.passwordCredentials ?? [],
          federated: federated.value,
          owners: owners.value,
        };
      }),
    removePassword: (id, keyId) =>
      call('remove a client secret (removePassword)', () =>
        settled(client.api(`/applications/${id}/removePassword`).post({ keyId })),
      ),
    deleteFederatedCredential: (id, fid) =>
      call('delete a federated credential', () =>
        settled(client.api(`/applications/${id}/federatedIdentityCredentials/${fid}`).delete()),
      ),
    listFederatedCredentials: (id) =>
      call(
        'read the federated credentials',
        async () =>
          (
            (await client.api(`/applications/${id}/federatedIdentityCredentials`).get()) as {
              value: FederatedCredentialView[];
            }
          ).value,
      ),
    addFederatedCredential: (id, body) =>
      call(
        'add a federated credential',
        () =>
          client
            .api(`/applications/${id}/federatedIdentityCredentials`)
            .post(body) as Promise<FederatedCredentialView>,
      ),
    getApplicationByUniqueName: (uniqueName) =>
      orUndefined(
        call(
          'read the application',
          () =>
            client
              .api(`/applications(uniqueName=${odataLiteral(uniqueName)})`)
              .select(appFields)
              .get() as Promise<GraphApplication>,
        ),
      ),
    updateApplication: (id, patch) =>
      call('update the application', () => settled(client.api(`/applications/${id}`).patch(patch))),
    getKeyCredentials: (id) =>
      call(
        'read the application keys',
        async () =>
          (
            (await client.api(`/applications/${id}`).select('keyCredentials').get()) as {
              keyCredentials: KeyCredentialView[];
            }
          ).keyCredentials,
      ),
    addKey: (id, keyCredential, proof) =>
      call(
        'add a key (addKey)',
        () =>
          client
            .api(`/applications/${id}/addKey`)
            .post({ keyCredential, passwordCredential: null, proof }) as Promise<KeyCredentialView>,
      ),
    removeKey: (id, keyId, proof) =>
      call('remove a key (removeKey)', () =>
        settled(client.api(`/applications/${id}/removeKey`).post({ keyId, proof })),
      ),
    deleteApplication: (id) =>
      call('delete the application', () => settled(client.api(`/applications/${id}`).delete())),
    findServicePrincipal: (appId) =>
      orUndefined(
        call(
          'read the service principal',
          () =>
            client
              .api(`/servicePrincipals(appId=${odataLiteral(appId)})`)
              .select('id,appId,displayName,appRoles')
              .get() as Promise<GraphServicePrincipal>,
        ),
      ),
    createServicePrincipal: (appId) =>
      call(
        'create the service principal',
        () => client.api('/servicePrincipals').post({ appId }) as Promise<GraphServicePrincipal>,
      ),
    listAppRoleAssignments: (spId) =>
      call(
        'list the app role grants',
        async () =>
          (
            (await client.api(`/servicePrincipals/${spId}/appRoleAssignments`).get()) as {
              value: GraphAppRoleAssignment[];
            }
          ).value,
      ),
    grantAppRole: (resourceSpId, principalId, appRoleId) =>
      call(
        'grant the app role (admin consent)',
        () =>
          client
            .api(`/servicePrincipals/${resourceSpId}/appRoleAssignedTo`)
            .post({ principalId, resourceId: resourceSpId, appRoleId }) as Promise<GraphAppRoleAssignment>,
      ),
    listRoleAssignments: (principalId) =>
      call(
        'list directory role assignments',
        async () =>
          (
            (await client
              .api('/roleManagement/directory/roleAssignments')
              .filter(odataEq('principalId', principalId))
              .get()) as { value: GraphRoleAssignment[] }
          ).value,
      ),
    removeRoleAssignment: (id) =>
      call('remove a directory role assignment', () =>
        settled(client.api(`/roleManagement/directory/roleAssignments/${id}`).delete()),
      ),
    assignDirectoryRole: (principalId, roleDefinitionId) =>
      call(
        'assign the directory role',
        () =>
          client
            .api('/roleManagement/directory/roleAssignments')
            .post({ principalId, roleDefinitionId, directoryScopeId: '/' }) as Promise<GraphRoleAssignment>,
      ),
  };
}
