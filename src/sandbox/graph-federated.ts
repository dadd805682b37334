/**
 * Graph's federated identity credentials of an application, served on the Graph origin:
 * `GET|POST /v1.0/applications/{id}/federatedIdentityCredentials` and
 * `GET|PATCH|DELETE /v1.0/applications/{id}/federatedIdentityCredentials/{id or name}` (also by
 * `(name='…')` and under `/applications(appId='…')`), with Graph's rules:
 * - name: required, ≤ 120 characters, URL-friendly, immutable, unique within the app; issuer, subject and each
 *   audience ≤ 600; audiences exactly one value; issuer + subject unique within the app
 *   (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential);
 * - at most 20 per application (https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials);
 * - the duplicate name is 409 Request_MultipleObjectsWithSameKeyValue "FederatedIdentityCredential with name …
 *   already exists." (Azure/azure-dev#1482), the duplicate issuer + subject 400
 *   InvalidFederatedIdentityCredentialValue "The combination of issuer and subject must be unique …"
 *   (Azure/azure-workload-identity#434). The texts of the other refusals are not recorded: the sandbox uses
 *   Graph's generic property-validation wording ("Invalid value specified for property '…' of resource '…'.").
 * The name's character set is the one the Entra admin center and ARM state for federated credentials (letters,
 * digits, '-' and '_', starting with a letter or digit, 3–120 characters): an inference for app registrations.
 * A new credential reaches reads and the token service after the replication delay.
 */
import { randomUUID } from 'node:crypto';
import type { Application, Directory, FederatedCredential } from './directory.js';
import { type SbRequest, type SbResponse, graphError, jsonOf, INVALID_JSON } from './http-util.js';
import { type Caller, allowed, denied, notFound, badRequest, READ_APPS, WRITE_APPS } from './graph-access.js';

const FEDERATED_CREDENTIALS_PER_APP = 20;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
const LONG = 600;

export interface FederatedContext {
  dir: Directory;
  caller: Caller;
  req: SbRequest;
  ctx: (path: string) => string;
}

/** Whether a credential has reached reads and the token service (one written before the field existed has). */
const replicated = (dir: Directory, f: FederatedCredential): boolean =>
  dir.visible({ visibleAt: f.visibleAt ?? 0 });

const invalidProperty = (property: string) =>
  badRequest(`Invalid value specified for property '${property}' of resource 'FederatedIdentityCredential'.`);

function view(f: FederatedCredential) {
  return {
    id: f.id,
    name: f.name,
    issuer: f.issuer,
    subject: f.subject,
    description: f.description ?? null,
    audiences: f.audiences,
  };
}

const ROUTE = new RegExp(
  String.raw`^\/applications(?:\/([^/()]+)|\(appId='([^']+)'\))` +
    String.raw`\/federatedIdentityCredentials(?:\/([^/()]+)|\(name='([^']+)'\))?$`,
);

/** The answer to a federatedIdentityCredentials route, or undefined when the route is not one. */
export function handleFederatedCredentials(c: FederatedContext, route: string): SbResponse | undefined {
  const m = ROUTE.exec(route);
  if (!m) return undefined;
  const key = m[1] ?? m[2] ?? '';
  const app = m[1] ? c.dir.app(key) : c.dir.appByAppId(key);
  const one = m[3] ?? m[4];
  if (!allowed(c.dir, c.caller, c.req.method === 'GET' ? READ_APPS : WRITE_APPS)) return denied();
  if (!app) return notFound(key);
  if (one !== undefined) return single(c, app, one);
  if (c.req.method === 'GET') return list(c, app);
  if (c.req.method === 'POST') return create(c, app);
  return undefined;
}

function single(c: FederatedContext, app: Application, one: string): SbResponse | undefined {
  const found = (app.federatedIdentityCredentials ?? []).find(
    (f) => (f.id === one || f.name === one) && replicated(c.dir, f),
  );
  if (!found) return notFound(one);
  if (c.req.method === 'GET')
    return {
      status: 200,
      body: { '@odata.context': c.ctx('applications/federatedIdentityCredentials/$entity'), ...view(found) },
    };
  if (c.req.method === 'DELETE') {
    app.federatedIdentityCredentials = (app.federatedIdentityCredentials ?? []).filter((f) => f !== found);
    return { status: 204 };
  }
  if (c.req.method === 'PATCH') return patch(c, app, found);
  return undefined;
}

function list(c: FederatedContext, app: Application): SbResponse {
  const value = (app.federatedIdentityCredentials ?? []).filter((f) => replicated(c.dir, f)).map(view);
  return {
    status: 200,
    body: { '@odata.context': c.ctx(`applications('${app.id}')/federatedIdentityCredentials`), value },
  };
}

