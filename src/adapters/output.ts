import type { Output, Paint, Progress } from '../context.js';

const plain: Paint = { bold: (s) => s, dim: (s) => s, green: (s) => s, yellow: (s) => s, red: (s) => s, cyan: (s) => s };

/** ANSI colours without loading chalk on the hot path; chalk is used where colour is decided (TTY, NO_COLOR, FORCE_COLOR). */
export async function makePaint(enabled: boolean): Promise<Paint> {
  if (!enabled) return plain;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { bold: c.bold, dim: c.dim, green: c.green, yellow: c.yellow, red: c.red, cyan: c.cyan };
}

export interface StreamLike {
  write(s: string): unknown;
  isTTY?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function makeOutput(stdout: StreamLike, stderr: StreamLike, opts: { verbose: boolean; paint: Paint; quiet?: boolean }): Output {
  const { paint } = opts;
  let active: { clear(): void } | undefined;
  const err = (s: string) => {
    active?.clear();
    stderr.write(s.endsWith('\n') ? s : s + '\n');
  };
  return {
    color: paint,
    data: (t) => {
      stdout.write(t.endsWith('\n') ? t : t + '\n');
    },
    info: (t) => {
      if (!opts.quiet) err(t);
    },
    warn: (t) => err(paint.yellow(`warning: ${t}`)),
    verbose: (t) => {
      if (opts.verbose) err(paint.dim(`[verbose] ${t}`));
    },
    progress: (text): Progress => {
      let current = text;
      if (!stderr.isTTY) {
        if (!opts.quiet) stderr.write(`… ${text}\n`);
        let last = '';
        return {
          update: (t) => {
            current = t;
            // Without a TTY a spinner is noise: print only changes of substance, not every tick.
            const key = t.replace(/\d+/g, '#');
            if (key !== last && !opts.quiet) stderr.write(`  ${t}\n`);
            last = key;
          },
          succeed: (t) => void (!opts.quiet && stderr.write(`${paint.green('✔')} ${t ?? current}\n`)),
          fail: (t) => void stderr.write(`${paint.red('✖')} ${t ?? current}\n`),
          stop: () => undefined,
        };
      }
      let frame = 0;
      const draw = () => stderr.write(`\r\x1b[2K${paint.cyan(FRAMES[frame++ % FRAMES.length]!)} ${current}`);
      const clear = () => stderr.write('\r\x1b[2K');
      const timer = setInterval(draw, 80);
      timer.unref();
      const handle = { clear: () => { clear(); } };
      active = handle;
      draw();
      const end = (line?: string) => {
        clearInterval(timer);
        clear();
        if (active === handle) active = undefined;
        if (line) stderr.write(line + '\n');
      };
      return {
        update: (t) => { current = t; draw(); },
        succeed: (t) => end(`${paint.green('✔')} ${t ?? current}`),
        fail: (t) => end(`${paint.red('✖')} ${t ?? current}`),
        stop: () => end(),
      };
    },
  };
}
