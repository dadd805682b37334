import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { startHarness, tenantState } from '../helpers/harness.js';
import { makeContext } from '../../src/cli/wiring.js';
import { createHttpTransport } from '../../src/adapters/http.js';
import { initCommand } from '../../src/commands/init/index.js';
import { parseInitOptions } from '../../src/cli/options.js';
import type { Prompt } from '../../src/context.js';
import { CancelledError } from '../../src/core/errors.js';
import type { InitResult } from '../../src/output/render.js';

/** The interactive wizard through the prompt port: every question answered by name, real MSAL and Graph SDK underneath. */
function fakePrompt(
  answers: Record<string, string | boolean | (string | boolean)[]>,
  asked: string[],
): Prompt {
  const get = async <T>(name: string, fallback?: T): Promise<T> => {
    asked.push(name);
    const a = answers[name];
    if (Array.isArray(a)) {
      if (!a.length) throw new Error(`asked ${name} once too often`);
      return a.shift() as T;
    }
    if (a !== undefined) return a as T;
    if (fallback !== undefined) return fallback;
    throw new Error(`unexpected question ${name}`);
  };
  return {
    text: (q) => get(q.name, q.default),
    secret: (q) => get(q.name),
    confirm: (q) => get(q.name, q.default),
    select: (q) => get(q.name, q.default),
  };
}

test('the interactive init asks each question, honours the answers and double-confirms Global Administrator', async () => {
  const h = await startHarness();
  try {
    const asked: string[] = [];
    const out = new PassThrough();
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    out.resume();
    const io = {
      stdout: Object.assign(out, { isTTY: false }),
      stderr: Object.assign(err, { isTTY: false }),
      stdinIsTTY: true,
      env: { ...h.env, PATH: process.env['PATH'] },
    };
    const base = await makeContext(io, {
      verbose: false,
      json: false,
      yes: false,
      interactive: true,
      color: false,
    });
    const ctx = await makeContext(
      io,
      { verbose: false, json: false, yes: false, interactive: true, color: false },
      {
        interactive: true,
        prompt: fakePrompt(
          {
            appName: 'Wizard App',
            role: 'global-administrator',
            confirmGlobalAdmin: true,
            validityDays: '200',
            keySize: '3072',
            pfxPassword: 'Correct-Horse-9',
            pfxPasswordAgain: 'Correct-Horse-9',
          },
          asked,
        ),
        services: { ...base.services, http: () => createHttpTransport({ extraCaPem: h.sandbox.caPem }) },
      },
    );
    const result = await initCommand(
      parseInitOptions({ tenant: h.sandbox.directory.tenant.initialDomain }),
      ctx,
    );
    assert.equal(result.exitCode, 0, stderr);
    const data = result.data as InitResult;
    assert.deepEqual(asked, [
      'workload',
      'appName',
      'rightsModel',
      'role',
      'confirmGlobalAdmin',
      'validityDays',
      'keySize',
      'outDir',
      'pfxPassword',
      'pfxPasswordAgain',
      'confirmPlan',
    ]);
    assert.equal(data.role, 'Global Administrator');
    assert.equal(data.verified, true);
    assert.equal(tenantState(h.sandbox).apps[0]!.displayName, 'Wizard App');
    assert.equal(Math.round((Date.parse(data.notAfter) - Date.now()) / 86_400_000), 200);
    assert.equal(data.files.pfxPasswordFile, undefined, 'a typed password is not stored');
    const text = execFileSync(
      'openssl',
      ['pkcs12', '-in', data.files.pfx!, '-passin', 'pass:Correct-Horse-9', '-nokeys', '-clcerts'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    assert.match(text, /BEGIN CERTIFICATE/);
    const bits = execFileSync('openssl', ['x509', '-in', data.files.pem!, '-noout', '-text']).toString();
    assert.match(bits, /3072 bit/);
    assert.doesNotMatch(stderr, /Correct-Horse-9/);

    // Declining Global Administrator asks for the role again; declining the summary changes nothing and is no error.
    const declinedAsked: string[] = [];
    const declined = await makeContext(
      io,
      { verbose: false, json: false, yes: false, interactive: true, color: false },
      {
        interactive: true,
        prompt: fakePrompt(
          {
            appName: 'Other App',
            role: ['global-administrator', 'global-reader'],
            confirmGlobalAdmin: false,
            pfxPassword: '',
            confirmPlan: false,
          },
          declinedAsked,
        ),
        services: ctx.services,
      },
    );
    const before = JSON.stringify(h.sandbox.directory.data.applications);
    const r = await initCommand(
      parseInitOptions({ tenant: h.sandbox.directory.tenant.initialDomain, profile: 'other' }),
      declined,
    );
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.data, { ...(r.data as object), dryRun: true, declined: true });
    assert.deepEqual(declinedAsked.slice(0, 6), [
      'workload',
      'appName',
      'rightsModel',
      'role',
      'confirmGlobalAdmin',
      'role',
    ]);
    assert.equal(declinedAsked.at(-1), 'confirmPlan');
    assert.equal(JSON.stringify(h.sandbox.directory.data.applications), before);
    assert.equal(await declined.profiles.get('other'), undefined);

    // Ctrl-C at a prompt is a cancellation (exit 130), not a crash.
    const cancel = await makeContext(
      io,
      { verbose: false, json: false, yes: false, interactive: true, color: false },
      {
        interactive: true,
        prompt: { ...fakePrompt({}, []), text: () => Promise.reject(new CancelledError()) },
        services: ctx.services,
      },
    );
    await assert.rejects(
      initCommand(
        parseInitOptions({ tenant: h.sandbox.directory.tenant.initialDomain, profile: 'third' }),
        cancel,
      ),
      (e: unknown) => e instanceof CancelledError && e.exitCode === 130,
    );
  } finally {
    await h.close();
  }
});
