import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, tenantState, type Harness } from '../helpers/harness.js';
import { hasTmux, openTerminal, type Terminal } from '../helpers/terminal.js';

/**
 * The wizard as a person meets it: the built binary in a real pseudo-terminal (tmux), the real prompt library,
 * keys typed one by one, against the sandbox tenant with the real MSAL and Graph SDK underneath.
 */

const RECIPIENT_ADMIN = '31392ffb-586c-42d1-9346-e59415a2cc4e';

async function withWizard(
  opts: { faults?: Parameters<typeof startHarness>[0]; args?: string[]; workloadKeys?: string[] },
  fn: (t: Terminal, h: Harness) => Promise<void>,
) {
  const h = await startHarness(opts.faults ?? {});
  const t = openTerminal(
    h.dir,
    ['init', '--tenant', h.sandbox.directory.tenant.initialDomain, ...(opts.args ?? [])],
    { ...h.env, NO_COLOR: '1' },
  );
  try {
    // The wizard asks for the workload first (one app per workload), each with a line on what it is for.
    if (!(opts.args ?? []).includes('--workload')) {
      await t.waitForQuestion(/Which workload is this app for\?/);
      assert.match(
        t.screen(),
        /❯ Exchange Online \(default\) — Exchange Online PowerShell \(Connect-ExchangeOnline\)/,
      );
      assert.match(
        t.screen(),
        /Security & Compliance — Security & Compliance PowerShell \(Connect-IPPSSession\)/,
      );
      for (const key of opts.workloadKeys ?? []) t.press(key);
      t.press('Enter');
    }
    await fn(t, h);
  } catch (err) {
    (err as Error).message += `\n--- screen ---\n${t.screen()}`;
    throw err;
  } finally {
    t.close();
    await h.close();
  }
}

const profilesFile = (h: Harness) => path.join(h.configDir, 'profiles.json');

