import { NetworkError, type HttpTransport } from './http.js';
import { AuthError, classifyTokenError, type SeenOnTheWire } from './token-errors.js';
import type { AuthorityMetadata, OpenIdDocument } from '../core/authority-metadata.js';
import type { Clock, Output } from '../core/ports.js';
import { withRetries } from '../core/retry.js';

/**
 * Fetches a tenant's OpenID configuration ourselves, instead of letting MSAL do it inside a token call.
 *
 * Why not MSAL: a 5xx inside a token call looks, from outside, like the token endpoint's 5xx, after which
 * MSAL refuses the identical token request locally for a minute (msal-common ThrottlingUtils, keyed by the
 * request's thumbprint; it guards only the token POST, never this GET). Fetched here, a failure is plainly
 * the metadata's: it is retried after the ordinary backoff (or the service's Retry-After), bounded by a
 * short deadline, and a caller holding an older copy can keep using it.
 */

const REQUIRED = ['token_endpoint', 'authorization_endpoint', 'issuer', 'jwks_uri'] as const;
const OPTIONAL = ['end_session_endpoint', 'device_authorization_endpoint'] as const;

/** The fields MSAL uses, when the body is an OpenID configuration; undefined otherwise. */
export function openIdDocumentOf(body: unknown): OpenIdDocument | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const isUrl = (v: unknown) => typeof v === 'string' && /^https:\/\/[^/]+/.test(v);
  if (!REQUIRED.every((k) => isUrl(b[k]))) return undefined;
  const doc: Record<string, string> = {};
  for (const k of [...REQUIRED, ...OPTIONAL]) if (isUrl(b[k])) doc[k] = b[k] as string;
  return doc as unknown as OpenIdDocument;
}

function openIdConfigurationUrl(authority: string): string {
  return `${authority}/v2.0/.well-known/openid-configuration`;
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** One GET, classified like a token-service answer (an AADSTS body, a 429 or 5xx, a network failure). */
async function fetchOnce(http: HttpTransport, authority: string): Promise<OpenIdDocument> {
  const url = openIdConfigurationUrl(authority);
  let res;
  try {
    res = await http({ method: 'GET', url, headers: { accept: 'application/json' } });
  } catch (err) {
    if (err instanceof NetworkError) throw classifyTokenError(err, { network: err });
    throw err;
  }
  const body = parse(res.body);
  const doc = res.status === 200 ? openIdDocumentOf(body) : undefined;
  if (doc) return doc;
  const seen: SeenOnTheWire = { status: res.status };
  const ra = Number(res.headers['retry-after']);
  if (Number.isFinite(ra) && ra > 0) seen.retryAfterMs = ra * 1000;
  const b = (body ?? {}) as { error?: unknown; error_description?: unknown; error_codes?: unknown };
  if (typeof b.error === 'string')
    seen.oauth = {
      error: b.error,
      description: typeof b.error_description === 'string' ? b.error_description : b.error,
      ...(Array.isArray(b.error_codes) && typeof b.error_codes[0] === 'number'
        ? { aadsts: b.error_codes[0] }
        : {}),
    };
  if (res.status === 200 || !seen.oauth)
    seen.oauth = {
      error: 'invalid_response',
      description:
        `The OpenID configuration at ${url} answered HTTP ${res.status} ` +
        'without the endpoints a sign-in needs.',
    };
  throw classifyTokenError(new Error(seen.oauth.description), seen);
}

/**
 * The tenant's metadata, with the one retry policy: 429 and 5xx (and a timeout) are tried again after the
 * service's Retry-After or the ordinary backoff, never past `deadline`.
 */
export async function fetchAuthorityMetadata(
  deps: { http: HttpTransport; clock: Clock; out: Pick<Output, 'verbose' | 'progress'> },
  authority: string,
  deadline: number,
): Promise<AuthorityMetadata> {
  const document = await withRetries(
    deps,
    'the OpenID configuration',
    () => fetchOnce(deps.http, authority),
    {
      deadline,
      maxAttempts: 5,
      decide: (err) =>
        err instanceof AuthError && (err.reason === 'throttled' || err.reason === 'timeout')
          ? {
              label: `The token service is busy (${err.extra.status ? `HTTP ${err.extra.status}` : err.reason})`,
              ...(err.extra.retryAfterMs !== undefined ? { retryAfterMs: err.extra.retryAfterMs } : {}),
            }
          : undefined,
    },
  );
  return { authority, fetchedAt: deps.clock.now().toISOString(), document };
}
