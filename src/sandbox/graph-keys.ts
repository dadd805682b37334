import { randomUUID, X509Certificate, createHash } from 'node:crypto';
import type { KeyCredential } from './directory.js';
import { graphError, type SbResponse } from './http-util.js';

const badRequest = (message: string, details?: { code: string; message: string; target?: string }[]) =>
  graphError(400, 'Request_BadRequest', message, details ? { details } : {});

/** Validates keyCredentials as Graph does: a certificate DER, dates inside its validity, no private key. */
export function parseKeyCredentials(
  input: unknown,
  existing: KeyCredential[],
  stamp: () => number,
): KeyCredential[] | SbResponse {
  if (!Array.isArray(input)) return badRequest("Invalid value for property 'keyCredentials'.");
  const out: KeyCredential[] = [];
  for (const raw of input as Record<string, unknown>[]) {
    const keyId = typeof raw['keyId'] === 'string' ? raw['keyId'] : undefined;
    const prior = keyId ? existing.find((k) => k.keyId === keyId) : undefined;
    // An existing key sent back unchanged is kept as it is, whatever its dates (an expired key may stay).
    if (prior && (raw['key'] === undefined || raw['key'] === prior.key)) {
      out.push(prior);
      continue;
    }
    const keyB64 = typeof raw['key'] === 'string' ? raw['key'] : prior?.key;
    if (!keyB64)
      return badRequest('Key credential is missing its key value.', [
        { code: 'InvalidKeyCredential', message: 'key is required.', target: 'keyCredentials' },
      ]);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(keyB64, 'base64'));
    } catch {
      return badRequest(
        'Key credential value is invalid: the key must be a base64-encoded X.509 certificate.',
        [{ code: 'KeyCredentialsInvalidValue', message: 'Invalid certificate.', target: 'keyCredentials' }],
      );
    }
    if (raw['type'] !== 'AsymmetricX509Cert' || raw['usage'] !== 'Verify')
      return badRequest(
        "Key credential type must be 'AsymmetricX509Cert' with usage 'Verify' for a certificate.",
      );
    const certStart = Date.parse(cert.validFrom);
    const certEnd = Date.parse(cert.validTo);
    const start = typeof raw['startDateTime'] === 'string' ? Date.parse(raw['startDateTime']) : certStart;
    const end = typeof raw['endDateTime'] === 'string' ? Date.parse(raw['endDateTime']) : certEnd;
    if (
      Number.isNaN(start) ||
      Number.isNaN(end) ||
      start < certStart - 1000 ||
      end > certEnd + 1000 ||
      end <= start
    ) {
      return badRequest('Key credential end date is invalid.', [
        {
          code: 'InvalidKeyEndDate',
          message: 'The key credential dates must lie within the certificate validity.',
          target: 'keyCredentials',
        },
      ]);
    }
    const thumb = createHash('sha1').update(cert.raw).digest();
    out.push({
      keyId:
        prior?.keyId ??
        (keyId && /^[0-9a-f-]{36}$/i.test(keyId) && !existing.some((k) => k.keyId === keyId)
          ? keyId
          : randomUUID()),
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: keyB64,
      displayName:
        typeof raw['displayName'] === 'string' ? raw['displayName'] : cert.subject.replace(/^CN=/, 'CN='),
      startDateTime: new Date(start).toISOString(),
      endDateTime: new Date(end).toISOString(),
      customKeyIdentifier: thumb.toString('base64'),
      visibleAt: prior?.visibleAt ?? stamp(),
    });
  }
  const thumbs = out.map((k) => k.customKeyIdentifier);
  if (new Set(thumbs).size !== thumbs.length)
    return badRequest('Key credential values must be unique: the same certificate appears twice.');
  return out;
}
