import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';

interface InitOut {
  appId: string;
  files: Record<string, string>;
}

/** rotate's promises about files: nothing overwritten, nothing changed before every check that can refuse has run. */
describe('rotate and the files in the way (built binary)', () => {
  let h: Harness;
  let n = 0;
  const newApp = async () => {
    const r = await h.run(initArgs(h, ['--app-name', `Files App ${++n}`, '--profile', `x${n}`, '--json']));
    assert.equal(r.code, 0, r.stderr);
    return { profile: `x${n}`, ...json<InitOut>(r) };
  };
  const keysOf = (appId: string) => h.sandbox.directory.appByAppId(appId, true)?.keyCredentials ?? [];
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('rotate --export-pfx-base64 onto an existing file archives it, never overwrites it', async () => {
    const app = await newApp();
    const file = path.join(h.dir, `export-${n}.b64`);
    writeFileSync(file, 'an earlier export\n');
    const r = await h.run(['rotate', '--profile', app.profile, '--export-pfx-base64', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(readFileSync(file, 'utf8'), 'an earlier export\n', 'the new export is written');
    const archive = path.join(h.dir, 'archive');
    const kept = readdirSync(archive, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.startsWith(`export-${n}.b64`))
      .map((d) => readFileSync(path.join(d.parentPath, d.name), 'utf8'));
    assert.deepEqual(kept, ['an earlier export\n'], 'the earlier export is archived as it was');
  });

  test('a certificate folder replaced by a symlink is refused before any key is added or file moved', async () => {
    const app = await newApp();
    const dir = path.dirname(app.files['pfx']!);
    const moved = `${dir}-real`;
    renameSync(dir, moved);
    symlinkSync(moved, dir);
    const keys = keysOf(app.appId).length;
    const before = readdirSync(moved).sort();
    const r = await h.run(['rotate', '--profile', app.profile]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /symbolic link/);
    assert.equal(keysOf(app.appId).length, keys, 'no key was added');
    assert.deepEqual(readdirSync(moved).sort(), before, 'no file was archived or written');
    assert.ok(existsSync(path.join(moved, path.basename(app.files['pfx']!))), 'the PFX is in place');
  });
});
