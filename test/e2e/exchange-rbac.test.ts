import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, importPKCS8 } from 'jose';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';
import { httpsWithCa } from '../helpers/https.js';
import { rbacOf } from '../../src/sandbox/exchange-rbac.js';

/** Least privilege for real: Exchange role groups and management roles on the app, instead of a directory role. */

interface InitOut {
  appId: string;
  tenantId: string;
  servicePrincipalId: string;
  verified: boolean;
  outcomes: Record<string, string>;
  files: Record<string, string>;
}

/** What the app itself may run: an app-only token from its certificate (signed here, apart from exo-cba), then InvokeCommand. */
async function appRuns(h: Harness, app: InitOut, cmdlet: string): Promise<{ status: number; text: string }> {
  const http = httpsWithCa(h.sandbox.caPem);
  const tokenUrl = `${h.sandbox.authority}/${app.tenantId}/oauth2/v2.0/token`;
  const der = Buffer.from(readFileSync(app.files['cer']!));
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: createHash('sha1').update(der).digest('base64url') })
    .setAudience(tokenUrl)
    .setIssuer(app.appId)
    .setSubject(app.appId)
    .setNotBefore(now)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(await importPKCS8(readFileSync(app.files['key']!, 'utf8'), 'RS256'));
  const t = await http({
    method: 'POST',
    url: tokenUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.appId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope: 'https://outlook.office365.com/.default',
    }).toString(),
  });
  const token = JSON.parse(t.body.toString()).access_token as string;
  const r = await http({
    method: 'POST',
    url: `${h.sandbox.exchange}/adminapi/beta/${app.tenantId}/InvokeCommand`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: {} } }),
  });
  return { status: r.status, text: r.body.toString() };
}