type Fields = Pick<FederatedCredential, 'issuer' | 'subject' | 'audiences'> & { description?: string | null };

const textOk = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= LONG;

/** issuer and subject: required on a create, kept when a PATCH leaves them out. */
function texts(
  b: Record<string, unknown>,
  base: Fields | undefined,
): Pick<Fields, 'issuer' | 'subject'> | string {
  const out = { issuer: base?.issuer ?? '', subject: base?.subject ?? '' };
  for (const k of ['issuer', 'subject'] as const) {
    const v = b[k];
    if (v === undefined && base) continue;
    if (!textOk(v)) return k;
    out[k] = v;
  }
  return out;
}

/** audiences: exactly one value, required on a create. */
function audiencesRefusal(aud: unknown, base: Fields | undefined): SbResponse | undefined {
  if (aud === undefined && base) return undefined;
  if (!Array.isArray(aud) || aud.length !== 1)
    return badRequest('The audiences property must contain exactly one value.');
  return textOk(aud[0]) ? undefined : invalidProperty('audiences');
}

/** Validates the writable fields (all of them for a create, the ones sent for a PATCH). */
function fields(b: Record<string, unknown>, base: Fields | undefined): Fields | SbResponse {
  const t = texts(b, base);
  if (typeof t === 'string') return invalidProperty(t);
  const aud = b['audiences'];
  const refused = audiencesRefusal(aud, base);
  if (refused) return refused;
  const d = b['description'];
  if (d !== undefined && d !== null && !(typeof d === 'string' && d.length <= LONG))
    return invalidProperty('description');
  return {
    ...t,
    audiences: Array.isArray(aud) ? aud.map(String) : (base?.audiences ?? []),
    description: typeof d === 'string' || d === null ? d : (base?.description ?? null),
  };
}

/** Issuer + subject are unique within the app, whatever reads can see yet. */
function duplicatePair(app: Application, f: Fields, except?: FederatedCredential): SbResponse | undefined {
  const clash = (app.federatedIdentityCredentials ?? []).some(
    (x) => x !== except && x.issuer === f.issuer && x.subject === f.subject,
  );
  if (!clash) return undefined;
  return graphError(
    400,
    'InvalidFederatedIdentityCredentialValue',
    `The combination of issuer and subject must be unique for the application. Issuer ${f.issuer} and ` +
      `Subject: ${f.subject} already exist. paramName: FederatedIdentityCredential.Subject, paramValue: ` +
      `${f.subject}, objectType: Microsoft.Online.DirectoryServices.Application`,
  );
}

function body(c: FederatedContext): { b: Record<string, unknown> } | { refused: SbResponse } {
  const b = jsonOf(c.req);
  if (b === INVALID_JSON || typeof b !== 'object' || b === null)
    return { refused: badRequest('Unable to read JSON request payload.') };
  return { b: b as Record<string, unknown> };
}

function create(c: FederatedContext, app: Application): SbResponse {
  const read = body(c);
  if ('refused' in read) return read.refused;
  const { b } = read;
  const name = b['name'];
  if (typeof name !== 'string' || !NAME.test(name)) return invalidProperty('name');
  const f = fields(b, undefined);
  if ('status' in f) return f;
  const all = (app.federatedIdentityCredentials ??= []);
  // The name is an alternate key: unique at write time, compared without regard to case.
  if (all.some((x) => x.name.toLowerCase() === name.toLowerCase()))
    return graphError(
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `FederatedIdentityCredential with name ${name} already exists.`,
    );
  const dup = duplicatePair(app, f);
  if (dup) return dup;
  if (all.length >= FEDERATED_CREDENTIALS_PER_APP)
    return badRequest(
      `The application has reached the limit of ${FEDERATED_CREDENTIALS_PER_APP} federated identity ` +
        `credentials.`,
    );
  const made: FederatedCredential = { id: randomUUID(), name, ...f, visibleAt: c.dir.stamp() };
  all.push(made);
  return {
    status: 201,
    headers: { location: c.ctx(`applications/${app.id}/federatedIdentityCredentials/${made.id}`) },
    body: {
      '@odata.context': c.ctx(`applications('${app.id}')/federatedIdentityCredentials/$entity`),
      ...view(made),
    },
  };
}

function patch(c: FederatedContext, app: Application, found: FederatedCredential): SbResponse {
  const read = body(c);
  if ('refused' in read) return read.refused;
  const { b } = read;
  // The name is immutable.
  if (b['name'] !== undefined && b['name'] !== found.name) return invalidProperty('name');
  const f = fields(b, found);
  if ('status' in f) return f;
  const dup = duplicatePair(app, f, found);
  if (dup) return dup;
  Object.assign(found, f);
  return { status: 204 };
}
