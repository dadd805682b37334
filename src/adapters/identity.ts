import { AsyncLocalStorage } from 'node:async_hooks';
import type { PublicClientApplication } from '@azure/msal-node';
import { NetworkError, type HttpTransport } from './http.js';
import { AuthError, classifyTokenError, type SeenOnTheWire } from './token-errors.js';
import type { Cloud } from '../core/clouds.js';
import { MSAL_KNOWN_HOSTS } from '../core/clouds.js';
import type { Clock, Output } from '../core/ports.js';
import { withRetries } from '../core/retry.js';
import type { AuthorityMetadata } from '../core/authority-metadata.js';
import { fetchAuthorityMetadata } from './authority-metadata.js';

/** Sign-in through MSAL: the admin (device code or browser), and the app itself with its certificate. */

export interface AppCredential {
  clientId: string;
  tenant: string;
  keyPem: string;
  thumbprintSha256: string;
}

export interface AppToken {
  accessToken: string;
  claims: Record<string, unknown>;
}

export interface AdminSession {
  username: string;
  tenantId: string;
  /**
   * The directory roles active for the admin, from the token's `wids` claim (group-assigned and PIM-activated
   * roles included); undefined when the token does not carry the claim.
   */
  activeRoles?: string[];
  /** A Graph token for the scopes asked at sign-in, renewed silently when needed. */
  graphToken(): Promise<string>;
  /** A token for another resource (`https://outlook.office365.com` for Exchange's admin API), silently, for the same admin. */
  tokenFor(resource: string): Promise<{ accessToken: string; scopes: string[] }>;
}

export interface AdminSignInRequest {
  tenant: string;
  clientId: string;
  scopes: string[];
  method: 'device' | 'browser';
  /** The text to show, and how many seconds the code stays valid. */
  onDeviceCode(message: string, expiresInSeconds: number): void;
  openBrowser(url: string): Promise<void>;
  /**
   * How long after a transient failure of the token service (429, 5xx) the sign-in may still start over
   * (--wait); 2 minutes by default. Each new attempt shows a new code or opens the browser again.
   */
  retryWithinMs?: number;
}

export interface Identity {
  signInAdmin(req: AdminSignInRequest): Promise<AdminSession>;
  /**
   * An app-only token for `resource` (…/.default), always fresh from the token endpoint. `metadata` is the
   * tenant's authority metadata to use (a kept copy); without it, the run's own copy (authorityMetadata).
   */
  appToken(
    cred: AppCredential,
    resource: string,
    opts?: { deadline?: number; metadata?: AuthorityMetadata },
  ): Promise<AppToken>;
  /**
   * An app-only token for `resource` from a federated assertion (a CI system's OIDC token that a federated
   * credential on the app trusts): client credentials with `client_assertion`, never cached.
   */
  federatedAppToken(
    req: { clientId: string; tenant: string; assertion: () => Promise<string> },
    resource: string,
    opts?: { deadline?: number },
  ): Promise<AppToken>;
  /** `https://<authority host>/<tenant>`: what a kept copy of the metadata must describe to be used. */
  authorityOf(tenant: string): string;
  /**
   * The tenant's authority metadata, fetched once per run and shared by every app of the tenant (retried
   * until `deadline`, 15 s by default, as the first caller asked); undefined when MSAL ships the metadata of
   * this host, so that no request is needed.
   */
  authorityMetadata(tenant: string, opts?: { deadline?: number }): Promise<AuthorityMetadata | undefined>;
}

export { AuthError } from './token-errors.js';

/**
 * A token's claims, read without checking its signature (the service that issued it is the one that checks);
 * {} for anything that is not a JWS compact token with a JSON object as its payload.
 */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * What the network client saw during one token call: each call has its own (concurrent check --all workers).
 * `localBlock`: a throttled token POST without Retry-After, after which MSAL refuses the same request locally.
 */
type CallState = SeenOnTheWire & { localBlock?: boolean };

