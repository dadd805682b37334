import { jwtVerify, importX509, decodeProtectedHeader, decodeJwt, type JWTPayload } from 'jose';
import type { Application, KeyCredential } from './directory.js';
import { certificatePemOf, thumbprintOfDerBase64 } from './directory.js';
import { type SbResponse, stsError } from './http-util.js';

const SKEW_S = 300;

/**
 * Entra's checks of a certificate client assertion (client credentials, RFC 7523), in the order its errors show:
 * the key named by x5t / x5t#S256 must be on the app and in date, the signature must verify, iss = sub = client_id,
 * aud one of the token endpoints Entra accepts. Returns null when the assertion holds, else Entra's answer.
 */
export async function checkClientAssertion(
  app: Application,
  clientId: string,
  assertion: string,
  o: { nowMs: number; audiences: string[]; tokenEndpoint: string; visible: (k: KeyCredential) => boolean },
): Promise<SbResponse | null> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    return stsError(400, 'invalid_request', 50027, 'JWT token is invalid or is malformed.');
  }
  // RS256 names the key by its SHA-1 thumbprint (x5t), PS256 by SHA-256 (x5t#S256).
  const alg = header.alg;
  const x5t = alg === 'PS256' ? (header as Record<string, unknown>)['x5t#S256'] : header.x5t;
  if ((alg !== 'RS256' && alg !== 'PS256') || typeof x5t !== 'string') {
    return stsError(
      401,
      'invalid_client',
      5002730,
      'Invalid JWT token. Unsupported key for the signing algorithm.',
    );
  }
  const hashAlg = alg === 'PS256' ? 'sha256' : 'sha1';
  const key = app.keyCredentials.find(
    (k) => o.visible(k) && thumbprintOfDerBase64(k.key, hashAlg).toString('base64url') === x5t,
  );
  if (!key) {
    return stsError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. The key was not found. Key identifier: ` +
        `'${x5t}'. Application: '${clientId}'.`,
    );
  }
  const nowMs = o.nowMs;
  if (Date.parse(key.endDateTime) < nowMs) {
    return stsError(
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is expired on application. ` +
        `[Reason - The key used is expired., Thumbprint of key used by client: '${x5t}', Found key ` +
        `'Start=${key.startDateTime}, End=${key.endDateTime}']`,
    );
  }
  if (Date.parse(key.startDateTime) > nowMs) {
    return stsError(
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not yet valid on ` +
        `application. [Found key 'Start=${key.startDateTime}, End=${key.endDateTime}']`,
    );
  }
  try {
    const pub = await importX509(certificatePemOf(key), alg);
    await jwtVerify(assertion, pub, {
      algorithms: [alg],
      clockTolerance: SKEW_S,
      currentDate: new Date(nowMs),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
      return stsError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    return stsError(401, 'invalid_client', 700027, 'Client assertion contains an invalid signature.');
  }
  if (typeof claims.exp !== 'number')
    return stsError(401, 'invalid_client', 700024, "Client assertion is missing the 'exp' claim.");
  if (claims.iss !== clientId || claims.sub !== clientId) {
    return stsError(
      401,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter.",
    );
  }
  const audOk = o.audiences.includes(String(claims.aud).toLowerCase());
  if (!audOk) {
    return stsError(
      401,
      'invalid_client',
      700023,
      `Client assertion audience claim does not match Realm issuer. Expected '${o.tokenEndpoint}'.`,
    );
  }
  return null;
}