describe('Exchange RBAC on the app', () => {
  test('a role group: the app runs what the group allows, is refused the rest, and holds no directory role; a re-run changes nothing', async () => {
    const h = await startHarness();
    try {
      const r = await h.run([
        ...initArgs(h, ['--exchange-role-group', 'View-Only Organization Management']),
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const app = json<InitOut>(r);
      assert.equal(app.verified, true);
      assert.equal(tenantState(h.sandbox).roles.length, 0, 'no directory role');
      const rbac = rbacOf(h.sandbox.directory);
      assert.deepEqual(
        rbac.servicePrincipals.map((s) => s.appId),
        [app.appId],
      );
      assert.deepEqual(rbac.roleGroupMembers['View-Only Organization Management'], [app.servicePrincipalId]);
      assert.equal((await appRuns(h, app, 'Get-AcceptedDomain')).status, 200);
      const refused = await appRuns(h, app, 'Set-Mailbox');
      assert.equal(refused.status, 400);
      assert.match(refused.text, /not recognized as a name of a cmdlet/);
      const again = await h.run([
        ...initArgs(h, ['--exchange-role-group', 'View-Only Organization Management']),
        '--json',
      ]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(json<InitOut>(again).outcomes['rights'], 'reused');
      assert.equal(
        rbacOf(h.sandbox.directory).roleGroupMembers['View-Only Organization Management']!.length,
        1,
      );
      const check = await h.run(['check', '--json']);
      assert.equal(check.code, 0, check.stdout);
      assert.match(check.stdout, /no directory role: the Exchange roles alone decide/);
      const status = json<{ profiles: { role: string }[] }>(await h.run(['status', '--json']));
      assert.equal(
        status.profiles[0]!.role,
        "Exchange role group 'View-Only Organization Management' (Exchange RBAC, no directory role)",
      );
      const text = await h.run(initArgs(h, ['--exchange-role-group', 'View-Only Organization Management']));
      assert.doesNotMatch(
        text.stdout,
        /Connect-IPPSSession/,
        'Exchange RBAC does not serve Security & Compliance',
      );
    } finally {
      await h.close();
    }
  });

  test('management roles, with and without a scope; verification runs a cmdlet the role allows', async () => {
    const h = await startHarness();
    try {
      const scoped = await h.run([
        ...initArgs(h, [
          '--app-name',
          'Scoped App',
          '--profile',
          'scoped',
          '--exchange-role',
          'Mail Recipients',
          '--exchange-scope',
          'Sandbox Sales Recipients',
        ]),
        '--json',
      ]);
      assert.equal(scoped.code, 0, scoped.stderr);
      const a = json<InitOut>(scoped);
      assert.match(scoped.stderr, /ran Get-Recipient/);
      assert.deepEqual(
        rbacOf(h.sandbox.directory)
          .roleAssignments.filter((x) => x.app === a.servicePrincipalId)
          .map((x) => [x.role, x.customResourceScope]),
        [['Mail Recipients', 'Sandbox Sales Recipients']],
      );
      assert.equal((await appRuns(h, a, 'Get-Recipient')).status, 200);
      assert.equal((await appRuns(h, a, 'Get-AcceptedDomain')).status, 400, 'outside the role');
      const plain = await h.run([
        ...initArgs(h, [
          '--app-name',
          'Config Reader',
          '--profile',
          'config',
          '--exchange-role',
          'View-Only Configuration',
        ]),
        '--json',
      ]);
      assert.equal(plain.code, 0, plain.stderr);
      const noScope = await h.run(
        initArgs(h, [
          '--app-name',
          'Bad Scope',
          '--profile',
          'bad',
          '--exchange-role',
          'Mail Recipients',
          '--exchange-scope',
          'No Such Scope',
        ]),
      );
      assert.equal(noScope.code, 1);
      assert.match(noScope.stderr, /management scope "No Such Scope" couldn't be found/);
    } finally {
      await h.close();
    }
  });

  test('switching a profile from a directory role to Exchange RBAC removes the role after confirming; check warns when a directory role comes back', async () => {
    const h = await startHarness();
    try {
      const first = await h.run([...initArgs(h), '--json']);
      assert.equal(first.code, 0, first.stderr);
      const app = json<InitOut>(first);
      assert.equal(tenantState(h.sandbox).roles.length, 1);
      const dry = await h.run([
        ...initArgs(h, ['--exchange-role-group', 'Recipient Management']),
        '--dry-run',
      ]);
      assert.match(
        dry.stdout,
        /remove the earlier Exchange Administrator \(Entra directory role\) from the app/,
      );
      const r = await h.run([...initArgs(h, ['--exchange-role-group', 'Recipient Management']), '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /Directory role Exchange Administrator removed from the app \(read back: gone\)/,
      );
      assert.equal(tenantState(h.sandbox).roles.length, 0);
      assert.equal((await h.run(['check'])).code, 0);
      const d = h.sandbox.directory.data;
      d.roleAssignments.push({
        id: randomUUID(),
        principalId: app.servicePrincipalId,
        roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
        directoryScopeId: '/',
        visibleAt: 0,
      });
      const warn = await h.run(['check', '--json']);
      assert.match(
        warn.stdout,
        /also holds the directory role Exchange Administrator, which defeats the Exchange RBAC scoping/,
      );
      assert.equal((await h.run(['check', '--strict'])).code, 1);
    } finally {
      await h.close();
    }
  });

  test('remove takes away the Exchange service principal and its roles, read back', async () => {
    const h = await startHarness();
    try {
      assert.equal((await h.run(initArgs(h, ['--exchange-role', 'View-Only Configuration']))).code, 0);
      const r = await h.run(['remove', '--yes']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Exchange service principal and its roles removed \(read back: gone\)/);
      const rbac = rbacOf(h.sandbox.directory);
      assert.equal(rbac.servicePrincipals.length, 0);
      assert.equal(rbac.roleAssignments.length, 0);
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    } finally {
      await h.close();
    }
  });

  test('an admin without Exchange role management is stopped before anything changes', async () => {
    const h = await startHarness();
    try {
      const d = h.sandbox.directory.data;
      const admin = d.users[0]!.id;
      d.roleAssignments = d.roleAssignments.filter((x) => x.principalId !== admin);
      d.roleAssignments.push({
        id: randomUUID(),
        principalId: admin,
        roleDefinitionId: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
        directoryScopeId: '/',
        visibleAt: 0,
      });
      const r = await h.run(initArgs(h, ['--exchange-role-group', 'View-Only Organization Management']));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /may not assign Exchange roles to the app/);
      assert.match(r.stderr, /Exchange Administrator or Global Administrator/);
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    } finally {
      await h.close();
    }
  });

  // Killed right after each of Exchange's calls in turn (the look-ups, New-ServicePrincipal, Add-RoleGroupMember, the read-back).
  for (const at of [1, 2, 3, 4, 5]) {
    test(`a run killed right after Exchange call ${at} converges when started again`, async () => {
      let kill: (() => void) | undefined;
      let exchangeCalls = 0;
      const h = await startHarness({
        onRequest: (e) => {
          if (e.service === 'exchange' && ++exchangeCalls === at) kill?.();
        },
      });
      try {
        const first = await h.run(
          initArgs(h, ['--exchange-role-group', 'View-Only Organization Management']),
          { onSpawn: (k) => (kill = k) },
        );
        assert.equal(first.signal, 'SIGKILL', first.stderr);
        const again = await h.run([
          ...initArgs(h, ['--exchange-role-group', 'View-Only Organization Management']),
          '--json',
        ]);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(json<InitOut>(again).verified, true);
        const rbac = rbacOf(h.sandbox.directory);
        assert.equal(rbac.servicePrincipals.length, 1);
        assert.equal(rbac.roleGroupMembers['View-Only Organization Management']!.length, 1);
        assert.equal(tenantState(h.sandbox).apps.length, 1);
      } finally {
        await h.close();
      }
    });
  }
});
