import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/harness.js';
import { ERROR_CODES } from '../../src/core/error-codes.js';
import { CliError, EXIT, failure, usageError } from '../../src/core/errors.js';

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });

describe('error codes', () => {
  test("README's table lists exactly the catalogue, with each code's exit and meaning", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.split('## Error codes')[1]?.split('\n## ')[0] ?? '';
    const rows = [...section.matchAll(/^\| `(EXO-[A-Z-]+)`\s*\| (\d+)\s*\| (.+?)\s*\|$/gm)].map((m) => [
      m[1],
      Number(m[2]),
      m[3],
    ]);
    const catalogue = Object.entries(ERROR_CODES).map(([code, v]) => [code, v.exit, v.meaning]);
    assert.deepEqual(rows, catalogue);
  });

  test('every code a source file names is in the catalogue', () => {
    const named = new Set(
      sourceFiles(path.join(ROOT, 'src')).flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/'(EXO-[A-Z-]+)'/g)].map((m) => m[1]!),
      ),
    );
    for (const c of named) assert.ok(c in ERROR_CODES, `${c} is not in core/error-codes.ts`);
  });

  test('a failure without a code of its own gets its class default; a named code is kept', () => {
    assert.equal(usageError('x').code, 'EXO-USAGE');
    assert.equal(failure('x').code, 'EXO-FAILED');
    assert.equal(new CliError(EXIT.cancelled, 'x').code, 'EXO-CANCELLED');
    assert.equal(failure('x', { code: 'EXO-SP-MISSING' }).code, 'EXO-SP-MISSING');
  });
});
