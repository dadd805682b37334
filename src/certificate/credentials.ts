import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import type { CertificateRecord } from '../profile/store.js';
import type { Credential } from './x509.js';

/** Loading credentials from files and the environment, shared by init, check and rotate. */

/** A path, or the base64 of a PFX/PEM (CI secrets): returns the bytes and a label for messages. */
export async function readCertificateInput(
  ctx: Pick<Context, 'files'>,
  value: string,
  source: string,
): Promise<{ bytes: Buffer; label: string }> {
  if (await ctx.files.exists(value)) {
    try {
      return { bytes: await ctx.files.read(value), label: value };
    } catch (err) {
      throw usageError(
        `Cannot read ${value}: ${(err as Error).message}.`,
        'Check the path and its permissions.',
      );
    }
  }
  const compact = value.replace(/\s+/g, '');
  if (compact.length > 200 && /^[A-Za-z0-9+/]+=*$/.test(compact))
    return { bytes: Buffer.from(compact, 'base64'), label: `the base64 certificate in ${source}` };
  throw usageError(
    `${source}: no file at '${value.length > 80 ? value.slice(0, 80) + '…' : value}', and it is not base64 either.`,
    'Give the path of a PEM or PFX, or its base64 (for CI secrets).',
  );
}

export function passwordFromEnv(ctx: Pick<Context, 'env'>, name: string): string {
  const v = ctx.env[name];
  if (v === undefined)
    throw usageError(
      `The environment variable ${name} (named by --pfx-password-env) is not set.`,
      `Set ${name} to the PFX password, or drop --pfx-password-env.`,
    );
  if (v === '')
    throw usageError(
      `The environment variable ${name} is empty.`,
      'An empty PFX password protects nothing: set a real one.',
    );
  return v;
}

/**
 * The credential a profile points at (PEM key + certificate), or why it cannot be used. `passwordEnv` names
 * the profile's password variable, for a record written before archived records kept theirs: an encrypted
 * key is known by its PEM label as well as by the record.
 */
export async function loadRecordedCredential(
  ctx: Pick<Context, 'files' | 'env'>,
  rec: CertificateRecord,
  fallback: { passwordEnv?: string } = {},
): Promise<Credential | string> {
  const cert = await import('./x509.js');
  if (!rec.files.key || !rec.files.pem) return 'the profile records no key file';
  if (!(await ctx.files.exists(rec.files.key))) return `the key file ${rec.files.key} is missing`;
  if (!(await ctx.files.exists(rec.files.pem))) return `the certificate file ${rec.files.pem} is missing`;
  const keyText = await ctx.files.read(rec.files.key);
  const text = Buffer.concat([await ctx.files.read(rec.files.pem), Buffer.from('\n'), keyText]);
  const encrypted =
    rec.files.keyEncrypted === true || keyText.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  const passwordEnv = rec.files.passwordEnv ?? fallback.passwordEnv ?? 'EXO_CBA_CERTIFICATE_PASSWORD';
  const password = encrypted ? ctx.env[passwordEnv] : undefined;
  if (encrypted && !password)
    return `the key file ${rec.files.key} is encrypted: set ${passwordEnv} to its password`;
  try {
    const c = cert.requireCredential(cert.readCredential(text, rec.files.pem, password), rec.files.pem);
    if (c.thumbprint !== rec.thumbprint)
      return (
        `${rec.files.pem} holds a different certificate (${c.thumbprint}) than the profile ` +
        `records (${rec.thumbprint})`
      );
    return c;
  } catch (err) {
    return (err as Error).message;
  }
}
