import forge from 'node-forge';
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  pbkdf2Sync,
  randomBytes,
  sign,
} from 'node:crypto';
import { promisify } from 'node:util';
import { usageError } from '../core/errors.js';

/** Certificates: pure functions over PEM/DER bytes (no file or network I/O). */

const genRsa = promisify(generateKeyPair);

/**
 * forge derives a PFX key bag's PBES2 key in JavaScript when it is handed a digest object, as its PKCS#12
 * writer does (about 0.4 s a PFX, more than the rest of a rotation's own work); Node's PBKDF2 gives the same
 * bytes from the same binary string, as forge's own native path does for a digest named by a string.
 */
const forgePbkdf2 = forge.pkcs5.pbkdf2.bind(forge.pkcs5);
const NATIVE_PRF = new Set(['sha1', 'sha256', 'sha384', 'sha512']);
forge.pkcs5.pbkdf2 = ((...args: unknown[]) => {
  const [p, salt, c, dkLen, md, cb] = args as [string, string, number, number, unknown, unknown];
  const algorithm = (md as { algorithm?: unknown } | undefined)?.algorithm;
  if (
    cb === undefined &&
    typeof algorithm === 'string' &&
    NATIVE_PRF.has(algorithm) &&
    /^[\0-\xff]*$/.test(p)
  )
    return pbkdf2Sync(Buffer.from(p, 'binary'), Buffer.from(salt, 'binary'), c, dkLen, algorithm).toString(
      'binary',
    );
  return (forgePbkdf2 as (...a: unknown[]) => unknown)(...args);
}) as typeof forge.pkcs5.pbkdf2;

/** Entra and MSAL's signer refuse RSA keys under 2048 bits. */
export { KEY_SIZES, type KeySize } from '../core/values.js';
import type { KeySize } from '../core/values.js';

export interface CertificateInfo {
  certPem: string;
  der: Buffer;
  /** SHA-1 of the DER, uppercase hex: what Connect-ExchangeOnline -CertificateThumbprint wants. */
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  subject: string;
  /** 'rsa', 'ec', 'ed25519', …: Entra certificate credentials and MSAL's signer take RSA only. */
  keyType: string;
  keyBits: number;
}

export interface Credential extends CertificateInfo {
  /** Unencrypted PKCS#8 PEM (in memory only). */
  keyPem: string;
  /** The key came protected by a password (an encrypted PEM or a PFX): exo-cba keeps it so on disk. */
  keyWasProtected?: boolean;
}

