import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, startHarness, tenantState, initArgs, type Harness } from '../helpers/harness.js';
import { makeCert, writePem } from '../helpers/certs.js';

/** Inputs found wrong by trying the tool: each is exit 2 with what, why and what to do, before any change. */

const openssl = (dir: string, ...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

describe('bad input is refused before anything changes', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  const refused = (r: { code: number | null; stderr: string }, what: RegExp) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, what);
    assert.match(r.stderr, /fix: /);
    assert.doesNotMatch(r.stderr, /failed unexpectedly|This is a bug|TypeError/);
    assert.equal(tenantState(h.sandbox).apps.length, 0, 'nothing changed in the tenant');
  };

  test('a certificate that is not valid yet', async () => {
    const c = await makeCert({ now: new Date(Date.now() + 10 * 86_400_000) });
    const file = writePem(h.dir, 'future.pem', c);
    refused(await h.run(initArgs(h, ['--cert-file', file])), /is not valid yet: it starts on/);
  });

  test('an EC key: only RSA is supported', async () => {
    const dir = path.join(h.dir, 'ec');
    mkdirSync(dir);
    openssl(
      dir,
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
      '-days',
      '30',
      '-subj',
      '/CN=ec',
    );
    writeFileSync(
      path.join(dir, 'both.pem'),
      readFileSync(path.join(dir, 'c.pem'), 'utf8') + readFileSync(path.join(dir, 'k.pem'), 'utf8'),
    );
    refused(
      await h.run(initArgs(h, ['--cert-file', path.join(dir, 'both.pem')])),
      /has an EC key; only RSA is supported/,
    );
  });

  test('a PEM whose chain puts the CA first: the leaf that matches the key is used', async () => {
    const dir = path.join(h.dir, 'chain');
    mkdirSync(dir);
    openssl(
      dir,
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      '/CN=Test CA',
    );
    openssl(
      dir,
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=leaf',
    );
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      '30',
    );
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    writeFileSync(path.join(dir, 'bundle.pem'), read('ca.pem') + read('leaf.pem') + read('leaf.key'));
    const r = await h.run(initArgs(h, ['--cert-file', path.join(dir, 'bundle.pem'), '--dry-run', '--json']));
    assert.equal(r.code, 0, r.stderr);
    const leafThumb = openssl(dir, 'x509', '-in', 'leaf.pem', '-noout', '-fingerprint', '-sha1')
      .toString()
      .split('=')[1]!
      .trim()
      .replace(/:/g, '');
    assert.match(r.stdout, new RegExp(`use the certificate ${leafThumb}`));
  });

  test('a profiles file of the wrong shape, or a directory in its place', async () => {
    const cfg = path.join(h.dir, 'cfg-shape');
    mkdirSync(cfg);
    writeFileSync(path.join(cfg, 'profiles.json'), JSON.stringify({ schemaVersion: 1, profiles: { a: 5 } }));
    for (const args of [['status'], ['check'], initArgs(h)]) {
      refused(
        await h.run(args, { env: { EXO_CBA_CONFIG_DIR: cfg } }),
        /profiles file .* cannot be read: profile 'a' is not an object/,
      );
    }
    const dirCfg = path.join(h.dir, 'cfg-dir');
    mkdirSync(path.join(dirCfg, 'profiles.json'), { recursive: true });
    refused(
      await h.run(['status'], { env: { EXO_CBA_CONFIG_DIR: dirCfg } }),
      /cannot be read: it is a directory/,
    );
  });

  test('rotate without --object-id and no profile writes nothing before refusing', async () => {
    const c = await makeCert();
    const dir = path.join(h.dir, 'rot');
    mkdirSync(dir);
    const file = writePem(dir, 'current.pem', c);
    const r = await h.run(
      [
        'rotate',
        '--app-id',
        '0bd1a111-2222-4333-8444-555566667777',
        '--tenant',
        h.sandbox.directory.tenant.initialDomain,
        '--cert-file',
        file,
      ],
      { env: { EXO_CBA_CONFIG_DIR: path.join(h.dir, 'cfg-rot') } },
    );
    refused(r, /object id is needed/);
    assert.deepEqual(readdirSync(dir), ['current.pem'], 'no key set was written');
  });

  test("each command's --help shows the global options and examples", () => {
    for (const cmd of ['init', 'check', 'rotate', 'status', 'remove', 'sandbox']) {
      const help = execFileSync(process.execPath, [BIN, cmd, '--help']).toString();
      for (const g of ['--json', '--yes', '--profile', '--cloud', '--verbose'])
        assert.ok(help.includes(g), `${cmd} --help lacks ${g}`);
      assert.match(help, /Examples:\n {2}exo-cba /, `${cmd} --help has examples`);
      assert.doesNotMatch(help, /\(default: "\d/, 'defaults are shown one way');
    }
  });

  // Round three: flags accepted together that make no sense, or that would be ignored.
  for (const cmd of ['check', 'rotate'])
    test(`${cmd} --all with --profile`, async () => {
      refused(
        await h.run([cmd, '--all', '--profile', 'x']),
        /--all acts on every saved profile; it does not combine with --profile x/,
      );
    });

  test('--foreign-credentials without --adopt-app', async () => {
    refused(
      await h.run(initArgs(h, ['--foreign-credentials', 'remove'])),
      /--foreign-credentials only applies with --adopt-app/,
    );
  });
});
