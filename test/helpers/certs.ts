import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as cert from '../../src/certificate/x509.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/** Test certificates made at test time (no key material is committed). */
export async function makeCert(opts: { now?: Date; validityDays?: number; bits?: 2048 | 3072 | 4096 } = {}) {
  const keyPem = await cert.generateKey(opts.bits ?? 2048);
  const certPem = cert.selfSignedCertificate({ keyPem, commonName: 'exo-cba test', now: opts.now ?? new Date(), validityDays: opts.validityDays ?? 30 });
  return { keyPem, certPem, info: cert.describeCertificate(certPem) };
}

export function writePem(dir: string, name: string, c: { keyPem: string; certPem: string }): string {
  const file = path.join(dir, name);
  writeFileSync(file, c.certPem + c.keyPem, { mode: 0o600 });
  return file;
}

/** Registers a certificate on an app directly in the sandbox, dates and all (as the portal would, even an expired one). */
export function registerKey(s: Sandbox, appId: string, c: { info: cert.CertificateInfo }): void {
  const app = s.directory.appByAppId(appId, true);
  if (!app) throw new Error(`no app ${appId}`);
  app.keyCredentials.push({
    keyId: randomUUID(), type: 'AsymmetricX509Cert', usage: 'Verify', key: c.info.der.toString('base64'), displayName: 'test',
    startDateTime: c.info.notBefore.toISOString(), endDateTime: c.info.notAfter.toISOString(),
    customKeyIdentifier: Buffer.from(c.info.thumbprint, 'hex').toString('base64'), visibleAt: 0,
  });
}