describe(
  'the init wizard in a real terminal',
  { skip: hasTmux ? false : 'tmux is not installed (apt-get install -y tmux)', concurrency: false },
  () => {
    test('Enter on every default ends in a verified setup', async () => {
      await withWizard({}, async (t, h) => {
        await t.waitForQuestion(/App registration name/);
        t.press('Enter');
        await t.waitForQuestion(/How should the app get its Exchange Online rights\?/);
        assert.match(
          t.screen(),
          /❯ An Entra directory role \(default\) — simplest; Exchange Administrator: every Exchange Online cmdlet/,
        );
        assert.match(
          t.screen(),
          /Exchange RBAC on the app — least privilege: only the cmdlets of the roles you choose; recommended for production/,
        );
        t.press('Enter');
        await t.waitForQuestion(/Directory role for the app/);
        assert.match(
          t.screen(),
          /❯ Exchange Administrator \(default\)/,
          'the default role is marked and under the cursor',
        );
        t.press('Enter');
        await t.waitForQuestion(/Certificate validity in days/);
        t.press('Enter');
        await t.waitForQuestion(/RSA key size/);
        t.press('Enter');
        await t.waitForQuestion(/Where to write the certificate files/);
        t.press('Enter');
        await t.waitForQuestion(/PFX password \(at least 12/);
        t.press('Enter');
        await t.waitForQuestion(/Make these changes in .*\(Y\/n\)/);
        assert.match(
          t.screen(),
          /About to set up:[\s\S]*Workload\s+Exchange Online[\s\S]*Permission\s+Exchange\.ManageAsApp[\s\S]*Role\s+Exchange Administrator/,
        );
        t.press('Enter');
        assert.equal(await t.exitCode(), 0);
        assert.match(t.screen(), /Verified: Exchange accepted the app/);
        const profiles = JSON.parse(readFileSync(profilesFile(h), 'utf8'));
        const p = Object.values(profiles.profiles)[0] as {
          state: string;
          certificate: { files: { pfx: string; pfxPasswordFile: string } };
        };
        assert.equal(p.state, 'ready');
        execFileSync(
          'openssl',
          [
            'pkcs12',
            '-info',
            '-noout',
            '-in',
            p.certificate.files.pfx,
            '-passin',
            `file:${p.certificate.files.pfxPasswordFile}`,
          ],
          { stdio: 'pipe' },
        );
        assert.equal(tenantState(h.sandbox).apps.length, 1);
      });
    });

    test('a role chosen with the arrow keys; declining Global Administrator asks for the role again', async () => {
      await withWizard(
        { args: ['--app-name', 'Arrow Keys App', '--validity-days', '30', '--key-size', '2048'] },
        async (t, h) => {
          await t.waitForQuestion(/How should the app get its Exchange Online rights\?/);
          t.press('Enter');
          await t.waitForQuestion(/Directory role for the app/);
          t.press('Down', 'Enter'); // Exchange Administrator -> Global Administrator
          await t.waitForQuestion(/Really assign Global Administrator\? \(y\/N\)/);
          t.press('Enter'); // No (the default)
          await t.waitFor(/pick another role/);
          await t.waitForQuestion(/Directory role for the app/);
          t.press('Up', 'Up', 'Up', 'Up', 'Enter'); // -> Exchange Recipient Administrator
          await t.waitForQuestion(/Where to write the certificate files/);
          t.press('Enter');
          await t.waitForQuestion(/PFX password/);
          t.press('Enter');
          await t.waitFor(/Role\s+Exchange Recipient Administrator/);
          await t.waitForQuestion(/Make these changes/);
          t.press('Enter');
          assert.equal(await t.exitCode(), 0);
          const roles = tenantState(h.sandbox).roles.map((r) => r.roleDefinitionId);
          assert.deepEqual(roles, [RECIPIENT_ADMIN]);
        },
      );
    });

    test('an invalid validity and a too-short or mismatched password are asked again with the reason', async () => {
      await withWizard(
        { args: ['--app-name', 'Typing App', '--role', 'global-reader', '--key-size', '2048'] },
        async (t, h) => {
          await t.waitForQuestion(/Certificate validity in days/);
          t.type('0');
          t.press('Enter');
          await t.waitFor(/must be a whole number from 1 to 3650/);
          t.press('BSpace');
          t.type('90');
          t.press('Enter');
          await t.waitForQuestion(/Where to write the certificate files/);
          t.press('Enter');
          await t.waitForQuestion(/PFX password \(at least 12/);
          t.type('short');
          t.press('Enter');
          await t.waitFor(/use at least 12/);
          for (let i = 0; i < 5; i++) t.press('BSpace');
          t.type('Correct-Horse-Battery-1');
          t.press('Enter');
          await t.waitForQuestion(/PFX password again/);
          t.type('Correct-Horse-Battery-2');
          t.press('Enter');
          await t.waitFor(/The two passwords differ/);
          await t.waitForQuestion(/PFX password \(at least 12/);
          t.type('Correct-Horse-Battery-1');
          t.press('Enter');
          await t.waitForQuestion(/PFX password again/);
          t.type('Correct-Horse-Battery-1');
          t.press('Enter');
          await t.waitForQuestion(/Make these changes/);
          assert.doesNotMatch(t.screen(), /Correct-Horse/, 'the password is masked');
          t.press('Enter');
          assert.equal(await t.exitCode(), 0);
          const profiles = JSON.parse(readFileSync(profilesFile(h), 'utf8'));
          const p = Object.values(profiles.profiles)[0] as {
            certificate: {
              notAfter: string;
              notBefore: string;
              files: { pfx: string; pfxPasswordFile?: string };
            };
          };
          assert.equal(p.certificate.files.pfxPasswordFile, undefined, 'a typed password is not stored');
          execFileSync(
            'openssl',
            [
              'pkcs12',
              '-info',
              '-noout',
              '-in',
              p.certificate.files.pfx,
              '-passin',
              'pass:Correct-Horse-Battery-1',
            ],
            { stdio: 'pipe' },
          );
          const days = (Date.parse(p.certificate.notAfter) - Date.now()) / 86_400_000;
          assert.ok(days > 89 && days < 91, `valid ${days} days`);
        },
      );
    });

    test('Security & Compliance chosen first: its own app name, its roles only, verified through S&C', async () => {
      await withWizard({ workloadKeys: ['Down'] }, async (t, h) => {
        await t.waitForQuestion(/App registration name/);
        assert.match(t.screen(), /S&C Background Process/);
        t.press('Enter');
        await t.waitForQuestion(/Directory role for the app/);
        assert.match(t.screen(), /❯ Compliance Administrator \(default\)/);
        assert.doesNotMatch(t.screen(), /Exchange Administrator|Helpdesk Administrator/);
        t.press('Enter');
        await t.waitForQuestion(/Certificate validity in days/);
        t.press('Enter');
        await t.waitForQuestion(/RSA key size/);
        t.press('Enter');
        await t.waitForQuestion(/Where to write the certificate files/);
        t.press('Enter');
        await t.waitForQuestion(/PFX password \(at least 12/);
        t.press('Enter');
        await t.waitForQuestion(/Make these changes in .*\(Y\/n\)/);
        assert.match(t.screen(), /Workload\s+Security & Compliance[\s\S]*Role\s+Compliance Administrator/);
        t.press('Enter');
        assert.equal(await t.exitCode(), 0);
        assert.match(t.screen(), /Verified: Security & Compliance accepted the app/);
        const profiles = JSON.parse(readFileSync(profilesFile(h), 'utf8'));
        const name = `${h.sandbox.directory.tenant.initialDomain}-compliance`;
        assert.equal(profiles.profiles[name].workload, 'compliance');
        assert.equal(tenantState(h.sandbox).apps[0]!.displayName, 'S&C Background Process');
      });
    });

    test('Ctrl-C at a prompt: exit 130 and nothing changed', async () => {
      await withWizard({}, async (t, h) => {
        await t.waitForQuestion(/App registration name/);
        t.press('C-c');
        assert.equal(await t.exitCode(), 130);
        assert.doesNotMatch(t.screen(), /failed unexpectedly|Error:/);
        assert.equal(tenantState(h.sandbox).apps.length, 0);
        assert.equal(existsSync(profilesFile(h)), false);
        assert.equal(existsSync(path.join(h.configDir, 'certs')), false);
      });
    });

    test('Ctrl-C during the network phase: exit 130, says how to resume, and the same command resumes', async () => {
      await withWizard(
        {
          faults: { faults: { replicationDelayMs: 6000 } },
          args: [
            '--app-name',
            'Interrupted App',
            '--role',
            'exchange-administrator',
            '--validity-days',
            '30',
            '--key-size',
            '2048',
          ],
        },
        async (t, h) => {
          await t.waitForQuestion(/Where to write the certificate files/);
          t.press('Enter');
          await t.waitForQuestion(/PFX password/);
          t.press('Enter');
          await t.waitForQuestion(/Make these changes/);
          t.press('Enter');
          await t.waitFor(/Waiting for Entra to replicate/);
          t.press('C-c');
          assert.equal(await t.exitCode(), 130);
          assert.match(
            t.screen(),
            /Cancelled\. What finished is recorded in profile '[^']+'; run the same command again to resume/,
          );
          h.sandbox.faults.set({ replicationDelayMs: 0 });
          const again = await h.run([
            'init',
            '--tenant',
            h.sandbox.directory.tenant.initialDomain,
            '--yes',
            '--json',
          ]);
          assert.equal(again.code, 0, again.stderr);
          const s = tenantState(h.sandbox);
          assert.equal(s.apps.length, 1, 'resumed with the same app');
          assert.equal(s.apps[0]!.displayName, 'Interrupted App');
          assert.equal(
            s.apps[0]!.keyCredentials.length,
            1,
            'the certificate made before the interruption is the one registered',
          );
        },
      );
    });

    test('remove asks before deleting: No changes nothing, Yes deletes and reads back', async () => {
      const h = await startHarness();
      try {
        const made = await h.run(['init', '--tenant', h.sandbox.directory.tenant.initialDomain, '--yes']);
        assert.equal(made.code, 0, made.stderr);
        const no = openTerminal(h.dir, ['remove'], { ...h.env, NO_COLOR: '1' });
        try {
          await no.waitForQuestion(/Delete 'Exo Background Process'\? Jobs using it stop working\. \(y\/N\)/);
          no.press('Enter');
          assert.equal(await no.exitCode(), 0);
          assert.match(no.screen(), /Not confirmed: nothing was changed/);
        } finally {
          no.close();
        }
        assert.equal(tenantState(h.sandbox).apps.length, 1);
        const yes = openTerminal(h.dir, ['remove'], { ...h.env, NO_COLOR: '1' });
        try {
          await yes.waitForQuestion(/Delete 'Exo Background Process'/);
          yes.type('y');
          yes.press('Enter');
          assert.equal(await yes.exitCode(), 0);
          assert.match(yes.screen(), /read back: gone/);
        } finally {
          yes.close();
        }
        assert.equal(tenantState(h.sandbox).apps.length, 0);
        assert.equal(
          existsSync(profilesFile(h)) &&
            Object.keys(JSON.parse(readFileSync(profilesFile(h), 'utf8')).profiles).length,
          0,
        );
      } finally {
        await h.close();
      }
    });

    test('several profiles and no default: check asks which one, in the terminal', async () => {
      const h = await startHarness();
      try {
        for (const [p, name] of [
          ['one', 'One App'],
          ['two', 'Two App'],
        ]) {
          const r = await h.run([
            'init',
            '--tenant',
            h.sandbox.directory.tenant.initialDomain,
            '--yes',
            '--profile',
            p!,
            '--app-name',
            name!,
          ]);
          assert.equal(r.code, 0, r.stderr);
        }
        const file = profilesFile(h);
        const data = JSON.parse(readFileSync(file, 'utf8'));
        delete data.defaultProfile;
        (await import('node:fs')).writeFileSync(file, JSON.stringify(data));
        const t = openTerminal(h.dir, ['check'], { ...h.env, NO_COLOR: '1' });
        try {
          await t.waitForQuestion(/Which profile\? \(there is no default\)/);
          t.press('Down', 'Enter');
          assert.equal(await t.exitCode(), 0);
          assert.match(t.screen(), /two: PASS/);
        } finally {
          t.close();
        }
      } finally {
        await h.close();
      }
    });

    test('Exchange RBAC chosen in the wizard: a role group with the arrow keys, no directory role', async () => {
      await withWizard(
        { args: ['--app-name', 'Wizard RBAC App', '--validity-days', '30', '--key-size', '2048'] },
        async (t, h) => {
          await t.waitForQuestion(/How should the app get its Exchange Online rights\?/);
          t.press('Down', 'Enter');
          await t.waitForQuestion(/Which Exchange role group or role\?/);
          t.press('Enter'); // View-Only Organization Management (the least)
          await t.waitForQuestion(/Where to write the certificate files/);
          t.press('Enter');
          await t.waitForQuestion(/PFX password/);
          t.press('Enter');
          await t.waitFor(/Role\s+Exchange role group 'View-Only Organization Management'/);
          await t.waitForQuestion(/Make these changes/);
          t.press('Enter');
          assert.equal(await t.exitCode(), 0);
          assert.equal(tenantState(h.sandbox).roles.length, 0, 'no directory role');
          assert.match(t.screen(), /Verified: Exchange accepted the app and ran Get-AcceptedDomain/);
        },
      );
    });
  },
);
