// Renders every help page of the built CLI into dist/cli/help.json (see src/cli/help-cache.ts).
import { writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/program.js';
import { HELP_FILE } from '../dist/cli/help-cache.js';

export function renderPages() {
  const render = (cmd) => {
    let text = '';
    cmd.configureOutput({
      writeOut: (s) => (text += s),
      getOutHelpWidth: () => 80,
      getOutHasColors: () => false,
    });
    cmd.outputHelp();
    return text;
  };
  const sink = { write: () => true };
  const program = buildProgram({ stdout: sink, stderr: sink, stdinIsTTY: false, env: {} });
  const pages = { '': render(program) };
  for (const c of program.commands) pages[c.name()] = render(c);
  return pages;
}

if (import.meta.url === `file://${process.argv[1]}`)
  writeFileSync(HELP_FILE, JSON.stringify(renderPages()) + '\n');
