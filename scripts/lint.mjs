// Lint with budgets that only go down. ESLint reports every rule; the rules named in lint-budgets.json may
// fire at most as often as the file says (today's count, recorded when the rule was turned on). A count that
// went up fails; one that went down is reported, and `npm run lint -- --update` writes the lower figure.
import { readFileSync, writeFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const BUDGET_FILE = new URL('../lint-budgets.json', import.meta.url);
const TARGETS = ['src', 'test', 'bin', 'scripts', 'eslint.config.js'];

const budgets = JSON.parse(readFileSync(BUDGET_FILE, 'utf8'));
const eslint = new ESLint();
const results = await eslint.lintFiles(TARGETS);

const counts = Object.fromEntries(Object.keys(budgets.rules).map((r) => [r, 0]));
const outside = [];
for (const r of results) {
  for (const m of r.messages) {
    if (m.ruleId && m.ruleId in counts) counts[m.ruleId]++;
    else
      outside.push({
        ...r,
        messages: [m],
        errorCount: m.severity === 2 ? 1 : 0,
        warningCount: m.severity === 1 ? 1 : 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
      });
  }
}

const formatter = await eslint.loadFormatter('stylish');
let failed = false;
if (outside.length > 0) {
  process.stdout.write(await formatter.format(outside));
  failed = true; // no error, and no warning outside the budgets either (--max-warnings 0)
}

const lower = [];
for (const [rule, limit] of Object.entries(budgets.rules)) {
  const n = counts[rule];
  if (n > limit) {
    failed = true;
    console.error(`lint budget: ${rule} fires ${n} times, over its budget of ${limit}.`);
    const where = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === rule).map((m) => `  ${r.filePath}:${m.line}  ${m.message}`),
    );
    console.error(where.join('\n'));
    console.error('Mend the new ones: the budget may go down, never up.');
  } else if (n < limit) lower.push([rule, limit, n]);
}

if (lower.length > 0 && process.argv.includes('--update')) {
  for (const [rule, , n] of lower) budgets.rules[rule] = n;
  writeFileSync(BUDGET_FILE, JSON.stringify(budgets, null, 2) + '\n');
  console.log(`lint budgets lowered: ${lower.map(([r, a, b]) => `${r} ${a} → ${b}`).join(', ')}`);
} else if (lower.length > 0) {
  console.log(
    `lint budgets can go down: ${lower.map(([r, a, b]) => `${r} ${a} → ${b}`).join(', ')}` +
      ' (npm run lint -- --update writes them).',
  );
}
const summary = Object.entries(counts)
  .map(([r, n]) => `${r} ${n}/${budgets.rules[r]}`)
  .join(', ');
console.log(`lint: ${failed ? 'FAILED' : 'ok'} (${results.length} files; budgets: ${summary})`);
process.exitCode = failed ? 1 : 0;
