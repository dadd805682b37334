import { describe, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, tenantState, type Harness } from '../helpers/harness.js';
import { makeContext } from '../../src/cli/wiring.js';
import { createHttpTransport } from '../../src/adapters/http.js';
import { parseCheckOptions, parseInitOptions, parseRotateOptions } from '../../src/cli/options.js';
import { initCommand } from '../../src/commands/init/index.js';
import { rotateCommand } from '../../src/commands/rotate/index.js';
import { checkCommand } from '../../src/commands/check/index.js';
import type { CheckResult, InitResult, RotateResult } from '../../src/output/render.js';

/**
 * A daily scheduled `rotate --all --if-expiring-within 30` over a whole certificate cycle. Time is moved for
 * everything in the process at once (the tool's clock port reads Date, and so do MSAL and the sandbox); the
 * real adapters run underneath. After every day: the printed PFX path opens with the original password file
 * and holds a certificate the app accepts.
 */
const DAY = 86_400_000;

async function contextFor(h: Harness) {
  const sink = new PassThrough();
  sink.resume();
  const io = {
    stdout: Object.assign(sink, { isTTY: false }),
    stderr: Object.assign(new PassThrough().resume(), { isTTY: false }),
    stdinIsTTY: false,
    env: { ...h.env, PATH: process.env['PATH'] },
  };
  const base = await makeContext(io, {
    verbose: false,
    json: true,
    yes: true,
    interactive: false,
    color: false,
  });
  return makeContext(
    io,
    { verbose: false, json: true, yes: true, interactive: false, color: false },
    { services: { ...base.services, http: () => createHttpTransport({ extraCaPem: h.sandbox.caPem }) } },
  );
}

describe('the rotation cycle, day by day', () => {
  test('before the window nothing happens; in it add, verify, switch; during the overlap both keys sign in; after it the old key is gone and refused', async () => {
    const h = await startHarness();
    const T0 = Date.now();
    mock.timers.enable({ apis: ['Date'], now: T0 });
    try {
      const ctx = await contextFor(h);
      const day = (n: number) => mock.timers.setTime(T0 + n * DAY);
      const init = await initCommand(
        parseInitOptions({ tenant: h.sandbox.directory.tenant.initialDomain, validityDays: '60', yes: true }),
        ctx,
      );
      const first = init.data as InitResult;
      const appId = first.appId;
      const keys = () => tenantState(h.sandbox).apps.find((a) => a.appId === appId)!.keyCredentials.length;
      const daily = async () =>
        (
          (await rotateCommand(parseRotateOptions({ all: true, ifExpiringWithin: '30' }, ctx.env), ctx))
            .data as RotateResult
        ).results[0]!;
      const signsIn = async (pemAndKey: string) => {
        const file = path.join(h.dir, `probe-${Date.now()}.pem`);
        writeFileSync(file, pemAndKey);
        const r = await checkCommand(
          parseCheckOptions({ appId, tenant: first.tenantId, certFile: file }, ctx.env),
          ctx,
        );
        return (r.data as CheckResult).reports[0]!.checks.find((c) => c.id === 'sign-in')!.status === 'pass';
      };
      const opensWithPasswordFile = () =>
        execFileSync(
          'openssl',
          [
            'pkcs12',
            '-nokeys',
            '-clcerts',
            '-in',
            first.files.pfx!,
            '-passin',
            `file:${first.files.pfxPasswordFile!}`,
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        ).toString();
      const fromPath = () => readFileSync(first.files.pem!, 'utf8') + readFileSync(first.files.key!, 'utf8');

      day(1);
      const d1 = await daily();
      assert.equal(d1.action, 'skipped');
      assert.match(d1.reason, /expires in 5\d days/);
      assert.equal(keys(), 1);

      day(31);
      const d31 = await daily();
      assert.equal(d31.action, 'rotated', d31.reason);
      assert.equal(keys(), 2, 'the old key stays for the overlap');
      assert.match(opensWithPasswordFile(), /BEGIN CERTIFICATE/);
      assert.ok(
        await signsIn(fromPath()),
        'the files at the printed paths hold a certificate the app accepts',
      );
      const archived = d31.archived!;
      const oldPemAndKey =
        readFileSync(
          archived.find((f) => f.endsWith('.pem'))!,
          'utf8',
        ) +
        readFileSync(
          archived.find((f) => f.endsWith('.key'))!,
          'utf8',
        );
      assert.ok(await signsIn(oldPemAndKey), 'during the overlap the old certificate still signs in');
      assert.ok(
        d31.oldKeyRetires && Math.abs(Date.parse(d31.oldKeyRetires) - (T0 + 38 * DAY)) < 10 * 60_000,
        `the overlap ends 7 days later (${d31.oldKeyRetires})`,
      );

      day(35);
      const d35 = await daily();
      assert.equal(d35.action, 'skipped');
      assert.equal(keys(), 2, 'still inside the overlap');
      const check = (await checkCommand(parseCheckOptions({}, ctx.env), ctx)).data as CheckResult;
      assert.match(
        check.reports[0]!.checks.find((c) => c.id === 'overlap')!.message,
        /old key\(s\) still registered for the overlap: [0-9A-F]{40} goes after/,
      );

      day(39);
      const d39 = await daily();
      assert.equal(d39.action, 'skipped');
      assert.deepEqual(d39.retired, [first.thumbprint], 'the old key is retired once its overlap is over');
      assert.equal(keys(), 1);
      assert.equal(
        await signsIn(oldPemAndKey),
        false,
        'the old certificate is refused by the token endpoint',
      );
      assert.ok(await signsIn(fromPath()));
      assert.match(opensWithPasswordFile(), /BEGIN CERTIFICATE/);
    } finally {
      mock.timers.reset();
      await h.close();
    }
  });
});
