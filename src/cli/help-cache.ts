/**
 * `--help` without loading commander: the build renders every help page once (scripts/render-help.mjs,
 * at 80 columns, as commander does when stdout is not a terminal) into dist/cli/help.json, and bin/exo-cba.js
 * prints the page for the plain forms (`--help`, `-h`, `<command> --help`) before loading anything else.
 * Anything else goes through commander as usual. A test checks that the pages equal commander's own output.
 */
export const HELP_FILE = new URL('./help.json', import.meta.url);
