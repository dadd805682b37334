import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import * as cert from '../../src/certificate/x509.js';

const options = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;

// x509.ts hands forge's signing and key derivation to Node: the bytes must stay what forge and OpenSSL make.

test('PBKDF2 through Node gives the bytes of forge’s JavaScript PBKDF2, for every digest forge hands it', () => {
  for (const alg of ['sha1', 'sha256', 'sha512'] as const)
    for (const password of ['pw-123', 'ÿ-latin1', '']) {
      const salt = forge.random.getBytesSync(8);
      const native = forge.pkcs5.pbkdf2(password, salt, 2048, 32, forge.md[alg].create());
      options.usePureJavaScript = true;
      try {
        const js = forge.pkcs5.pbkdf2(password, salt, 2048, 32, forge.md[alg].create());
        assert.equal(forge.util.bytesToHex(native), forge.util.bytesToHex(js), `${alg} '${password}'`);
      } finally {
        options.usePureJavaScript = false;
      }
    }
});

test('a generated certificate’s signature verifies, its name is the UTF-8 it was given, and OpenSSL opens its PFX key', async () => {
  const keyPem = await cert.generateKey(2048);
  const pem = cert.selfSignedCertificate({
    keyPem,
    commonName: 'Über Café',
    now: new Date(),
    validityDays: 5,
  });
  const x = new X509Certificate(pem);
  assert.ok(x.verify(x.publicKey), 'self-signed: verifies with its own key');
  assert.ok(x.checkPrivateKey(createPrivateKey(keyPem)));
  assert.match(x.subject, /CN=Über Café/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exo-cba-unit-'));
  writeFileSync(path.join(dir, 'c.pem'), pem);
  const subject = execFileSync('openssl', [
    'x509',
    '-in',
    path.join(dir, 'c.pem'),
    '-noout',
    '-subject',
    '-nameopt',
    'utf8,sep_multiline',
  ]);
  assert.match(subject.toString('utf8'), /CN=Über Café/);
  for (const legacy of [false, true]) {
    const file = path.join(dir, `${legacy}.pfx`);
    writeFileSync(file, cert.toPfx({ keyPem, certPem: pem, password: 'pw-123', legacy, friendlyName: 'U' }));
    const out = execFileSync(
      'openssl',
      ['pkcs12', '-in', file, '-nocerts', '-nodes', '-passin', 'pass:pw-123'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(out)?.[0];
    assert.ok(key, `OpenSSL printed the key of the ${legacy ? '3DES' : 'AES'} PFX`);
    assert.equal(
      createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }),
      createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }),
    );
  }
});
