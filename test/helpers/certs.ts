import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * Test certificates made at test time (no key material is committed), with node:crypto and node-forge
 * directly: never with exo-cba's own certificate code, so a fault there cannot hide in the tests.
 */
export interface TestCert {
  keyPem: string;
  certPem: string;
  info: { der: Buffer; thumbprint: string; thumbprintSha256: string; notBefore: Date; notAfter: Date };
}

export async function makeCert(
  opts: { now?: Date; validityDays?: number; bits?: 2048 | 3072 | 4096 } = {},
): Promise<TestCert> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: opts.bits ?? 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  c.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = opts.now ?? new Date();
  c.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  c.validity.notAfter = new Date(now.getTime() + (opts.validityDays ?? 30) * 86_400_000);
  const name = [{ name: 'commonName', value: 'exo-cba test' }];
  c.setSubject(name);
  c.setIssuer(name);
  c.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(c);
  const x = new X509Certificate(certPem);
  return {
    keyPem,
    certPem,
    info: {
      der: x.raw,
      thumbprint: createHash('sha1').update(x.raw).digest('hex').toUpperCase(),
      thumbprintSha256: createHash('sha256').update(x.raw).digest('hex').toUpperCase(),
      notBefore: new Date(x.validFrom),
      notAfter: new Date(x.validTo),
    },
  };
}

export function writePem(dir: string, name: string, c: { keyPem: string; certPem: string }): string {
  const file = path.join(dir, name);
  writeFileSync(file, c.certPem + c.keyPem, { mode: 0o600 });
  return file;
}

/** Registers a certificate on an app directly in the sandbox, dates and all (as the portal would, even an expired one). */
export function registerKey(s: Sandbox, appId: string, c: { info: TestCert['info'] }): void {
  const app = s.directory.appByAppId(appId, true);
  if (!app) throw new Error(`no app ${appId}`);
  app.keyCredentials.push({
    keyId: randomUUID(),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: c.info.der.toString('base64'),
    displayName: 'test',
    startDateTime: c.info.notBefore.toISOString(),
    endDateTime: c.info.notAfter.toISOString(),
    customKeyIdentifier: Buffer.from(c.info.thumbprint, 'hex').toString('base64'),
    visibleAt: 0,
  });
}
