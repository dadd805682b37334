import type { HttpTransport } from './http.js';
import type { Cloud } from '../clouds.js';
import { MSAL_KNOWN_HOSTS } from '../clouds.js';
import type { Clock } from '../context.js';

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
  /** A Graph token for the scopes asked at sign-in, renewed silently when needed. */
  graphToken(): Promise<string>;
}

export interface AdminSignInRequest {
  tenant: string;
  clientId: string;
  scopes: string[];
  method: 'device' | 'browser';
  onDeviceCode(message: string): void;
  openBrowser(url: string): Promise<void>;
}

export interface Identity {
  signInAdmin(req: AdminSignInRequest): Promise<AdminSession>;
  /** An app-only token for `resource` (…/.default), always fresh from the token endpoint. */
  appToken(cred: AppCredential, resource: string): Promise<AppToken>;
}

/** A refusal from the token service, with its AADSTS number when it gave one. */
export class AuthError extends Error {
  constructor(
    readonly code: string,
    readonly aadsts: number | undefined,
    readonly description: string,
  ) {
    super(description);
    this.name = 'AuthError';
  }
}

export function decodeJwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** First sentence of an AADSTS description, without trace and correlation ids. */
export function cleanDescription(text: string): string {
  return text.replace(/\s*Trace ID:[\s\S]*$/, '').replace(/\r?\n[\s\S]*$/, '').trim();
}

const THROTTLE_CODES = new Set(['temporarily_unavailable', 'throttled', 'request_throttled']);

export async function makeIdentity(cloud: Cloud, http: HttpTransport, clock: Clock, verbose: (s: string) => void): Promise<Identity> {
  const msal = await import('@azure/msal-node');
  const host = new URL(cloud.authorityHost).host;
  // Without knownAuthorities MSAL asks login.microsoftonline.com to discover any host it does not ship metadata for.
  const knownAuthorities = MSAL_KNOWN_HOSTS.includes(host) ? [] : [host];
  let retryAfterMs: number | undefined;

  const networkClient = {
    async send<T>(method: 'GET' | 'POST', url: string, options?: { headers?: Record<string, string>; body?: string }) {
      const res = await http({ method, url, headers: options?.headers ?? {}, ...(method === 'POST' ? { body: options?.body ?? '' } : {}) });
      if (res.status === 429 || res.status >= 500) {
        const ra = Number(res.headers['retry-after']);
        retryAfterMs = Number.isFinite(ra) && ra >= 0 ? ra * 1000 : 2000;
      }
      let body: unknown = {};
      try {
        body = JSON.parse(res.body.toString('utf8') || '{}');
      } catch {
        body = { error: 'invalid_response', error_description: `The token service at ${new URL(url).origin} answered HTTP ${res.status} with a body that is not JSON.` };
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

  const toAuthError = (err: unknown): AuthError => {
    const e = err as { errorCode?: string; errorNo?: string; errorMessage?: string; message?: string };
    const text = e.errorMessage || e.message || String(err);
    const n = Number(e.errorNo) || Number(/AADSTS(\d+)/.exec(text)?.[1]) || undefined;
    return new AuthError(e.errorCode ?? 'unknown', n, cleanDescription(text));
  };

  /** MSAL does not retry a throttled token request; wait as told (bounded) and try again. */
  async function withThrottleRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      retryAfterMs = undefined;
      try {
        return await fn();
      } catch (err) {
        const a = toAuthError(err);
        const throttled = THROTTLE_CODES.has(a.code) || a.aadsts === 50196 || retryAfterMs !== undefined;
        if (!throttled || attempt >= 4) throw a;
        const wait = Math.min(retryAfterMs ?? 2000, 60_000) + 100;
        verbose(`token service busy (${a.code}); retrying in ${Math.round(wait / 100) / 10} s`);
        await clock.sleep(wait);
      }
    }
  }

  const appClients = new Map<string, InstanceType<typeof msal.ConfidentialClientApplication>>();

  return {
    async appToken(cred, resource) {
      const cacheKey = `${cred.clientId}|${cred.tenant}|${cred.thumbprintSha256}`;
      let cca = appClients.get(cacheKey);
      if (!cca) {
        cca = new msal.ConfidentialClientApplication({
          auth: {
            clientId: cred.clientId,
            authority: `${cloud.authorityHost}/${cred.tenant}`,
            knownAuthorities,
            // PS256 with x5t#S256; MSAL wants the thumbprint without separators.
            clientCertificate: { thumbprintSha256: cred.thumbprintSha256.replace(/[^0-9A-Fa-f]/g, ''), privateKey: cred.keyPem },
          },
          system,
        });
        appClients.set(cacheKey, cca);
      }
      const client = cca;
      const result = await withThrottleRetry(() => client.acquireTokenByClientCredential({ scopes: [`${resource}/.default`], skipCache: true }));
      if (!result?.accessToken) throw new AuthError('no_token', undefined, 'The token service answered without an access token.');
      return { accessToken: result.accessToken, claims: decodeJwtClaims(result.accessToken) };
    },

    async signInAdmin(req) {
      const pca = new msal.PublicClientApplication({
        auth: { clientId: req.clientId, authority: `${cloud.authorityHost}/${req.tenant}`, knownAuthorities },
        system,
      });
      const scopes = req.scopes.map((s) => (s.includes('/') ? s : `${cloud.graphResource}/${s}`));
      const result = await withThrottleRetry(() =>
        req.method === 'device'
          ? pca.acquireTokenByDeviceCode({ scopes, deviceCodeCallback: (r) => req.onDeviceCode(r.message), timeout: 900 })
          : pca.acquireTokenInteractive({
              scopes,
              openBrowser: req.openBrowser,
              successTemplate: '<h1>Signed in.</h1><p>You can close this window and return to exo-cba.</p>',
              errorTemplate: '<h1>Sign-in failed.</h1><p>Return to exo-cba for details.</p>',
            }),
      );
      if (!result?.account) throw new AuthError('no_account', undefined, 'The sign-in finished without an account.');
      const account = result.account;
      let token = result.accessToken;
      let expires = result.expiresOn?.getTime() ?? 0;
      return {
        username: account.username,
        tenantId: result.tenantId || account.tenantId,
        async graphToken() {
          if (expires - clock.now().getTime() > 120_000) return token;
          const r = await withThrottleRetry(() => pca.acquireTokenSilent({ account, scopes }));
          token = r.accessToken;
          expires = r.expiresOn?.getTime() ?? 0;
          return token;
        },
      };
    },
  };
}