/**
 * After a 429 or 5xx from the token endpoint MSAL refuses the identical token request locally for
 * Retry-After seconds, or 60 s when the service sent none (msal-common ThrottlingUtils, around the token POST
 * only): a retry sooner never reaches the service. Other requests (the OpenID configuration) have no block.
 */
export const MSAL_DEFAULT_THROTTLE_MS = 60_000;

/** How long a fetch of the OpenID configuration may take, retries included, before the caller decides. */
const METADATA_DEADLINE_MS = 15_000;

export async function makeIdentity(
  cloud: Cloud,
  http: HttpTransport,
  clock: Clock,
  output: Pick<Output, 'verbose' | 'progress'>,
): Promise<Identity> {
  const out = { clock, out: output };
  const verbose = (s: string) => output.verbose(s);
  const msal = await import('@azure/msal-node');
  const host = new URL(cloud.authorityHost).host;
  // Without knownAuthorities MSAL asks login.microsoftonline.com to discover any host it does not ship metadata for.
  const knownAuthorities = MSAL_KNOWN_HOSTS.includes(host) ? [] : [host];
  const calls = new AsyncLocalStorage<CallState>();

  const networkClient = {
    async send<T>(
      method: 'GET' | 'POST',
      url: string,
      options?: { headers?: Record<string, string>; body?: string },
    ) {
      const state = calls.getStore();
      let res;
      try {
        res = await http({
          method,
          url,
          headers: options?.headers ?? {},
          ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        });
      } catch (err) {
        if (state && err instanceof NetworkError) state.network = err;
        throw err;
      }
      if (state && (res.status === 429 || res.status >= 500)) {
        state.status = res.status;
        const ra = Number(res.headers['retry-after']);
        if (Number.isFinite(ra) && ra > 0) state.retryAfterMs = ra * 1000;
        // Only the token POST is blocked by MSAL afterwards; a failed GET is retried after the backoff.
        else if (method === 'POST') {
          state.retryAfterMs = MSAL_DEFAULT_THROTTLE_MS;
          state.localBlock = true;
        } else delete state.retryAfterMs;
      }
      let body: unknown = {};
      try {
        body = JSON.parse(res.body.toString('utf8') || '{}');
      } catch {
        body = {
          error: 'invalid_response',
          error_description:
            `The token service at ${new URL(url).origin} answered HTTP ` +
            `${res.status} with a body that is not JSON.`,
        };
      }
      const b = body as { error?: unknown; error_codes?: unknown; error_description?: unknown };
      if (state && typeof b.error === 'string' && b.error !== 'authorization_pending') {
        state.oauth = {
          error: b.error,
          description: typeof b.error_description === 'string' ? b.error_description : b.error,
          ...(Array.isArray(b.error_codes) && typeof b.error_codes[0] === 'number'
            ? { aadsts: b.error_codes[0] }
            : {}),
        };
      }
      return { status: res.status, headers: res.headers, body: body as T };
    },
    sendGetRequestAsync<T>(url: string, options?: { headers?: Record<string, string> }) {
      return this.send<T>('GET', url, options);
    },
    sendPostRequestAsync<T>(url: string, options?: { headers?: Record<string, string>; body?: string }) {
      return this.send<T>('POST', url, options);
    },
  };

  const system = {
    networkClient,
    loggerOptions: {
      piiLoggingEnabled: false,
      logLevel: msal.LogLevel.Warning,
      loggerCallback: (_level: unknown, message: string, containsPii: boolean) => {
        if (!containsPii) verbose(`msal: ${message}`);
      },
    },
  };

  /**
   * One token call with its own network state, classified on failure. A throttled call (429, 5xx) is
   * retried as long as the caller's deadline allows, after the service's Retry-After when it named one.
   * Without one, a caller that can start over with a new MSAL client (`fresh`, which forgets MSAL's local
   * block) backs off by the one policy; the others wait out MSAL's own 60 s block, or the retry would be
   * refused locally and never reach the service. A call that gives up carries the wait for the caller.
   */
  function call<T>(fn: () => Promise<T>, deadline: number | (() => number), fresh?: () => void): Promise<T> {
    const once = async () => {
      const state: CallState = {};
      try {
        return await calls.run(state, fn);
      } catch (err) {
        if (state.localBlock && fresh) {
          fresh();
          delete state.retryAfterMs;
        }
        throw classifyTokenError(err, state);
      }
    };
    return withRetries(out, 'the token request', once, {
      get deadline() {
        return typeof deadline === 'number' ? deadline : deadline();
      },
      maxAttempts: 8,
      // Never sooner than MSAL's own block, or the retry is refused locally and never reaches the service.
      decide: (err) =>
        err instanceof AuthError && err.reason === 'throttled'
          ? {
              label: `The token service is busy (HTTP ${err.extra.status ?? err.code})`,
              ...(err.extra.retryAfterMs !== undefined ? { retryAfterMs: err.extra.retryAfterMs + 100 } : {}),
            }
          : undefined,
    });
  }

  const appClients = new Map<string, InstanceType<typeof msal.ConfidentialClientApplication>>();
  const metadata = metadataCache({ http, clock, out: output }, cloud, knownAuthorities.length === 0);

  return {
    authorityOf: metadata.authorityOf,
    authorityMetadata: metadata.get,
    async appToken(cred, resource, opts) {
      const meta = opts?.metadata ?? (await metadata.get(cred.tenant));
      const authorityMetadata = meta ? JSON.stringify(meta.document) : undefined;
      const cacheKey = `${cred.clientId}|${cred.tenant}|${cred.thumbprintSha256}|${authorityMetadata ?? ''}`;
      const client = () => {
        const cached = appClients.get(cacheKey);
        if (cached) return cached;
        const cca = new msal.ConfidentialClientApplication({
          auth: {
            clientId: cred.clientId,
            authority: metadata.authorityOf(cred.tenant),
            knownAuthorities,
            // The tenant's OpenID configuration, so that MSAL does not fetch it (README "check").
            ...(authorityMetadata ? { authorityMetadata } : {}),
            // PS256 with x5t#S256; MSAL wants the thumbprint without separators.
            clientCertificate: {
              thumbprintSha256: cred.thumbprintSha256.replace(/[^0-9A-Fa-f]/g, ''),
              privateKey: cred.keyPem,
            },
          },
          system,
        });
        appClients.set(cacheKey, cca);
        return cca;
      };
      const result = await call(
        () => client().acquireTokenByClientCredential({ scopes: [`${resource}/.default`], skipCache: true }),
        opts?.deadline ?? clock.now().getTime() + 2 * MSAL_DEFAULT_THROTTLE_MS,
        () => appClients.delete(cacheKey),
      );
      if (!result?.accessToken)
        throw new AuthError(
          'invalid-response',
          'no_token',
          undefined,
          'The token service answered without an access token.',
        );
      return { accessToken: result.accessToken, claims: decodeJwtClaims(result.accessToken) };
    },

    async federatedAppToken(req, resource, opts) {
      const meta = await metadata.get(req.tenant);
      const cca = new msal.ConfidentialClientApplication({
        auth: {
          clientId: req.clientId,
          authority: metadata.authorityOf(req.tenant),
          knownAuthorities,
          ...(meta ? { authorityMetadata: JSON.stringify(meta.document) } : {}),
          // MSAL sends it as client_assertion with the jwt-bearer assertion type.
          clientAssertion: () => req.assertion(),
        },
        system,
      });
      const result = await call(
        () => cca.acquireTokenByClientCredential({ scopes: [`${resource}/.default`], skipCache: true }),
        opts?.deadline ?? clock.now().getTime() + 2 * MSAL_DEFAULT_THROTTLE_MS,
      );
      if (!result?.accessToken)
        throw new AuthError(
          'invalid-response',
          'no_token',
          undefined,
          'The token service answered without an access token.',
        );
      return { accessToken: result.accessToken, claims: decodeJwtClaims(result.accessToken) };
    },

    async signInAdmin(req) {
      const newClient = () =>
        new msal.PublicClientApplication({
          auth: {
            clientId: req.clientId,
            authority: `${cloud.authorityHost}/${req.tenant}`,
            knownAuthorities,
          },
          system,
        });
      let pca = newClient();
      const scopes = req.scopes.map((s) => (s.includes('/') ? s : `${cloud.graphResource}/${s}`));
      const retryWithinMs = req.retryWithinMs ?? 2 * MSAL_DEFAULT_THROTTLE_MS;
      const result = await call(
        () => askAdmin(pca, req, scopes),
        // The admin's part has no bound of ours (the code's lifetime bounds it); a retry starts within --wait
        // of the failure that asks for it, with a new client, since MSAL blocks the same one for 60 s.
        () => clock.now().getTime() + retryWithinMs,
        () => (pca = newClient()),
      );
      if (!result?.account)
        throw new AuthError(
          'invalid-response',
          'no_account',
          undefined,
          'The sign-in finished without an account.',
        );
      const account = result.account;
      let token = result.accessToken;
      let expires = result.expiresOn?.getTime() ?? 0;
      return {
        username: account.username,
        ...(() => {
          const wids = decodeJwtClaims(result.accessToken)['wids'];
          return Array.isArray(wids)
            ? { activeRoles: wids.filter((w): w is string => typeof w === 'string') }
            : {};
        })(),
        tenantId: result.tenantId || account.tenantId,
        async tokenFor(resource) {
          const r = await call(
            () => pca.acquireTokenSilent({ account, scopes: [`${resource}/.default`] }),
            clock.now().getTime() + 2 * MSAL_DEFAULT_THROTTLE_MS,
          );
          const scp = decodeJwtClaims(r.accessToken)['scp'];
          return { accessToken: r.accessToken, scopes: typeof scp === 'string' ? scp.split(' ') : [] };
        },
        async graphToken() {
          if (expires - clock.now().getTime() > 120_000) return token;
          const r = await call(
            () => pca.acquireTokenSilent({ account, scopes }),
            clock.now().getTime() + 2 * MSAL_DEFAULT_THROTTLE_MS,
          );
          token = r.accessToken;
          expires = r.expiresOn?.getTime() ?? 0;
          return token;
        },
      };
    },
  };
}

