import type { KeyCredentialView, NewKeyCredential } from './adapters/graph.js';
import type { Credential } from './cert.js';

/** Key credentials as Graph holds them: which certificate a key is, and the entry for a new one. */

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
