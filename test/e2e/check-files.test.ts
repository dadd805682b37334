import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';

interface Report {
  status: string;
  checks: { id: string; status: string; message: string; fix?: string }[];
}
interface InitOut {
  files: { pfx: string; pem: string; key: string; pfxPasswordFile?: string };
}

/** check proves each file the jobs use (issue 19 item 3), end to end with the built binary. */
describe('check reports each certificate file the profile promises (built binary)', () => {
  let h: Harness;
  let n = 0;
  const newProfile = async () => {
    const name = `files${++n}`;
    const r = await h.run(initArgs(h, ['--app-name', `Files App ${n}`, '--profile', name, '--json']));
    assert.equal(r.code, 0, r.stderr);
    return { name, files: json<InitOut>(r).files };
  };
  const report = async (name: string) => {
    const r = await h.run(['check', '--profile', name, '--json']);
    const rep = json<{ reports: Report[] }>(r).reports[0];
    assert.ok(rep);
    const item = (id: string) => rep.checks.find((c) => c.id === id);
    return { r, rep, item };
  };
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('a good set: PFX, PEM, key and password file each pass on their own line', async () => {
    const p = await newProfile();
    assert.ok(p.files.pfxPasswordFile, 'init generated a password file');
    const { r, item } = await report(p.name);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const id of ['pfx', 'pem', 'key', 'password-file']) assert.equal(item(id)?.status, 'pass', id);
    assert.match(
      item('pfx')?.message ?? '',
      /opens with the password file .* holds certificate [0-9A-F]{40} and its key/,
    );
  });

  test('a corrupt PFX beside good PEM files fails check with a clear line, the PEM and key still pass', async () => {
    const p = await newProfile();
    writeFileSync(p.files.pfx, Buffer.from('this is not a PFX any more'));
    const { r, rep, item } = await report(p.name);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(rep.status, 'fail');
    assert.equal(item('pfx')?.status, 'fail');
    assert.ok(item('pfx')?.message.includes(p.files.pfx), item('pfx')?.message);
    assert.equal(item('pem')?.status, 'pass');
    assert.equal(item('key')?.status, 'pass');
    assert.equal(item('sign-in')?.status, 'pass', 'the PEM and key still sign in: only the PFX is broken');
    const text = await h.run(['check', '--profile', p.name]);
    assert.equal(text.code, 1);
    assert.match(text.stdout + text.stderr, /pfx.*not a certificate|pfx.*not a PFX|pfx.*cannot/i);
  });

  test('a password file that no longer opens the PFX fails the PFX line; a missing one fails both', async () => {
    const p = await newProfile();
    const file = p.files.pfxPasswordFile;
    assert.ok(file);
    const saved = readFileSync(file);
    writeFileSync(file, 'not-the-password');
    const wrong = await report(p.name);
    assert.equal(wrong.r.code, 1);
    assert.equal(wrong.item('pfx')?.status, 'fail');
    assert.match(wrong.item('pfx')?.message ?? '', /password .* is wrong/);
    assert.equal(wrong.item('password-file')?.status, 'pass');
    rmSync(file);
    const gone = await report(p.name);
    assert.equal(gone.r.code, 1);
    assert.match(gone.item('pfx')?.message ?? '', /password file .* is missing/);
    assert.match(gone.item('password-file')?.message ?? '', /is missing/);
    writeFileSync(file, saved, { mode: 0o600 });
  });

  test('a PEM that holds another certificate fails the PEM line', async () => {
    const a = await newProfile();
    const b = await newProfile();
    writeFileSync(a.files.pem, readFileSync(b.files.pem));
    const { r, item } = await report(a.name);
    assert.notEqual(r.code, 0);
    assert.equal(item('pem')?.status, 'fail');
    assert.match(item('pem')?.message ?? '', /not the registered/);
    assert.equal(item('pfx')?.status, 'pass');
  });
});
