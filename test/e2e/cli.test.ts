import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { BIN, tempDir, startHarness, initArgs, json } from '../helpers/harness.js';

describe('the command line', () => {
  test('--help lists init, check, rotate and sandbox with their flags; no command is a usage error', () => {
    const help = execFileSync(process.execPath, [BIN, '--help']).toString();
    for (const c of ['init', 'check', 'rotate', 'sandbox', 'status', 'remove'])
      assert.match(help, new RegExp(`\\n  ${c} `));
    const initHelp = execFileSync(process.execPath, [BIN, 'init', '--help']).toString();
    for (const f of [
      '--tenant',
      '--client-id',
      '--auth',
      '--app-name',
      '--role',
      '--allow-global-admin',
      '--validity-days',
      '--key-size',
      '--out-dir',
      '--cert-file',
      '--pfx-password-env',
      '--pfx-legacy',
      '--wait',
      '--no-verify',
      '--dry-run',
      '--sandbox',
    ])
      assert.ok(initHelp.includes(f), f);
    let code: number | null = null;
    try {
      execFileSync(process.execPath, [BIN, '--bogus'], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
    }
    assert.equal(code, 2);
  });

  test('the help pages printed without commander are the ones commander prints', () => {
    for (const page of ['', 'init', 'check', 'rotate', 'status', 'remove', 'sandbox', 'federate', 'token']) {
      const args = page ? [page] : [];
      const cached = execFileSync(process.execPath, [BIN, ...args, '--help']).toString();
      const live = execFileSync(process.execPath, [BIN, ...args, '--help', '--no-color']).toString(); // an extra flag goes through commander
      assert.equal(cached, live, `help page '${page}'`);
    }
  });

  test('--version and --help load none of msal-node, the Graph client, inquirer or node-forge', () => {
    const dir = tempDir();
    const log = path.join(dir, 'loaded.txt');
    writeFileSync(
      path.join(dir, 'hook.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`,
    );
    writeFileSync(
      path.join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify('file://' + path.join(dir, 'hook.mjs'))});\n`,
    );
    for (const args of [['--version'], ['--help']]) {
      writeFileSync(log, '');
      execFileSync(process.execPath, ['--import', path.join(dir, 'register.mjs'), BIN, ...args], {
        stdio: 'pipe',
      });
      const loaded = readFileSync(log, 'utf8');
      assert.match(loaded, /exo-cba|main\.js/, 'the hook saw the imports');
      for (const heavy of ['@azure/msal-node', 'microsoft-graph-client', 'inquirer', 'node-forge', '/jose/'])
        assert.ok(!loaded.includes(heavy), `${args[0]} loaded ${heavy}`);
    }
  });

  test('exo-cba sandbox serves, prints the lines that point exo-cba at it, answers discovery, and stops on Ctrl-C', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'sandbox', '--ca-file', path.join(dir, 'ca.pem')], {
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', EXO_CBA_CONFIG_DIR: dir },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      // A loaded machine (two cores shared by several test runs) can take long to make the keys; a child left
      // running after a failure would keep the whole test run waiting, so it is killed with the failure.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no output: ${err}`));
      }, 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/NODE_EXTRA_CA_CERTS/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const env = Object.fromEntries([...out.matchAll(/^export (\w+)=(.+)$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual(Object.keys(env).sort(), [
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'EXO_CBA_AUTHORITY_HOST',
      'EXO_CBA_COMPLIANCE_ENDPOINT',
      'EXO_CBA_COMPLIANCE_REGION_ENDPOINT',
      'EXO_CBA_EXCHANGE_ENDPOINT',
      'EXO_CBA_GRAPH_ENDPOINT',
      'EXO_CBA_SHAREPOINT_ENDPOINT',
      'EXO_CBA_TEAMS_ENDPOINT',
      'NODE_EXTRA_CA_CERTS',
    ]);
    const doc = execFileSync('curl', [
      '-s',
      '--cacert',
      env['NODE_EXTRA_CA_CERTS']!,
      `${env['EXO_CBA_AUTHORITY_HOST']}/exocbasandbox.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
    ]).toString();
    assert.match(JSON.parse(doc).token_endpoint as string, /oauth2\/v2\.0\/token$/);
    // A user points exo-cba at it exactly as printed.
    const r = execFileSync(
      process.execPath,
      [BIN, 'init', '--tenant', 'exocbasandbox.onmicrosoft.com', '--yes', '--json'],
      {
        env: { PATH: process.env['PATH'] ?? '', ...env, EXO_CBA_CONFIG_DIR: path.join(dir, 'cfg') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    assert.equal((JSON.parse(r.toString()) as { verified: boolean }).verified, true);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.match(err, /Sandbox stopped/);
  });

  test('--auth browser signs the admin in through the loopback browser flow (PKCE, form_post)', async () => {
    const h = await startHarness();
    try {
      // A stand-in browser: follows the authorize page's auto-submitted form to MSAL's loopback listener.
      const script = path.join(h.dir, 'browser.mjs');
      writeFileSync(
        script,
        `
        import https from 'node:https'; import http from 'node:http';
        const url = process.argv[2];
        https.get(url, (res) => { let html = ''; res.on('data', (d) => html += d); res.on('end', () => {
          const action = /action="([^"]+)"/.exec(html)[1];
          const fields = [...html.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => encodeURIComponent(m[1]) + '=' + encodeURIComponent(m[2].replace(/&quot;/g, '"'))).join('&');
          const req = http.request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (r) => r.resume());
          req.end(fields);
        }); });`,
      );
      const launcher = path.join(h.dir, 'browser.sh');
      writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$1"\n`);
      chmodSync(launcher, 0o755);
      const r = await h.run([...initArgs(h, ['--auth', 'browser']), '--json'], {
        env: { BROWSER: launcher },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Signed in as admin@/);
      assert.ok(h.sandbox.faults.log.some((e) => e.endpoint.endsWith('/oauth2/v2.0/authorize')));
    } finally {
      await h.close();
    }
  });

  test('--verbose explains each HTTP exchange but never shows a token, an assertion, a key or a password', async () => {
    const h = await startHarness();
    try {
      const r = await h.run([...initArgs(h, ['--verbose']), '--json'], {
        env: { MY_PFX: 'Sup3r-Secret-Pfx' },
      });
      assert.equal(r.code, 0, r.stderr);
      const out = json<{ files: Record<string, string> }>(r);
      const generated = readFileSync(out.files['pfxPasswordFile']!, 'utf8').trim();
      assert.match(r.stderr, /\[verbose\] POST https:\/\/127\.0\.0\.1:\d+\/v1\.0\/servicePrincipals -> 201/);
      assert.doesNotMatch(r.stderr, /eyJ[A-Za-z0-9_-]{10,}/, 'no JWT');
      assert.doesNotMatch(r.stderr, /PRIVATE KEY/);
      assert.ok(
        !r.stderr.includes(generated) && !r.stdout.includes(generated),
        'the generated password is not shown without a terminal',
      );
      const withEnv = await h.run(
        [
          ...initArgs(h, [
            '--verbose',
            '--app-name',
            'Env Pw',
            '--profile',
            'envpw',
            '--pfx-password-env',
            'MY_PFX',
          ]),
        ],
        { env: { MY_PFX: 'Sup3r-Secret-Pfx' } },
      );
      assert.equal(withEnv.code, 0, withEnv.stderr);
      assert.ok(!(withEnv.stdout + withEnv.stderr).includes('Sup3r-Secret-Pfx'));
    } finally {
      await h.close();
    }
  });
});
