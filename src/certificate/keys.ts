import { createHash } from 'node:crypto';
import type { KeyCredentialView, NewKeyCredential } from '../adapters/graph.js';
import type { Credential } from './x509.js';

/** Key credentials as Graph holds them: which certificate a key is, and the entry for a new one. */

/** The entry that keeps an existing key when PATCH keyCredentials replaces the collection (needs `key`, read with $select). */
export function keepKey(k: KeyCredentialView): NewKeyCredential {
  return {
    keyId: k.keyId,
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: k.key!,
    ...(k.displayName ? { displayName: k.displayName } : {}),
    startDateTime: k.startDateTime,
    endDateTime: k.endDateTime,
  };
}

/**
 * The SHA-1 thumbprint of a registered key, uppercase hex. The certificate itself (`key`, when read with
 * $select) is the best witness; `customKeyIdentifier` is Edm.Binary and has been seen both as the hex text
 * of the thumbprint (Microsoft's docs) and as base64 of its 20 bytes (other captures): both are read.
 */
export function thumbprintOfKey(k: KeyCredentialView): string | undefined {
  if (k.key) {
    try {
      return createHash('sha1').update(Buffer.from(k.key, 'base64')).digest('hex').toUpperCase();
    } catch {
      // fall through to the identifier
    }
  }
  const id = k.customKeyIdentifier?.trim();
  if (!id) return undefined;
  if (/^[0-9a-fA-F]{40}$/.test(id)) return id.toUpperCase();
  const bytes = Buffer.from(id, 'base64');
  if (bytes.length === 20) return bytes.toString('hex').toUpperCase();
  // Hex text stored as binary comes back as base64 of the 40 ASCII characters.
  const text = bytes.toString('latin1');
  if (/^[0-9a-fA-F]{40}$/.test(text)) return text.toUpperCase();
  return undefined;
}

export function keyCredentialFor(cred: Credential, appName: string, keyId?: string): NewKeyCredential {
  return {
    ...(keyId ? { keyId } : {}),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: cred.der.toString('base64'),
    displayName: `CN=${appName} (exo-cba)`,
    startDateTime: cred.notBefore.toISOString(),
    endDateTime: cred.notAfter.toISOString(),
  };
}
