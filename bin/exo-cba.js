#!/usr/bin/env node
// --version and the plain help pages are answered from the built files without loading the tool (start-up
// as fast as Node's own); everything else goes to main(), the one exit point.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const page =
  argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0])
    ? ''
    : argv.length === 2 && ['--help', '-h'].includes(argv[1]) && /^[a-z]+$/.test(argv[0])
      ? argv[0]
      : undefined;
let fast;
try {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V'))
    fast = `${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`;
  else if (page !== undefined)
    fast = JSON.parse(readFileSync(new URL('../dist/cli/help.json', import.meta.url), 'utf8'))[page];
} catch {
  fast = undefined;
}
if (fast !== undefined) process.stdout.write(fast);
else process.exitCode = await (await import('../dist/main.js')).main(argv);
