import type { Context } from '../../../context.js';
import type { CheckItem } from '../../../output/render.js';
import type { CertificateRecord } from '../../../profile/store.js';
import { skip, type Check, type CheckRun } from './types.js';

/**
 * Each file the profile promises, proven on its own (README "check"): the PFX the jobs load
 * (-CertificateFilePath) opens with its password source and holds the registered certificate and its key;
 * the PEM holds that certificate; the key file holds its key; the password file is there, private and opens
 * the PFX. The sign-in checks use the PEM and key, so without these a corrupt PFX would pass unseen.
 */

type Item = Omit<CheckItem, 'id'>;
type FilesCtx = Pick<Context, 'files' | 'env' | 'platform'>;
const FILE_CHECK_IDS = new Set(['pfx', 'pem', 'key', 'password-file']);
const NOT_PROMISED = 'the profile promises no';

const RESTORE = 'Restore it from the archive/ folder beside it, or make a new set with exo-cba rotate.';

function recordOf(r: CheckRun): CertificateRecord | undefined {
  return r.t.profile?.certificate ?? r.t.profile?.pendingCertificate;
}

async function readOrWhy(ctx: FilesCtx, p: string, what: string): Promise<Buffer | Item> {
  if (!(await ctx.files.exists(p)))
    return { status: 'fail', message: `the ${what} ${p} is missing`, fix: RESTORE };
  try {
    return await ctx.files.read(p);
  } catch (err) {
    return {
      status: 'fail',
      message: `the ${what} ${p} cannot be read: ${(err as Error).message}`,
      fix: RESTORE,
    };
  }
}

/** The PFX password from the source the jobs use, or why check cannot have it (check never prompts). */
async function pfxPassword(
  ctx: FilesCtx,
  r: CheckRun,
  rec: CertificateRecord,
): Promise<{ password: string; from: string } | Item> {
  const source = r.t.profile?.passwordSource;
  const file = source?.kind === 'file' ? source.path : rec.files.pfxPasswordFile;
  if (file) {
    const bytes = await readOrWhy(ctx, file, 'PFX password file');
    if (!Buffer.isBuffer(bytes)) return bytes;
    return { password: bytes.toString('utf8').replace(/\r?\n$/, ''), from: `the password file ${file}` };
  }
  const name = source?.kind === 'env' ? source.name : (rec.files.passwordEnv ?? r.o.target.passwordEnv);
  const v = ctx.env[name];
  if (v) return { password: v, from: name };
  return source?.kind === 'env'
    ? {
        status: 'warn',
        message: `not opened: its password variable ${name} is not set here`,
        fix: `Run check where the jobs run, or set ${name}.`,
      }
    : skip(`not opened: the password was typed at init; set ${name} (or --pfx-password-env) to prove it`);
}

export const pfxFile: Check = {
  id: 'pfx',
  async run(ctx, r) {
    const rec = recordOf(r);
    const pfx = rec?.files.pfx;
    if (!rec || !pfx) return skip(`${NOT_PROMISED} PFX`);
    const bytes = await readOrWhy(ctx, pfx, 'PFX');
    if (!Buffer.isBuffer(bytes)) return bytes;
    const pw = await pfxPassword(ctx, r, rec);
    if (!('password' in pw)) return pw;
    const x509 = await import('../../../certificate/x509.js');
    try {
      const c = x509.requireCredential(x509.readCredential(bytes, pfx, pw.password), pfx);
      if (c.thumbprint !== rec.thumbprint)
        return {
          status: 'fail',
          message: `the PFX ${pfx} holds certificate ${c.thumbprint}, not the registered ${rec.thumbprint}`,
          fix: RESTORE,
        };
      return {
        status: 'pass',
        message: `the PFX ${pfx} opens with ${pw.from} and holds certificate ${c.thumbprint} and its key`,
      };
    } catch (err) {
      return { status: 'fail', message: (err as Error).message, fix: RESTORE };
    }
  },
};

export const pemFile: Check = {
  id: 'pem',
  async run(ctx, r) {
    const rec = recordOf(r);
    const pem = rec?.files.pem;
    if (!rec || !pem) return skip(`${NOT_PROMISED} PEM`);
    const bytes = await readOrWhy(ctx, pem, 'certificate file');
    if (!Buffer.isBuffer(bytes)) return bytes;
    const x509 = await import('../../../certificate/x509.js');
    try {
      const { cert } = x509.readCredential(bytes, pem);
      if (cert.thumbprint !== rec.thumbprint)
        return {
          status: 'fail',
          message: `${pem} holds certificate ${cert.thumbprint}, not the registered ${rec.thumbprint}`,
          fix: RESTORE,
        };
      return { status: 'pass', message: `${pem} holds certificate ${cert.thumbprint}` };
    } catch (err) {
      return { status: 'fail', message: (err as Error).message, fix: RESTORE };
    }
  },
};

export const keyFile: Check = {
  id: 'key',
  async run(ctx, r) {
    const rec = recordOf(r);
    const key = rec?.files.key;
    if (!rec || !key) return skip(`${NOT_PROMISED} key file`);
    const bytes = await readOrWhy(ctx, key, 'key file');
    if (!Buffer.isBuffer(bytes)) return bytes;
    const x509 = await import('../../../certificate/x509.js');
    const name = rec.files.passwordEnv ?? r.o.target.passwordEnv;
    const password = rec.files.keyEncrypted ? ctx.env[name] : undefined;
    if (rec.files.keyEncrypted && !password)
      return skip(`not opened: ${key} is encrypted; set ${name} to its password to prove it`);
    let keyPem: string;
    try {
      keyPem = x509.toPkcs8Pem(bytes.toString('utf8'), password);
    } catch {
      return { status: 'fail', message: `${key} holds no private key exo-cba can read`, fix: RESTORE };
    }
    const certPem = r.cred?.thumbprint === rec.thumbprint ? r.cred.certPem : undefined;
    if (!certPem)
      return { status: 'pass', message: `${key} holds a private key (no certificate at hand to pair)` };
    return x509.keyMatchesCertificate(keyPem, certPem)
      ? { status: 'pass', message: `${key} holds the key of certificate ${rec.thumbprint}` }
      : {
          status: 'fail',
          message: `${key} holds a key that is not certificate ${rec.thumbprint}'s`,
          fix: RESTORE,
        };
  },
};

export const passwordFile: Check = {
  id: 'password-file',
  async run(ctx, r) {
    const file = recordOf(r)?.files.pfxPasswordFile;
    if (!file) return skip(`${NOT_PROMISED} password file`);
    const bytes = await readOrWhy(ctx, file, 'PFX password file');
    if (!Buffer.isBuffer(bytes)) return bytes;
    if (!bytes.toString('utf8').trim())
      return { status: 'fail', message: `the PFX password file ${file} is empty`, fix: RESTORE };
    const mode = ctx.platform === 'win32' ? undefined : await ctx.files.mode(file);
    if (mode !== undefined && mode & 0o077)
      return {
        status: 'warn',
        message: `the PFX password file ${file} can be read by other users (mode ${mode.toString(8)})`,
        fix: `chmod 600 ${file}`,
      };
    return { status: 'pass', message: `the PFX password file ${file} is there and private` };
  },
};

/** A file check that found nothing promised (a --cert-file run, a profile without a PFX) is left out of the report. */
export function notPromised(id: string, item: Item): boolean {
  return FILE_CHECK_IDS.has(id) && item.status === 'skip' && item.message.startsWith(NOT_PROMISED);
}
