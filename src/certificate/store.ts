import path from 'node:path';
import type { Files } from '../adapters/files.js';
import type { CertificateFiles, CertificateRecord } from '../profile/store.js';
import type { Credential } from './x509.js';

/**
 * Writes certificate sets (init and rotate call it; the files adapter does the writing): a private directory (0700), private files (0600),
 * never overwriting anything (what is in the way is archived first).
 */

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'exo-cba'
  );
}

export function plannedFiles(dir: string, stem: string, withPasswordFile: boolean): CertificateFiles {
  return {
    dir,
    cer: path.join(dir, `${stem}.cer`),
    pem: path.join(dir, `${stem}.pem`),
    key: path.join(dir, `${stem}.key`),
    pfx: path.join(dir, `${stem}.pfx`),
    ...(withPasswordFile ? { pfxPasswordFile: path.join(dir, `${stem}.pfx.password`) } : {}),
  };
}

export function filePaths(f: CertificateFiles): string[] {
  return [f.cer, f.pem, f.key, f.pfx, f.pfxPasswordFile].filter((p): p is string => typeof p === 'string');
}

export function archiveDirFor(dir: string, now: Date, label: string): string {
  return path.join(dir, 'archive', `${now.toISOString().replace(/[:.]/g, '-')}-${label}`);
}

/** Moves whatever stands at the planned paths into archive/; returns the archived paths. */
export async function clearTheWay(
  files: Files,
  planned: CertificateFiles,
  archiveDir: string,
): Promise<string[]> {
  return files.archive(filePaths(planned), archiveDir);
}

export async function writeCertificateSet(
  files: Files,
  planned: CertificateFiles,
  cred: Credential,
  pfx: Buffer,
  generatedPassword: string | undefined,
  /** A key brought in encrypted stays encrypted: with this password, named by this variable. */
  keyProtection?: { password: string; env: string },
): Promise<CertificateFiles> {
  await files.ensurePrivateDir(planned.dir);
  // Public parts are 0644; anything that holds or unlocks the private key is 0600.
  await files.writeNew(planned.cer!, cred.der, 0o644);
  await files.writeNew(planned.pem!, cred.certPem, 0o644);
  await files.writeNew(
    planned.key!,
    keyProtection
      ? (await import('./x509.js')).encryptedKeyPem(cred.keyPem, keyProtection.password)
      : cred.keyPem,
    0o600,
  );
  await files.writeNew(planned.pfx!, pfx, 0o600);
  if (generatedPassword !== undefined && planned.pfxPasswordFile)
    await files.writeNew(planned.pfxPasswordFile, generatedPassword + '\n', 0o600);
  return keyProtection ? { ...planned, keyEncrypted: true, passwordEnv: keyProtection.env } : planned;
}

export function recordOf(cred: Credential, f: CertificateFiles, keyId?: string): CertificateRecord {
  return {
    thumbprint: cred.thumbprint,
    thumbprintSha256: cred.thumbprintSha256,
    notBefore: cred.notBefore.toISOString(),
    notAfter: cred.notAfter.toISOString(),
    ...(keyId ? { keyId } : {}),
    files: f,
  };
}
