import { SignJWT, importPKCS8 } from 'jose';

/** Audience of the proof-of-possession JWT for addKey/removeKey (Graph docs, application: addKey). */
export const PROOF_AUDIENCE = '00000002-0000-0000-c000-000000000000';

/**
 * The proof-of-possession JWT for addKey/removeKey (Graph docs, application: addKey): RS256, signed by a
 * current key of the app; aud 00000002-0000-0000-c000-000000000000, iss the app's object id, at most
 * 10 minutes of life. jose writes base64url without padding, which Graph requires.
 */
export async function makeProof(opts: {
  keyPem: string;
  certDer: Buffer;
  objectId: string;
  now: Date;
}): Promise<string> {
  const key = await importPKCS8(opts.keyPem, 'RS256');
  const x5t = (await import('node:crypto')).createHash('sha1').update(opts.certDer).digest('base64url');
  const nbf = Math.floor(opts.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
    .setAudience(PROOF_AUDIENCE)
    .setIssuer(opts.objectId)
    .setNotBefore(nbf)
    .setExpirationTime(nbf + 600)
    .sign(key);
}
