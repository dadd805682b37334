/**
 * Entra's checks of a federated client assertion (client credentials with a token from an outside issuer that a
 * federated identity credential on the app trusts), in the order its errors show, with the field's texts
 * (exo-cba workloads-and-secretless §2b):
 * - the app has no federated credential (replicated) at all: AADSTS70021, naming issuer, subject and audience;
 * - none for the token's `iss` (compared exactly: a trailing slash or space differs): AADSTS700211;
 * - the issuer's keys cannot be had, or the signature does not verify: AADSTS50013 (not in the facts file; the
 *   reference-error-codes page's InvalidAssertion);
 * - outside its lifetime (`nbf`/`exp`, five minutes' skew): AADSTS700024;
 * - no credential of that issuer with the token's `sub`: AADSTS700213, or AADSTS7002138 when only the case
 *   differs (matching is case-sensitive; Azure/login#515);
 * - none of those lists the token's `aud`: AADSTS700212.
 * Returns null when one credential matches all three.
 */
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Application, FederatedCredential } from './directory.js';
import { type SbResponse, stsError } from './http-util.js';

const SKEW_S = 300;
const CHECK =
  'Please check your federated identity credential Subject, Audience and Issuer against the presented ' +
  'assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

export interface FederatedCheck {
  nowMs: number;
  /** The issuer's signing keys, as Entra fetches them from its discovery document; undefined when it has none. */
  keysFor: (issuer: string) => JWK[] | undefined;
  replicated: (f: FederatedCredential) => boolean;
}

/** Whether an assertion is a token of an outside issuer (an https URL in `iss`) rather than the app's own. */
export function isFederatedAssertion(assertion: string): boolean {
  try {
    const iss = decodeJwt(assertion).iss;
    return typeof iss === 'string' && /^https:\/\//i.test(iss);
  } catch {
    return false;
  }
}

const audiencesOf = (claims: JWTPayload): string[] =>
  Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];

async function verified(
  assertion: string,
  keys: JWK[] | undefined,
  o: FederatedCheck,
): Promise<SbResponse | null> {
  if (!keys)
    return stsError(
      400,
      'invalid_request',
      50013,
      'Assertion failed signature validation. [Reason - The key was not found.]',
    );
  try {
    await jwtVerify(assertion, createLocalJWKSet({ keys }), {
      algorithms: ['RS256', 'ES256', 'PS256'],
      clockTolerance: SKEW_S,
      currentDate: new Date(o.nowMs),
    });
    return null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
      const c = decodeJwt(assertion);
      const at = (s: unknown) => (typeof s === 'number' ? new Date(s * 1000).toISOString() : 'none');
      return stsError(
        401,
        'invalid_client',
        700024,
        `Client assertion is not within its valid time range. Current time: ${new Date(o.nowMs).toISOString()}, ` +
          `assertion valid from ${at(c.nbf ?? c.iat)}, expiry time of assertion ${at(c.exp)}.`,
      );
    }
    return stsError(400, 'invalid_request', 50013, 'Assertion failed signature validation.');
  }
}

export async function checkFederatedAssertion(
  app: Application,
  assertion: string,
  o: FederatedCheck,
): Promise<SbResponse | null> {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return stsError(400, 'invalid_request', 50027, 'JWT token is invalid or is malformed.');
  }
  const iss = claims.iss ?? '';
  const sub = claims.sub ?? '';
  const auds = audiencesOf(claims);
  const all = (app.federatedIdentityCredentials ?? []).filter((f) => o.replicated(f));
  if (all.length === 0)
    return stsError(
      400,
      'invalid_request',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. ` +
        `Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. ${CHECK}`,
    );
  const byIssuer = all.filter((f) => f.issuer === iss);
  if (byIssuer.length === 0)
    return stsError(
      400,
      'invalid_request',
      700211,
      `No matching federated identity record found for presented assertion issuer '${iss}'. ${CHECK}`,
    );
  const bad = await verified(assertion, o.keysFor(iss), o);
  if (bad) return bad;
  const bySubject = byIssuer.filter((f) => f.subject === sub);
  if (bySubject.length === 0) {
    const caseOnly = byIssuer.some((f) => f.subject.toLowerCase() === sub.toLowerCase());
    return caseOnly
      ? stsError(
          400,
          'invalid_request',
          7002138,
          `No matching federated identity record found for presented assertion subject '${sub}'. The subject ` +
            `matches with case-insensitive comparison, but not with case-sensitive comparison. ${CHECK}`,
        )
      : stsError(
          400,
          'invalid_request',
          700213,
          `No matching federated identity record found for presented assertion subject '${sub}'. ${CHECK}`,
        );
  }
  if (!bySubject.some((f) => f.audiences.some((a) => auds.includes(a))))
    return stsError(
      400,
      'invalid_request',
      700212,
      `No matching federated identity record found for presented assertion audience '${auds.join(',')}'. ${CHECK}`,
    );
  return null;
}
