import { readFileSync } from 'node:fs';

/**
 * `--help` without loading commander: the build renders every help page once (scripts/render-help.mjs,
 * at 80 columns, as commander does when stdout is not a terminal) into dist/cli/help.json, and main() prints
 * the page for the plain forms (`--help`, `-h`, `help`, `<command> --help`). Anything else, or a missing
 * file, goes through commander as usual. A test checks that the pages equal commander's own output.
 */
export const HELP_FILE = new URL('./help.json', import.meta.url);

/** The page a plain help request asks for ('' is the top-level page), or undefined. */
export function helpPageFor(argv: string[]): string | undefined {
  const isHelp = (a: string | undefined) => a === '--help' || a === '-h';
  if (argv.length === 1 && (isHelp(argv[0]) || argv[0] === 'help')) return '';
  if (argv.length === 2 && isHelp(argv[1]) && /^[a-z]+$/.test(argv[0]!)) return argv[0];
  if (argv.length === 2 && argv[0] === 'help' && /^[a-z]+$/.test(argv[1]!)) return argv[1];
  return undefined;
}

export function cachedHelp(page: string): string | undefined {
  try {
    const pages = JSON.parse(readFileSync(HELP_FILE, 'utf8')) as Record<string, string>;
    return pages[page];
  } catch {
    return undefined;
  }
}
