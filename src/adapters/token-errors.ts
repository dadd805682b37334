import type { NetworkError } from './http.js';

/**
 * What a token-service or network failure means, decided once where it is received (MSAL's errorCode and
 * the AADSTS number; never the message text, except the one documented case noted below). Everything above
 * the identity adapter branches on `reason`.
 */
export type TokenErrorReason =
  | 'declined' // the admin declined the sign-in
  | 'expired' // the device code (or the interactive wait) ran out
  | 'client-unknown' // the client (the admin's public client, or the app itself) does not exist in this tenant
  | 'client-blocked' // the tenant disabled or blocks the client
  | 'consent-required' // the client has no consent for the scopes asked
  | 'conditional-access' // a Conditional Access policy blocked the sign-in
  | 'tenant-not-found'
  | 'user-not-found'
  | 'no-service-principal'
  | 'key-unknown' // the certificate is not registered on the app
  | 'key-expired'
  | 'key-not-yet-valid'
  | 'clock-skew'
  // A federated assertion (a CI system's OIDC token) that no federated credential on the app matches.
  | 'federated-no-match'
  // A federated assertion whose signature or issuer keys Entra could not verify.
  | 'assertion-invalid'
  // The CI system's OIDC token could not be had (no id-token permission, no token file).
  | 'ci-token-unavailable'
  | 'resource-missing' // the resource (Exchange) is not in the tenant
  | 'throttled' // 429, 5xx or AADSTS50196: retry after the service's wait
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'invalid-response'
  | 'other';

export interface NetworkFailure {
  kind: 'unreachable' | 'tls' | 'timeout';
  origin: string;
  code?: string;
  message: string;
  /** The proxy the request went through (HTTPS_PROXY), when one did. */
  proxy?: string;
}

/** A refusal from the token service, or a failure to reach it, with its typed reason. */
export class AuthError extends Error {
  constructor(
    readonly reason: TokenErrorReason,
    readonly code: string,
    readonly aadsts: number | undefined,
    readonly description: string,
    readonly extra: { retryAfterMs?: number; network?: NetworkFailure; status?: number } = {},
  ) {
    super(description);
    this.name = 'AuthError';
  }
}

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

function networkFailureOf(err: NetworkError): NetworkFailure {
  const code = (err.cause as NodeJS.ErrnoException).code;
  const kind =
    code && TLS_CODES.test(code)
      ? 'tls'
      : code === 'ETIMEDOUT' || /TIMEOUT$/.test(code ?? '')
        ? 'timeout'
        : 'unreachable';
  return {
    kind,
    origin: err.origin,
    ...(code ? { code } : {}),
    message: err.proxy
      ? `${err.cause.message} (through the proxy ${new URL(err.proxy).host})`
      : err.cause.message,
    ...(err.proxy ? { proxy: err.proxy } : {}),
  };
}

/** First sentence of an AADSTS description, without trace and correlation ids. */
export function cleanDescription(text: string): string {
  return text
    .replace(/\s*Trace ID:[\s\S]*$/, '')
    .replace(/\r?\n[\s\S]*$/, '')
    .trim();
}

const BY_AADSTS: Record<number, TokenErrorReason> = {
  65001: 'consent-required',
  65004: 'declined',
  70020: 'expired',
  70016: 'expired', // authorization_pending reaching us means MSAL stopped polling
  700016: 'client-unknown',
  7000112: 'client-blocked',
  7000113: 'client-blocked',
  500113: 'client-blocked',
  53000: 'conditional-access',
  53001: 'conditional-access',
  53002: 'conditional-access',
  53003: 'conditional-access',
  53004: 'conditional-access',
  530032: 'conditional-access',
  50097: 'conditional-access',
  50105: 'conditional-access', // user not assigned to the app
  90002: 'tenant-not-found',
  900023: 'tenant-not-found',
  90072: 'user-not-found',
  50034: 'user-not-found',
  50020: 'user-not-found',
  7000229: 'no-service-principal',
  700024: 'clock-skew',
  // workloads-and-secretless §2b: the federated-credential mismatches, and the case-only subject mismatch
  // (Azure/login#515).
  70021: 'federated-no-match',
  700211: 'federated-no-match',
  700212: 'federated-no-match',
  700213: 'federated-no-match',
  7002131: 'federated-no-match',
  7002138: 'federated-no-match',
  50013: 'assertion-invalid',
  500011: 'resource-missing',
  50196: 'throttled',
};

/**
 * Classifies what MSAL threw. `seen` is what the network client saw during this call (MSAL replaces a
 * transport failure with its own 'network_error' and drops the cause, and hides the HTTP status).
 */
export interface SeenOnTheWire {
  network?: NetworkError;
  status?: number;
  retryAfterMs?: number;
  /** The last OAuth error body the token service sent during the call. */
  oauth?: { error: string; aadsts?: number; description: string };
}

export function classifyTokenError(err: unknown, seen: SeenOnTheWire = {}): AuthError {
  if (err instanceof AuthError) return err;
  const e = err as { errorCode?: string; errorNo?: string; errorMessage?: string; message?: string };
  const extra = {
    ...(seen.status ? { status: seen.status } : {}),
    ...(seen.retryAfterMs !== undefined ? { retryAfterMs: seen.retryAfterMs } : {}),
  };
  if (seen.network) {
    const network = networkFailureOf(seen.network);
    return new AuthError(
      network.kind,
      e?.errorCode ?? 'network_error',
      undefined,
      `${network.origin}: ${network.message}`,
      { ...extra, network },
    );
  }
  // MSAL often rethrows a service refusal as its own generic error (post_request_failed, endpoints_resolution_error)
  // and drops the AADSTS number: the body the service sent is the better witness.
  const text = seen.oauth?.description || e?.errorMessage || e?.message || String(err);
  const code = seen.oauth?.error || e?.errorCode || 'unknown';
  const aadsts =
    seen.oauth?.aadsts || Number(e?.errorNo) || Number(/AADSTS(\d+)/.exec(text)?.[1]) || undefined;
  const description = cleanDescription(text);
  if (code === 'authorization_declined' || code === 'access_denied' || code === 'user_canceled')
    return new AuthError('declined', code, aadsts, description, extra);
  if (code === 'expired_token' || code === 'device_code_expired' || code === 'device_code_polling_cancelled')
    return new AuthError('expired', code, aadsts, description, extra);
  if (aadsts === 700027) {
    // AADSTS700027 covers three cases; the token service words each one differently and gives no sub-code.
    const reason = /\bexpired\b/i.test(description)
      ? 'key-expired'
      : /not yet valid/i.test(description)
        ? 'key-not-yet-valid'
        : 'key-unknown';
    return new AuthError(reason, code, aadsts, description, extra);
  }
  if (aadsts && BY_AADSTS[aadsts]) return new AuthError(BY_AADSTS[aadsts], code, aadsts, description, extra);
  if (
    seen.status === 429 ||
    (seen.status !== undefined && seen.status >= 500) ||
    code === 'temporarily_unavailable' ||
    code === 'throttled' ||
    code === 'request_throttled'
  ) {
    return new AuthError('throttled', code, aadsts, description, extra);
  }
  if (code === 'invalid_response') return new AuthError('invalid-response', code, aadsts, description, extra);
  return new AuthError('other', code, aadsts, description, extra);
}