/** The admin's sign-in itself: a device code to enter, or the browser. */
function askAdmin(pca: PublicClientApplication, req: AdminSignInRequest, scopes: string[]) {
  return req.method === 'device'
    ? pca.acquireTokenByDeviceCode({
        scopes,
        deviceCodeCallback: (r) => req.onDeviceCode(r.message, r.expiresIn),
        timeout: 900,
      })
    : pca.acquireTokenInteractive({
        scopes,
        openBrowser: req.openBrowser,
        successTemplate: '<h1>Signed in.</h1><p>You can close this window and return to exo-cba.</p>',
        errorTemplate: '<h1>Sign-in failed.</h1><p>Return to exo-cba for details.</p>',
      });
}

/**
 * The run's copy of each tenant's authority metadata: fetched once and shared by every app of the tenant (a
 * failure too, so that a thousand profiles do not each wait it out). MSAL ships
 * the metadata of Microsoft's own hosts (`shipped`): there is nothing to fetch.
 */
function metadataCache(
  deps: Parameters<typeof fetchAuthorityMetadata>[0],
  cloud: Cloud,
  shipped: boolean,
): Pick<Identity, 'authorityOf'> & { get: Identity['authorityMetadata'] } {
  const byAuthority = new Map<string, Promise<AuthorityMetadata>>();
  const authorityOf = (tenant: string) => `${cloud.authorityHost}/${tenant}`;
  return {
    authorityOf,
    get: (tenant, opts = {}) => {
      if (shipped) return Promise.resolve(undefined);
      const authority = authorityOf(tenant);
      let p = byAuthority.get(authority);
      if (!p) {
        const deadline = opts.deadline ?? deps.clock.now().getTime() + METADATA_DEADLINE_MS;
        p = fetchAuthorityMetadata(deps, authority, deadline);
        byAuthority.set(authority, p);
      }
      return p;
    },
  };
}
