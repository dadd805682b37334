import { randomBytes, randomUUID, createHash } from 'node:crypto';
import {
  SignJWT,
  jwtVerify,
  generateKeyPair,
  exportJWK,
  type JWTPayload,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Application, Directory } from './directory.js';
import { type SbRequest, type SbResponse, form, stsError } from './http-util.js';
import type { Faults } from './faults.js';
import { checkClientAssertion } from './client-assertion.js';
import { resolveTokenResource } from './token-resources.js';
import { checkFederatedAssertion, isFederatedAssertion } from './federated-assertion.js';

/** Entra's token service as exo-cba meets it: discovery, client credentials with a certificate, device code, auth code + PKCE, refresh. */

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  approvedAt: number;
}
interface AuthCode {
  code: string;
  clientId: string;
  scopes: string[];
  challenge: string;
  redirectUri: string;
  nonce?: string;
  expiresAt: number;
  userId: string;
}
interface Refresh {
  clientId: string;
  userId: string;
}

export interface SigningKey {
  privateKey: CryptoKey;
  jwk: JWK;
  kid: string;
}

export async function makeSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url').slice(0, 27);
  return { privateKey, jwk: { ...jwk, kid, use: 'sig', alg: 'RS256' }, kid };
}

export interface TokenServiceOptions {
  origin: () => string;
  directory: Directory;
  key: SigningKey;
  faults: Faults;
  now: () => number;
  resources: { graph: string; exchange: string };
  /** The signing keys of an outside issuer (the OIDC stand-in), for federated assertions. */
  federatedKeys?: (issuer: string) => JWK[] | undefined;
}

export class TokenService {
  private deviceCodes = new Map<string, DeviceCode>();
  private authCodes = new Map<string, AuthCode>();
  private refreshTokens = new Map<string, Refresh>();

  constructor(private readonly o: TokenServiceOptions) {}

  private get dir() {
    return this.o.directory;
  }

  private nowS(): number {
    return Math.floor(this.o.now() / 1000);
  }

  /** The tenant segment of a path: id or initial domain; common/organizations only where Entra allows them. */
  private tenantOf(segment: string): 'ok' | 'multi' | 'unknown' {
    const t = this.dir.tenant;
    const s = segment.toLowerCase();
    if (s === t.id || s === t.initialDomain.toLowerCase()) return 'ok';
    if (s === 'organizations' || s === 'common') return 'multi';
    return 'unknown';
  }

