import forge from 'node-forge';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const genRsa = promisify(generateKeyPair);

export interface SandboxTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

async function rsa(): Promise<{ pub: forge.pki.rsa.PublicKey; priv: forge.pki.rsa.PrivateKey; pem: string }> {
  const { privateKey } = await genRsa('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey);
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { pub, priv, pem: privateKey };
}

function serial(): string {
  return '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
}

/** A throwaway CA and a server certificate for 127.0.0.1, localhost and the sandbox's host name, made fresh at every start. */
export async function makeSandboxTls(now: Date, hostname = 'localhost'): Promise<SandboxTls> {
  const [ca, server] = await Promise.all([rsa(), rsa()]);
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.pub;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = new Date(now.getTime() - 60_000);
  caCert.validity.notAfter = new Date(now.getTime() + 7 * 86_400_000);
  const caName = [{ name: 'commonName', value: 'exo-cba sandbox throwaway CA' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.priv, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = server.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = caCert.validity.notBefore;
  cert.validity.notAfter = caCert.validity.notAfter;
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
        ...(hostname !== 'localhost' && !/^[\d.]+$/.test(hostname) ? [{ type: 2, value: hostname }] : []),
      ],
    },
  ]);
  cert.sign(ca.priv, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(caCert),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: server.pem,
  };
}
