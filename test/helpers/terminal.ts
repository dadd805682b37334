import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from './harness.js';

/**
 * A real pseudo-terminal for the built binary: tmux runs it on a socket of its own (so the test's environment,
 * not a running tmux server's, reaches the program), keys are sent as a person types them, and the screen is
 * read back with capture-pane.
 */
export interface Terminal {
  /** The screen as text, scrollback included. */
  screen(): string;
  /** Waits until the screen matches; fails with the screen in the message. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Waits until the question at the bottom of the screen (the one being asked now) matches. */
  waitForQuestion(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Keys by tmux name: 'Enter', 'Down', 'Up', 'C-c', 'BSpace'. */
  press(...keys: string[]): void;
  /** Literal text, as typed. */
  type(text: string): void;
  /** Waits for the program to end and returns its exit code. */
  exitCode(timeoutMs?: number): Promise<number>;
  close(): void;
}

let counter = 0;

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export function openTerminal(dir: string, args: string[], env: Record<string, string>): Terminal {
  const socket = `exo-cba-test-${process.pid}-${++counter}`;
  const tmux = (...a: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const script = path.join(dir, `run-${counter}.sh`);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const exports = Object.entries({
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    ...env,
  })
    .map(([k, v]) => `export ${k}=${q(v)}`)
    .join('\n');
  // The shell survives a Ctrl-C meant for the program (a trap with a handler is not inherited by the child), so the
  // exit code is still printed.
  writeFileSync(
    script,
    `${exports}\nunset CI\ntrap ':' INT\n${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}\necho "EXIT=$?"\nsleep 600\n`,
  );
  tmux('new-session', '-d', '-s', 'main', '-x', '200', '-y', '50', `sh ${q(script)}`);
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'main', '-S', '-1000');
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const s = screen();
      if (pattern.test(s)) return s;
      if (performance.now() > until)
        throw new Error(`the screen did not show ${pattern} within ${timeoutMs} ms:\n${s}`);
      await sleep(100);
    }
  };
  // The question being asked is the last line that starts with '?'; an answered one starts with '✔'.
  const asked = () =>
    screen()
      .split('\n')
      .filter((l) => l.startsWith('? '))
      .pop() ?? '';
  const waitForQuestion = async (pattern: RegExp, timeoutMs = 30_000) => {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const q = asked();
      if (pattern.test(q)) return q;
      if (performance.now() > until)
        throw new Error(`no question matching ${pattern} was asked within ${timeoutMs} ms`);
      await sleep(100);
    }
  };
  return {
    waitForQuestion,
    screen: () => {
      try {
        return screen();
      } catch (err) {
        return `(no screen: ${(err as Error).message})`;
      }
    },
    waitFor,
    press: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    type: (text) => void tmux('send-keys', '-t', 'main', '-l', text),
    exitCode: async (timeoutMs = 60_000) =>
      Number(/EXIT=(\d+)/.exec(await waitFor(/EXIT=\d+/, timeoutMs))![1]),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