  async handle(req: SbRequest): Promise<SbResponse> {
    const parts = req.url.pathname.split('/').filter(Boolean);
    const tenantSeg = parts[0] ?? '';
    const rest = parts.slice(1).join('/');
    const tenant = this.tenantOf(tenantSeg);
    if (tenant === 'unknown' && parts.length > 1) {
      return stsError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenantSeg}' not found. Check to make sure you have the correct tenant ID and are ` +
          `signing into the correct cloud.`,
      );
    }
    const origin = this.o.origin();
    if (req.method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') {
      const tid = this.dir.tenant.id;
      return {
        status: 200,
        body: {
          issuer: `${origin}/${tid}/v2.0`,
          authorization_endpoint: `${origin}/${tenantSeg}/oauth2/v2.0/authorize`,
          token_endpoint: `${origin}/${tenantSeg}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${origin}/${tenantSeg}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${origin}/${tenantSeg}/oauth2/v2.0/logout`,
          jwks_uri: `${origin}/${tenantSeg}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: [
            'client_secret_post',
            'private_key_jwt',
            'client_secret_basic',
          ],
          claims_supported: [
            'sub',
            'iss',
            'aud',
            'exp',
            'iat',
            'nonce',
            'tid',
            'oid',
            'preferred_username',
            'name',
          ],
          tenant_region_scope: 'WW',
          cloud_instance_name: 'exo-cba.sandbox',
        },
      };
    }
    if (req.method === 'GET' && rest === 'discovery/v2.0/keys')
      return { status: 200, body: { keys: [this.o.key.jwk] } };
    if (req.method === 'POST' && rest === 'oauth2/v2.0/devicecode') return this.deviceAuthorization(req);
    if (req.method === 'GET' && rest === 'oauth2/v2.0/authorize') return this.authorize(req);
    if (req.method === 'POST' && (rest === 'oauth2/v2.0/token' || rest === 'oauth2/token'))
      return this.token(req, tenantSeg, tenant);
    return {
      status: 404,
      body: { error: 'not_found', error_description: `No such endpoint: ${req.url.pathname}` },
    };
  }

  // --- public clients (the admin) -----------------------------------------------------------

  private publicClientError(clientId: string | null): SbResponse | undefined {
    if (!clientId)
      return stsError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    if (this.o.faults.state.blockedClients.includes(clientId)) {
      return stsError(400, 'unauthorized_client', 7000112, `Application '${clientId}' is disabled.`);
    }
    const sp = this.dir.spByAppId(clientId);
    const app = this.dir.appByAppId(clientId);
    if (!(sp?.publicClient || app?.isFallbackPublicClient)) {
      return stsError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.dir.tenant.displayName}'.`,
      );
    }
    return undefined;
  }

  /** Splits "https://graph.microsoft.com/A https://graph.microsoft.com/B openid" into one resource and its scopes. */
  private delegatedScopes(scope: string): { resource: string; scopes: string[] } | SbResponse {
    const wanted = scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
    const byResource = new Map<string, string[]>();
    for (const s of wanted) {
      const i = s.lastIndexOf('/');
      const resource = i > 0 ? s.slice(0, i) : this.o.resources.graph;
      const name = i > 0 ? s.slice(i + 1) : s;
      byResource.set(resource, [...(byResource.get(resource) ?? []), name]);
    }
    if (byResource.size > 1)
      return stsError(
        400,
        'invalid_request',
        28000,
        'Provided value for the input parameter scope is not valid because it contains more than one resource.',
      );
    const [entry] = [...byResource.entries()];
    const resource = entry?.[0] ?? this.o.resources.graph;
    if (!resolveTokenResource(this.dir, resource))
      return stsError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${this.dir.tenant.displayName}.`,
      );
    // `.default` asks for what the client holds on that resource; the sandbox's first-party public clients hold
    // Exchange.Manage on Exchange (an assumption: a tenant's own client needs it granted).
    const names = (entry?.[1] ?? []).flatMap((s) =>
      s === '.default' && resource === this.o.resources.exchange ? ['Exchange.Manage'] : [s],
    );
    return { resource, scopes: names.filter((s) => !this.o.faults.state.deniedScopes.includes(s)) };
  }

  private deviceAuthorization(req: SbRequest): SbResponse {
    const f = form(req);
    const err = this.publicClientError(f.get('client_id'));
    if (err) return err;
    const parsed = this.delegatedScopes(f.get('scope') ?? '');
    if ('status' in parsed) return parsed;
    const userCode = randomBytes(5).toString('hex').toUpperCase().slice(0, 9);
    const dc: DeviceCode = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode,
      clientId: f.get('client_id') ?? '',
      scopes: (f.get('scope') ?? '').split(/\s+/).filter(Boolean),
      expiresAt: this.o.now() + 900_000,
      approvedAt: this.o.now() + this.o.faults.state.deviceCode.approveAfterMs,
    };
    this.deviceCodes.set(dc.deviceCode, dc);
    const uri = `${this.o.origin()}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: dc.deviceCode,
        verification_uri: uri,
        expires_in: 900,
        interval: this.o.faults.state.deviceCode.interval,
        message:
          `To sign in, use a web browser to open the page ${uri} and enter the code ` +
          `${userCode} to authenticate. (Sandbox: approved automatically.)`,
      },
    };
  }

  private authorize(req: SbRequest): SbResponse {
    const q = req.url.searchParams;
    const err = this.publicClientError(q.get('client_id'));
    if (err)
      return {
        status: 400,
        headers: { 'content-type': 'text/html' },
        body: `<html><body>${(err.body as { error_description: string }).error_description}</body></html>`,
      };
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(redirectUri)) {
      return {
        status: 400,
        headers: { 'content-type': 'text/html' },
        body:
          'AADSTS50011: The redirect URI specified in the request does not match the redirect ' +
          'URIs configured for the application.',
      };
    }
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      return {
        status: 400,
        headers: { 'content-type': 'text/html' },
        body: 'AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
      };
    }
    const user = this.dir.data.users[0];
    if (!user) return { status: 500, body: 'no user' };
    const code = randomBytes(32).toString('base64url');
    this.authCodes.set(code, {
      code,
      clientId: q.get('client_id') ?? '',
      scopes: (q.get('scope') ?? '').split(/\s+/).filter(Boolean),
      challenge: q.get('code_challenge') ?? '',
      redirectUri,
      nonce: q.get('nonce') ?? undefined,
      expiresAt: this.o.now() + 600_000,
      userId: user.id,
    });
    const fields: Record<string, string> = {
      code,
      client_info: this.clientInfo(user.id),
      state: q.get('state') ?? '',
    };
    const inputs = Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, '&quot;')}"/>`)
      .join('');
    if (q.get('response_mode') === 'form_post') {
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body:
          `<html><body onload="document.forms[0].submit()"><form method="POST" ` +
          `action="${redirectUri}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`,
      };
    }
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
    return { status: 302, headers: { location: target.toString() } };
  }

  private clientInfo(userId: string): string {
    return Buffer.from(JSON.stringify({ uid: userId, utid: this.dir.tenant.id })).toString('base64url');
  }

  private async userTokens(
    clientId: string,
    userId: string,
    scope: string[],
    nonce?: string,
  ): Promise<SbResponse> {
    const parsed = this.delegatedScopes(scope.join(' '));
    if ('status' in parsed) return parsed;
    const user = this.dir.user(userId);
    if (!user)
      return stsError(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
    const now = this.nowS();
    const tid = this.dir.tenant.id;
    const accessToken = await this.sign({
      aud: parsed.resource,
      iss: `https://sts.windows.net/${tid}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      tid,
      oid: user.id,
      sub: user.id,
      upn: user.userPrincipalName,
      name: user.displayName,
      appid: clientId,
      scp: parsed.scopes.join(' '),
      wids: this.dir.roleTemplatesOf(user.id),
      idtyp: 'user',
      ver: '1.0',
    });
    const idToken = await this.sign({
      aud: clientId,
      iss: `${this.o.origin()}/${tid}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      tid,
      oid: user.id,
      sub: user.id,
      preferred_username: user.userPrincipalName,
      name: user.displayName,
      ver: '2.0',
      ...(nonce ? { nonce } : {}),
    });
    const refresh = randomBytes(32).toString('base64url');
    this.refreshTokens.set(refresh, { clientId, userId });
    const qualify = (s: string) => (s.includes('/') ? s : `${parsed.resource}/${s}`);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: [
          ...parsed.scopes.map(qualify),
          ...scope.filter((s) => OIDC_SCOPES.has(s) && s !== 'offline_access'),
        ].join(' '),
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: accessToken,
        refresh_token: refresh,
        id_token: idToken,
        client_info: this.clientInfo(user.id),
      },
    };
  }

  // --- the token endpoint -----------------------------------------------------------------

  private async token(
    req: SbRequest,
    tenantSeg: string,
    tenant: 'ok' | 'multi' | 'unknown',
  ): Promise<SbResponse> {
    const f = form(req);
    const grant = f.get('grant_type');
    if (grant === 'client_credentials') {
      if (tenant !== 'ok')
        return stsError(
          400,
          'invalid_request',
          1003033,
          "Client credential flows need a tenant in the authority, not 'common' or 'organizations'.",
        );
      return this.clientCredentials(
        f,
        `${this.o.origin()}/${tenantSeg}${req.url.pathname.endsWith('/v2.0/token') ? '/oauth2/v2.0/token' : '/oauth2/token'}`,
      );
    }
    if (grant === DEVICE_GRANT || grant === 'device_code') {
      const dc = this.deviceCodes.get(f.get('device_code') ?? '');
      if (!dc)
        return stsError(
          400,
          'invalid_grant',
          70000,
          'The provided value for the input parameter device_code is not valid.',
        );
      const mode = this.o.faults.state.deviceCode.mode;
      if (mode === 'expire' || this.o.now() > dc.expiresAt)
        return stsError(
          400,
          'expired_token',
          70020,
          'The provided authorization code or refresh token has expired due to inactivity. Send a ' +
            'new interactive authorization request.',
        );
      if (mode === 'deny')
        return stsError(
          400,
          'authorization_declined',
          70000,
          'The user has declined the authorization request.',
        );
      // The text Entra sends when a Conditional Access policy blocks token issuance (AADSTS53003, Entra sign-in error codes reference).
      if (mode === 'conditional-access')
        return stsError(
          400,
          'invalid_grant',
          53003,
          'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
        );
      if (this.o.now() < dc.approvedAt)
        return stsError(
          400,
          'authorization_pending',
          70016,
          'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
        );
      this.deviceCodes.delete(dc.deviceCode);
      const user = this.dir.data.users[0];
      if (!user) return stsError(400, 'invalid_grant', 50034, 'No user.');
      return this.userTokens(dc.clientId, user.id, dc.scopes);
    }
    if (grant === 'authorization_code') {
      const ac = this.authCodes.get(f.get('code') ?? '');
      if (!ac || this.o.now() > ac.expiresAt)
        return stsError(
          400,
          'invalid_grant',
          70008,
          'The provided authorization code or refresh token has expired or is invalid.',
        );
      this.authCodes.delete(ac.code);
      if (f.get('client_id') !== ac.clientId)
        return stsError(400, 'invalid_grant', 70002, 'The client does not match the authorization code.');
      if (f.get('redirect_uri') !== ac.redirectUri)
        return stsError(
          400,
          'invalid_grant',
          50011,
          'The redirect URI does not match the one used in the authorization request.',
        );
      const verifier = f.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== ac.challenge) {
        return stsError(
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
      const scope = (f.get('scope') ?? ac.scopes.join(' ')).split(/\s+/).filter(Boolean);
      return this.userTokens(ac.clientId, ac.userId, scope, ac.nonce);
    }
    if (grant === 'refresh_token') {
      const rt = this.refreshTokens.get(f.get('refresh_token') ?? '');
      if (!rt || rt.clientId !== f.get('client_id'))
        return stsError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      const err = this.publicClientError(rt.clientId);
      if (err) return err;
      return this.userTokens(rt.clientId, rt.userId, (f.get('scope') ?? '').split(/\s+/).filter(Boolean));
    }
    return stsError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant ?? ''}'.`,
    );
  }

  /** The client's proof: a certificate assertion (appidacr 2) or a client secret (appidacr 1), or the refusal. */
  private async clientProof(
    f: URLSearchParams,
    app: Application,
    tokenEndpoint: string,
  ): Promise<{ acr: '1' | '2' } | SbResponse> {
    const clientId = app.appId;
    const secret = f.get('client_secret');
    if (secret !== null && !f.get('client_assertion')) {
      const hash = createHash('sha256').update(secret).digest('hex');
      const now = this.o.now();
      const ok = (app.passwordCredentials ?? []).some(
        (p) => p.secretHash === hash && Date.parse(p.startDateTime) <= now && now < Date.parse(p.endDateTime),
      );
      return ok
        ? { acr: '1' }
        : stsError(
            401,
            'invalid_client',
            7000215,
            `Invalid client secret provided. Ensure the secret being sent in the request is the ` +
              `client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
          );
    }
    if (f.get('client_assertion_type') !== ASSERTION_TYPE || !f.get('client_assertion')) {
      return stsError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const assertion = f.get('client_assertion') ?? '';
    if (isFederatedAssertion(assertion)) {
      const refusedFederated = await checkFederatedAssertion(app, assertion, {
        nowMs: this.o.now(),
        keysFor: (iss) => this.o.federatedKeys?.(iss),
        replicated: (c) => this.dir.visible({ visibleAt: c.visibleAt ?? 0 }),
      });
      return refusedFederated ?? { acr: '2' };
    }
    const refused = await checkClientAssertion(app, clientId, assertion, {
      nowMs: this.o.now(),
      audiences: this.acceptedAudiences(tokenEndpoint),
      tokenEndpoint,
      visible: (k) => this.dir.visible(k),
    });
    return refused ?? { acr: '2' };
  }

  private async clientCredentials(f: URLSearchParams, tokenEndpoint: string): Promise<SbResponse> {
    const clientId = f.get('client_id') ?? '';
    const tenantName = this.dir.tenant.displayName;
    const app = this.dir.appByAppId(clientId);
    if (!app) {
      if (!f.get('client_assertion') && f.get('client_secret') === null)
        return stsError(
          401,
          'invalid_client',
          7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
      return stsError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. ` +
          `This can happen if the application has not been installed by the administrator of the ` +
          `tenant or consented to by any user in the tenant. You may have sent your ` +
          `authentication request to the wrong tenant.`,
      );
    }
    const proof = await this.clientProof(f, app, tokenEndpoint);
    if ('status' in proof) return proof;
    const scope = (f.get('scope') ?? '').trim();
    if (!scope.endsWith('/.default') || scope.includes(' ')) {
      return stsError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a ` +
          `scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resourceId = scope.slice(0, -'/.default'.length);
    const resolved = resolveTokenResource(this.dir, resourceId);
    if (!resolved)
      return stsError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resourceId} was not found in the tenant named ${tenantName}.`,
      );
    const sp = this.dir.spByAppId(clientId);
    if (!sp && this.o.faults.state.missingServicePrincipal === 'token-without-oid')
      return this.tokenWithoutOid(clientId, app.displayName, { aud: resolved.audience });
    if (!sp)
      return stsError(
        401,
        'invalid_client',
        7000229,
        `The client application ${clientId} is missing service principal in the tenant ${this.dir.tenant.id}.`,
      );
    const now = this.nowS();
    const tid = this.dir.tenant.id;
    const roles = this.dir.grantedRoles(sp.id, resolved.sp);
    const wids = this.dir.roleTemplatesOf(sp.id);
    const accessToken = await this.sign({
      aud: resolved.audience,
      iss: `https://sts.windows.net/${tid}/`,
      iat: now,
      nbf: now,
      exp: now + 3599,
      tid,
      appid: clientId,
      app_displayname: app.displayName,
      oid: sp.id,
      sub: sp.id,
      idtyp: 'app',
      ver: '1.0',
      appidacr: proof.acr,
      ...(roles.length ? { roles } : {}),
      ...(wids.length ? { wids } : {}),
    });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken },
    };
  }

  /**
   * The app-only token Entra has issued while the app's service principal is missing: `appid` and `idtyp: app`,
   * no `oid`, no roles (pnp/cli-microsoft365#7589; Graph then answers 401 Authorization_IdentityNotFound).
   */
  private async tokenWithoutOid(
    clientId: string,
    displayName: string,
    to: { aud: string },
  ): Promise<SbResponse> {
    const now = this.nowS();
    const tid = this.dir.tenant.id;
    const accessToken = await this.sign({
      aud: to.aud,
      iss: `https://sts.windows.net/${tid}/`,
      iat: now,
      nbf: now,
      exp: now + 3599,
      tid,
      appid: clientId,
      app_displayname: displayName,
      idtyp: 'app',
      ver: '1.0',
      appidacr: '2',
    });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken },
    };
  }

  private acceptedAudiences(tokenEndpoint: string): string[] {
    const t = this.dir.tenant;
    const origin = this.o.origin();
    const out = [tokenEndpoint];
    for (const seg of [t.id, t.initialDomain])
      out.push(`${origin}/${seg}/oauth2/v2.0/token`, `${origin}/${seg}/oauth2/token`);
    return out.map((s) => s.toLowerCase());
  }

  async sign(claims: JWTPayload): Promise<string> {
    return new SignJWT({ ...claims, uti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.o.key.kid })
      .sign(this.o.key.privateKey);
  }

  /** Validates one of the sandbox's own access tokens for a resource (Graph, Exchange). */
  async verify(
    token: string,
    audiences: string[],
  ): Promise<{ ok: true; claims: JWTPayload & Record<string, unknown> } | { ok: false; reason: string }> {
    try {
      const { importJWK } = await import('jose');
      const pub = await importJWK(this.o.key.jwk, 'RS256');
      const { payload } = await jwtVerify(token, pub, {
        algorithms: ['RS256'],
        currentDate: new Date(this.o.now()),
      });
      const aud = String(payload.aud).toLowerCase();
      if (!audiences.map((a) => a.toLowerCase()).includes(aud))
        return { ok: false, reason: 'Invalid audience.' };
      return { ok: true, claims: payload };
    } catch (err) {
      return {
        ok: false,
        reason:
          (err as { code?: string }).code === 'ERR_JWT_EXPIRED'
            ? 'Lifetime validation failed, the token is expired.'
            : 'Invalid signature.',
      };
    }
  }
}
