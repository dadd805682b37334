import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startHarness, json } from '../helpers/harness.js';

/**
 * A profiles file written by exo-cba 0.1 (schema 1, made by running that release's `init --sandbox` twice)
 * is read, shown and migrated; the original is kept beside the new one, byte for byte, and nothing is lost.
 */
const V1 = path.join(ROOT, 'test', 'fixtures', 'profiles-v1.json');

test('a real version-1 profiles file is migrated to rights, and the original is kept', async () => {
  const h = await startHarness();
  try {
    const cfg = path.join(h.dir, 'cfg');
    mkdirSync(cfg);
    const file = path.join(cfg, 'profiles.json');
    copyFileSync(V1, file);
    const env = { EXO_CBA_CONFIG_DIR: cfg };
    const status = await h.run(['status', '--json'], { env });
    assert.equal(status.code, 0, status.stderr);
    const rows = json<{
      defaultProfile: string;
      profiles: { profile: string; role: string; thumbprint: string }[];
    }>(status);
    assert.deepEqual(
      rows.profiles.map((p) => [p.profile, p.role]),
      [
        ['exocbasandbox.onmicrosoft.com', 'Exchange Administrator (Entra directory role)'],
        ['reporting', 'Global Reader (Entra directory role)'],
      ],
    );
    assert.equal(rows.defaultProfile, 'reporting', 'the default is kept');
    assert.equal(readFileSync(file, 'utf8'), readFileSync(V1, 'utf8'), 'reading does not rewrite the file');

    const set = await h.run(['status', '--set-default', 'exocbasandbox.onmicrosoft.com'], { env });
    assert.equal(set.code, 0, set.stderr);
    const migrated = JSON.parse(readFileSync(file, 'utf8'));
    const original = JSON.parse(readFileSync(V1, 'utf8'));
    assert.equal(migrated.schemaVersion, 3);
    assert.deepEqual(migrated.profiles.reporting.rights, {
      kind: 'directory-role',
      templateId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
      name: 'Global Reader',
    });
    assert.equal(migrated.profiles.reporting.role, undefined);
    for (const name of Object.keys(original.profiles)) {
      const { role: _role, ...rest } = original.profiles[name];
      const { rights: _rights, workload, ...now } = migrated.profiles[name];
      assert.equal(workload, 'exchange', `${name} is an Exchange profile`);
      assert.deepEqual(now, rest, `every other field of ${name} is kept`);
    }
    assert.equal(
      readFileSync(path.join(cfg, 'profiles.v1.json'), 'utf8'),
      readFileSync(V1, 'utf8'),
      'the original is kept beside it',
    );
  } finally {
    await h.close();
  }
});

/**
 * A profiles file written by exo-cba 0.3 (schema 2, made by running that release's `init --sandbox` three
 * times: a default profile, a Global Reader one and an Exchange RBAC one): every profile is an Exchange one.
 */
const V2 = path.join(ROOT, 'test', 'fixtures', 'profiles-v2.json');

test('a real version-2 profiles file is migrated to workloads (all Exchange), and the original is kept', async () => {
  const h = await startHarness();
  try {
    const cfg = path.join(h.dir, 'cfg');
    mkdirSync(cfg);
    const file = path.join(cfg, 'profiles.json');
    copyFileSync(V2, file);
    const env = { EXO_CBA_CONFIG_DIR: cfg };
    const status = await h.run(['status', '--json'], { env });
    assert.equal(status.code, 0, status.stderr);
    const rows = json<{ profiles: { profile: string; workload: string; role: string }[] }>(status);
    assert.deepEqual(
      rows.profiles.map((p) => [p.profile, p.workload, p.role]),
      [
        ['exocbasandbox.onmicrosoft.com', 'exchange', 'Exchange Administrator (Entra directory role)'],
        ['readonly', 'exchange', 'Global Reader (Entra directory role)'],
        [
          'rbac',
          'exchange',
          "Exchange role group 'View-Only Organization Management' (Exchange RBAC, no directory role)",
        ],
      ],
    );
    assert.equal(readFileSync(file, 'utf8'), readFileSync(V2, 'utf8'), 'reading does not rewrite the file');
    const text = await h.run(['status'], { env });
    assert.match(text.stdout, /WORKLOAD/);

    const set = await h.run(['status', '--set-default', 'readonly'], { env });
    assert.equal(set.code, 0, set.stderr);
    const migrated = JSON.parse(readFileSync(file, 'utf8'));
    const original = JSON.parse(readFileSync(V2, 'utf8'));
    assert.equal(migrated.schemaVersion, 3);
    for (const name of Object.keys(original.profiles)) {
      const { workload, ...now } = migrated.profiles[name];
      assert.equal(workload, 'exchange');
      assert.deepEqual(now, original.profiles[name], `every other field of ${name} is kept`);
    }
    assert.equal(
      readFileSync(path.join(cfg, 'profiles.v2.json'), 'utf8'),
      readFileSync(V2, 'utf8'),
      'the original is kept beside it',
    );
  } finally {
    await h.close();
  }
});
