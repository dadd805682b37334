import type { CheckReport } from './render.js';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** JUnit XML for CI dashboards: a suite per app, a test case per check (warn counts as failure with --strict). */
export function toJunit(reports: CheckReport[], strict: boolean, timestamp: string): string {
  const suites = reports.map((r) => {
    const name = r.profile ?? r.appId ?? 'exo-cba';
    const failures = r.checks.filter((c) => c.status === 'fail' || (strict && c.status === 'warn')).length;
    const skipped = r.checks.filter((c) => c.status === 'skip').length;
    const cases = r.checks.map((c) => {
      const body =
        c.status === 'fail' || (strict && c.status === 'warn')
          ? `<failure type="${c.status}" ` +
            `message="${esc(c.message)}">${esc(`${c.message}${c.fix ? `\nfix: ${c.fix}` : ''}`)}</failure>`
          : c.status === 'skip'
            ? `<skipped message="${esc(c.message)}"/>`
            : `<system-out>${esc(`${c.status}: ${c.message}`)}</system-out>`;
      return `    <testcase classname="exo-cba.${esc(name)}" name="${esc(c.id)}">${body}</testcase>`;
    });
    return (
      `  <testsuite name="${esc(name)}" tests="${r.checks.length}" failures="${failures}" ` +
      `errors="0" skipped="${skipped}" timestamp="${esc(timestamp)}">\n${cases.join('\n')}\n  </testsuite>`
    );
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="exo-cba ` +
    `check">\n${suites.join('\n')}\n</testsuites>\n`
  );
}
