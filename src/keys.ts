import type { KeyCredentialView, NewKeyCredential } from './adapters/graph.js';
import type { Credential } from './cert.js';

/** Key credentials as Graph holds them: which certificate a key is, and the entry for a new one. */

/** The entry that keeps an existing key when PATCH keyCredentials replaces the collection (needs `key`, read with $select). */
export function keepKey(k: KeyCredentialView): NewKeyCredential {
  return { keyId: k.keyId, type: 'AsymmetricX509Cert', usage: 'Verify', key: k.key!, ...(k.displayName ? { displayName: k.displayName } : {}), startDateTime: k.startDateTime, endDateTime: k.endDateTime };
}

export function thumbprintOfKey(k: KeyCredentialView): string | undefined {
  if (k.customKeyIdentifier) {
    const bytes = Buffer.from(k.customKeyIdentifier, 'base64');
    if (bytes.length === 20) return bytes.toString('hex').toUpperCase();
  }
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
