import { spawn } from 'node:child_process';

/** Opens a URL: $BROWSER if set (a command that takes the URL), else the platform's opener. */
export function openBrowser(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): Promise<void> {
  const custom = env['BROWSER'];
  const [cmd, args] = custom
    ? [custom, [url]]
    : platform === 'win32'
      ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
      : platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: !custom });
    child.once('error', (err) =>
      reject(new Error(`could not start a browser (${cmd}): ${err.message}. Use --auth device instead.`)),
    );
    child.once('spawn', () => {
      if (!custom) child.unref();
      resolve();
    });
  });
}
