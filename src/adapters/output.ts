import type { Output, Paint, Progress } from '../core/ports.js';

const plain: Paint = {
  bold: (s) => s,
  dim: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  red: (s) => s,
  cyan: (s) => s,
};

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

/** How often a wait is reported when stderr is not a terminal: often enough that no wait looks hung. */
const PLAIN_PROGRESS_EVERY_MS = 5000;

export function makeOutput(
  stdout: StreamLike,
  stderr: StreamLike,
  opts: { verbose: boolean; paint: Paint; quiet?: boolean; now?: () => number },
): Output {
  const { paint } = opts;
  const now = opts.now ?? (() => performance.now());
  // Several waits may run at once (init's two chains): one spinner line shows the newest of them.
  const spinning: { text: string }[] = [];
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const clearLine = () => stderr.write('\r\x1b[2K');
  const draw = () => {
    const top = spinning[spinning.length - 1];
    if (top) stderr.write(`\r\x1b[2K${paint.cyan(FRAMES[frame++ % FRAMES.length]!)} ${top.text}`);
  };
  const err = (s: string) => {
    if (spinning.length) clearLine();
    stderr.write(s.endsWith('\n') ? s : s + '\n');
    if (spinning.length) draw();
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
        let lastKey = text.replace(/\d+/g, '#');
        let lastAt = now();
        return {
          update: (t) => {
            current = t;
            // Without a terminal a spinner is noise: a line when the wait changes, and one every few seconds.
            const key = t.replace(/\d+/g, '#');
            if ((key !== lastKey || now() - lastAt >= PLAIN_PROGRESS_EVERY_MS) && !opts.quiet) {
              stderr.write(`  ${t}\n`);
              lastAt = now();
            }
            lastKey = key;
          },
          succeed: (t) => {
            if (!opts.quiet) stderr.write(`${paint.green('✔')} ${t ?? current}\n`);
          },
          fail: (t) => void stderr.write(`${paint.red('✖')} ${t ?? current}\n`),
          stop: () => undefined,
        };
      }
      const item = { text };
      spinning.push(item);
      if (!timer) {
        timer = setInterval(draw, 80);
        timer.unref();
      }
      draw();
      let ended = false;
      const end = (line?: string) => {
        if (ended) return;
        ended = true;
        spinning.splice(spinning.indexOf(item), 1);
        clearLine();
        if (!spinning.length && timer) {
          clearInterval(timer);
          timer = undefined;
        }
        if (line) stderr.write(line + '\n');
        draw();
      };
      return {
        update: (t) => {
          item.text = t;
          current = t;
          draw();
        },
        succeed: (t) => end(`${paint.green('✔')} ${t ?? current}`),
        fail: (t) => end(`${paint.red('✖')} ${t ?? current}`),
        stop: () => end(),
      };
    },
  };
}
