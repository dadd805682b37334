import { jwtVerify, importX509, decodeProtectedHeader } from 'jose';
import type { Application } from './directory.js';
import { certificatePemOf } from './directory.js';
import { type SbResponse, graphError } from './http-util.js';
import { ADD_KEY_PROOF_AUDIENCE } from './microsoft-ids.js';

/**
 * The proof of possession addKey/removeKey require (Graph docs: application-addkey): a JWT signed by a
 * currently valid key of the application, aud 00000002-0000-0000-c000-000000000000, iss the app's object id,
 * lifetime at most 10 minutes. Returns null when the proof holds, else Graph's answer.
 */
export async function checkKeyProof(
  app: Application,
  proof: unknown,
  nowMs: number,
): Promise<SbResponse | null> {
  const malformed = (why: string) =>
    graphError(
      401,
      'Authentication_MissingOrMalformed',
      `Access token is empty or malformed: the proof is invalid (${why}).`,
    );
  if (typeof proof !== 'string' || proof.split('.').length !== 3) return malformed('not a JWT');
  if (proof.includes('=')) return malformed('base64url padding is not allowed');
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(proof).alg;
  } catch {
    return malformed('unreadable header');
  }
  const validKeys = app.keyCredentials.filter(
    (k) => Date.parse(k.startDateTime) <= nowMs && Date.parse(k.endDateTime) > nowMs,
  );
  if (validKeys.length === 0)
    return graphError(
      400,
      'Request_BadRequest',
      'The application has no valid certificate to sign the proof; add a key with an admin (PATCH keyCredentials).',
    );
  let verified = false;
  let claimError: string | undefined;
  for (const k of validKeys) {
    try {
      const pub = await importX509(certificatePemOf(k), alg === 'PS256' ? 'PS256' : 'RS256');
      const { payload } = await jwtVerify(proof, pub, {
        algorithms: ['RS256', 'PS256'],
        currentDate: new Date(nowMs),
        clockTolerance: 300,
      });
      if (payload.aud !== ADD_KEY_PROOF_AUDIENCE) claimError = `aud must be ${ADD_KEY_PROOF_AUDIENCE}`;
      else if (payload.iss !== app.id) claimError = "iss must be the application's object id";
      else if (
        typeof payload.exp !== 'number' ||
        typeof payload.nbf !== 'number' ||
        payload.exp - payload.nbf > 600
      )
        claimError = 'exp must be at most 10 minutes after nbf';
      else {
        verified = true;
        break;
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
        claimError = 'the proof has expired or is not yet valid';
    }
  }
  return verified ? null : malformed(claimError ?? 'not signed by a valid key of this application');
}
