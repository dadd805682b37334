import path from 'node:path';

/** Config dir: EXO_CBA_CONFIG_DIR, else %APPDATA%\exo-cba on Windows, else $XDG_CONFIG_HOME/exo-cba or ~/.config/exo-cba. */
export function configDir(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  home: string,
): string {
  if (env['EXO_CBA_CONFIG_DIR']) return path.resolve(env['EXO_CBA_CONFIG_DIR']);
  if (platform === 'win32')
    return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'exo-cba');
  const xdg = env['XDG_CONFIG_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'exo-cba');
}
