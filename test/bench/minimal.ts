/**
 * The bench's yardstick: the same calls as `exo-cba check` and `exo-cba rotate --overlap 0`, made by the
 * shortest script that can (plain fetch, jose, the same certificate functions), with no options, profiles
 * store, retries or output. `node minimal.js check|rotate <profiles.json> <profile>`; the sandbox's CA comes
 * from NODE_EXTRA_CA_CERTS, the endpoints from EXO_CBA_*.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import {
  generateKey,
  selfSignedCertificate,
  toPfx,
  describeCertificate,
} from '../../src/certificate/x509.js';
import { makeProof } from '../../src/certificate/proof.js';

const [mode, file, name] = process.argv.slice(2) as [string, string, string];
const env = (k: string) => process.env[k] ?? '';
interface P {
  tenantId: string;
  app: { appId: string; objectId: string };
  certificate: { keyId: string; files: { pem: string; key: string } };
}
const profile = (JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, P> }).profiles[name]!;
const authority = `${env('EXO_CBA_AUTHORITY_HOST')}/${profile.tenantId}`;

async function token(keyPem: string, certPem: string, resource: string): Promise<string> {
  const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const aud = `${authority}/oauth2/v2.0/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    })
    .setIssuer(profile.app.appId)
    .setSubject(profile.app.appId)
    .setAudience(aud)
    .setJti(randomUUID())
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime('10m')
    .sign(await importPKCS8(keyPem, 'PS256'));
  const res = await fetch(aud, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: profile.app.appId,
      scope: `${resource}/.default`,
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token: HTTP ${res.status}`);
  return body.access_token;
}

async function probe(accessToken: string): Promise<void> {
  const res = await fetch(
    `${env('EXO_CBA_EXCHANGE_ENDPOINT')}/adminapi/beta/${profile.tenantId}/InvokeCommand`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-AcceptedDomain', Parameters: {} } }),
    },
  );
  if (res.status !== 200) throw new Error(`probe: HTTP ${res.status}`);
}

async function graph(accessToken: string, action: string, body: unknown): Promise<unknown> {
  const url = `${env('EXO_CBA_GRAPH_ENDPOINT')}/v1.0/applications/${profile.app.objectId}/${action}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${action}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : res.json();
}

async function main() {
  const files = profile.certificate.files;
  const keyPem = readFileSync(files.key, 'utf8');
  const certPem = readFileSync(files.pem, 'utf8');
  if (mode === 'check') return probe(await token(keyPem, certPem, 'https://outlook.office365.com'));
  // rotate, the calls exo-cba makes: the new certificate tried first (refused: not registered yet), addKey
  // with a proof by the current key, the new certificate verified (token and probe), the old key removed
  // with a proof by the new one, the old certificate tried (refused: removed), the files written.
  const newKey = await generateKey(2048);
  const newCert = selfSignedCertificate({
    keyPem: newKey,
    commonName: 'bench',
    now: new Date(),
    validityDays: 365,
  });
  const info = describeCertificate(newCert);
  const der = Buffer.from(newCert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const oldDer = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  if (
    await token(newKey, newCert, 'https://outlook.office365.com').then(
      () => true,
      () => false,
    )
  )
    throw new Error('the new certificate signed in before it was added');
  const graphToken = await token(keyPem, certPem, 'https://graph.microsoft.com');
  const proof = await makeProof({ keyPem, certDer: oldDer, objectId: profile.app.objectId, now: new Date() });
  await graph(graphToken, 'addKey', {
    keyCredential: {
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: der.toString('base64'),
      startDateTime: info.notBefore.toISOString(),
      endDateTime: info.notAfter.toISOString(),
    },
    passwordCredential: null,
    proof,
  });
  await probe(await token(newKey, newCert, 'https://outlook.office365.com'));
  const newGraphToken = await token(newKey, newCert, 'https://graph.microsoft.com');
  const proof2 = await makeProof({
    keyPem: newKey,
    certDer: der,
    objectId: profile.app.objectId,
    now: new Date(),
  });
  await graph(newGraphToken, 'removeKey', { keyId: profile.certificate.keyId, proof: proof2 });
  if (
    await token(keyPem, certPem, 'https://graph.microsoft.com').then(
      () => true,
      () => false,
    )
  )
    throw new Error('the removed certificate still signs in');
  writeFileSync(`${files.key}.bench`, newKey, { mode: 0o600 });
  writeFileSync(`${files.pem}.bench`, newCert);
  writeFileSync(
    `${files.pem}.bench.pfx`,
    toPfx({
      keyPem: newKey,
      certPem: newCert,
      password: 'bench-password-1234',
      legacy: false,
      friendlyName: 'b',
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
