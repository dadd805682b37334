import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { decodeJwtClaims } from '../../src/adapters/identity.js';

test('a token’s claims are read as jose reads them, and anything else gives no claims', async () => {
  const { privateKey } = await generateKeyPair('RS256');
  const claims = { roles: ['Exchange.ManageAsApp'], wids: ['29232cdf'], oid: 'ü-ß-€', n: 1 };
  const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
  assert.deepEqual(decodeJwtClaims(jwt), decodeJwt(jwt));
  assert.deepEqual(decodeJwtClaims(jwt)['oid'], 'ü-ß-€');
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  for (const bad of [
    '',
    'abc',
    'a.b',
    `x.${b64([1, 2])}.y`,
    `x.${b64('text')}.y`,
    'x.!!!.y',
    `x.${b64(null)}.y`,
  ])
    assert.deepEqual(decodeJwtClaims(bad), {}, bad);
});