/** Node's native RSA generation, off the main thread so the spinner keeps turning. */
export async function generateKey(bits: KeySize): Promise<string> {
  const { privateKey } = await genRsa('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return privateKey;
}

/**
 * A self-signed client certificate as Entra and Exchange expect it: SHA-256, random positive serial,
 * clientAuth EKU, notBefore a few minutes back for clock skew.
 */
export function selfSignedCertificate(opts: {
  keyPem: string;
  commonName: string;
  now: Date;
  validityDays: number;
}): string {
  const key = forge.pki.privateKeyFromPem(opts.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and non-zero
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(opts.now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(opts.now.getTime() + opts.validityDays * 86_400_000);
  // UTF8String, so that a name outside ASCII (an app called 'Über Café') is carried as it is; forge encodes the
  // string as UTF-8 itself (encoding it first gave 'Ãber CafÃ©').
  const name = [
    {
      name: 'commonName',
      value: opts.commonName,
      valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
    },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  // What forge's cert.sign does, with Node's RSA signer in place of forge's JavaScript one (about 0.5 s).
  const signing = cert as typeof cert & { tbsCertificate: forge.asn1.Asn1 };
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids['sha256WithRSAEncryption'] as string;
  // @types/node-forge lacks getTBSCertificate (forge's own cert.sign uses it).
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  signing.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(signing.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, opts.keyPem).toString('binary');
  return forge.pki.certificateToPem(cert);
}

export function describeCertificate(certPem: string): CertificateInfo {
  const x = new X509Certificate(certPem);
  const der = x.raw;
  const pub = x.publicKey.asymmetricKeyDetails;
  return {
    certPem: x.toString(),
    der,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    subject: x.subject.replace(/\n/g, ', '),
    keyType: x.publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: pub?.modulusLength ?? 0,
  };
}

export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromKey, fromCert) === 0;
}

export function toPkcs8Pem(keyPem: string, passphrase?: string): string {
  return createPrivateKey({ key: keyPem, ...(passphrase ? { passphrase } : {}) })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/**
 * A password-protected PFX. AES-256 (PBES2) by default; `legacy` gives 3DES for Windows Server 2016 and
 * Windows PowerShell 5.1 hosts, which cannot import AES-encrypted PFX files.
 */
export function toPfx(opts: {
  keyPem: string;
  certPem: string;
  password: string;
  legacy: boolean;
  friendlyName: string;
}): Buffer {
  const key = forge.pki.privateKeyFromPem(opts.keyPem);
  const cert = forge.pki.certificateFromPem(opts.certPem);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], opts.password, {
    algorithm: opts.legacy ? '3des' : 'aes256',
    friendlyName: opts.friendlyName,
    generateLocalKeyId: true,
    // @types/node-forge lacks prfAlgorithm; forge uses it for PBES2 (sha256 rather than the sha1 default).
    ...(opts.legacy ? {} : { prfAlgorithm: 'sha256' }),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export function generatePassword(): string {
  // 24 characters from an unambiguous alphabet: ~140 bits, easy to paste into a secret store.
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(48);
  let out = '';
  for (const b of bytes) {
    if (b < 232) out += alphabet.charAt(b % alphabet.length);
    if (out.length === 24) break;
  }
  return out;
}

// PKCS#12 bag types (RFC 7292 §4.2).
const OID_KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const OID_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';

export type CredentialSource = { kind: 'pem' } | { kind: 'pfx' } | { kind: 'der' };

export function sniff(bytes: Buffer): CredentialSource {
  const head = bytes.subarray(0, 4096).toString('latin1');
  if (head.includes('-----BEGIN')) return { kind: 'pem' };
  // PKCS#12 is a DER SEQUENCE whose first element is INTEGER 3; a certificate's first element is a SEQUENCE.
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')), false);
    const first = (asn1.value as forge.asn1.Asn1[])[0];
    if (first && first.type === forge.asn1.Type.INTEGER) return { kind: 'pfx' };
  } catch {
    return { kind: 'der' };
  }
  return { kind: 'der' };
}

/**
 * Reads a certificate (and its key, where the file has one) from PEM, PFX or DER bytes.
 * `label` names the input in messages; a bad PFX password is a usage error (exit 2), not a stack trace.
 */
export function readCredential(
  bytes: Buffer,
  label: string,
  password?: string,
): { cert: CertificateInfo; keyPem?: string; keyWasProtected?: boolean } {
  const { kind } = sniff(bytes);
  if (kind === 'pem') {
    const text = bytes.toString('utf8');
    const certBlocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const keyBlock =
      /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(
        text,
      )?.[0];
    if (!certBlocks.length && !keyBlock)
      throw usageError(
        `${label} holds no certificate or private key.`,
        'Give a PEM with a CERTIFICATE block (and a PRIVATE KEY block), a PFX, or a DER .cer.',
      );
    let keyPem: string | undefined;
    if (keyBlock) {
      if (keyBlock.includes('ENCRYPTED') && !password)
        throw usageError(
          `The private key in ${label} is encrypted.`,
          'Provide its password through --pfx-password-env (the name of an environment variable).',
        );
      try {
        keyPem = toPkcs8Pem(keyBlock, password);
      } catch {
        throw usageError(
          `The private key in ${label} cannot be read${password ? ' with that password' : ''}.`,
          'Check the file and its password.',
        );
      }
    }
    if (!certBlocks.length)
      throw usageError(
        `${label} has a private key but no certificate.`,
        'Put the CERTIFICATE block in the same PEM, or give the PFX.',
      );
    return {
      cert: safeDescribe(leafOf(certBlocks, keyPem), label),
      ...(keyPem ? { keyPem, keyWasProtected: keyBlock!.includes('ENCRYPTED') } : {}),
    };
  }
  if (kind === 'pfx') {
    let p12: forge.pkcs12.Pkcs12Pfx;
    try {
      const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
    } catch (err) {
      const msg = (err as Error).message;
      if (/mac could not be verified|invalid password/i.test(msg) || /decrypt/i.test(msg)) {
        throw usageError(
          `The PFX password for ${label} is wrong.`,
          'Set the right password in the environment variable named by --pfx-password-env (or ' +
            'EXO_CBA_CERTIFICATE_PASSWORD).',
          'The PFX integrity check (MAC) failed with the password given.',
        );
      }
      throw usageError(
        `${label} is not a PFX exo-cba can read: ${msg}.`,
        'Re-export it as PKCS#12 (openssl pkcs12 -export), or give a PEM with certificate and key.',
      );
    }
    const bags = (oid: string) => p12.getBags({ bagType: oid })[oid] ?? [];
    const certs = bags(OID_CERT_BAG).flatMap((b) => (b.cert ? [forge.pki.certificateToPem(b.cert)] : []));
    const keyBag = bags(OID_SHROUDED_KEY_BAG)[0] ?? bags(OID_KEY_BAG)[0];
    if (!certs.length) {
      // forge reads RSA certificates only; an EC certificate comes back as a bag without one.
      if (bags(OID_CERT_BAG).length)
        throw usageError(
          `The certificate in ${label} does not have an RSA key.`,
          'Entra certificate credentials and Exchange app-only auth take RSA keys only: make an RSA ' +
            'certificate (2048 bits or more), or let exo-cba make one.',
        );
      throw usageError(`${label} has no certificate inside.`, 'Export the PFX with its certificate.');
    }
    const keyPem = keyBag?.key ? toPkcs8Pem(forge.pki.privateKeyToPem(keyBag.key)) : undefined;
    return {
      cert: safeDescribe(leafOf(certs, keyPem), label),
      ...(keyPem ? { keyPem, keyWasProtected: true } : {}),
    };
  }
  try {
    return { cert: describeCertificate(new X509Certificate(bytes).toString()) };
  } catch {
    throw usageError(
      `${label} is not a certificate exo-cba can read.`,
      'Give a PEM (certificate and key), a PFX, or a DER .cer.',
    );
  }
}

/**
 * The certificate that belongs to the key, wherever it stands in a chain (exports from some CAs put the
 * issuer first); without a key, the first one.
 */
function leafOf(certPems: string[], keyPem: string | undefined): string {
  if (keyPem && certPems.length > 1) {
    const match = certPems.find((c) => {
      try {
        return keyMatchesCertificate(keyPem, c);
      } catch {
        return false;
      }
    });
    if (match) return match;
  }
  return certPems[0]!;
}

function safeDescribe(certPem: string, label: string): CertificateInfo {
  try {
    return describeCertificate(certPem);
  } catch {
    throw usageError(
      `The certificate in ${label} cannot be parsed.`,
      'Check that the file is a valid X.509 certificate.',
    );
  }
}

/** A credential ready for signing: certificate and matching key of a usable size. */
export function requireCredential(
  parsed: { cert: CertificateInfo; keyPem?: string; keyWasProtected?: boolean },
  label: string,
): Credential {
  if (parsed.cert.keyType !== 'rsa') {
    throw usageError(
      `The certificate in ${label} has an ${parsed.cert.keyType.toUpperCase()} key; only RSA is supported.`,
      'Entra certificate credentials and Exchange app-only auth take RSA keys only: make an RSA ' +
        'certificate (2048 bits or more), or let exo-cba make one.',
    );
  }
  if (!parsed.keyPem)
    throw usageError(
      `${label} has no private key.`,
      'exo-cba signs with the key: give a PEM with certificate and key, or a PFX.',
    );
  if (!keyMatchesCertificate(parsed.keyPem, parsed.cert.certPem)) {
    throw usageError(
      `The private key in ${label} does not belong to its certificate.`,
      'Pair the certificate with the key it was made with.',
    );
  }
  if (parsed.cert.keyBits < 2048)
    throw usageError(
      `The key in ${label} has ${parsed.cert.keyBits} bits; Entra needs at least 2048.`,
      'Make a new certificate (exo-cba rotate).',
    );
  return {
    ...parsed.cert,
    keyPem: parsed.keyPem,
    ...(parsed.keyWasProtected ? { keyWasProtected: true } : {}),
  };
}

/** The key as encrypted PKCS#8 (AES-256-CBC, scrypt-free PBES2 that OpenSSL and .NET read). */
export function encryptedKeyPem(keyPem: string, passphrase: string): string {
  return createPrivateKey(keyPem)
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    .toString();
}
