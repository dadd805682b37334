import { usageError } from './errors.js';

/** RSA key sizes exo-cba makes and accepts (smaller keys are refused; facts: certificates). */
export const KEY_SIZES = [2048, 3072, 4096] as const;
export type KeySize = (typeof KEY_SIZES)[number];

/** Parsing and validating flag values: pure, and every failure is exit 2 with what to do. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const isGuid = (s: string) => GUID.test(s);

/** A tenant as id (GUID) or domain name; the initial .onmicrosoft.com domain is the usual one. */
export function parseTenant(value: string): string {
  const v = value.trim();
  if (isGuid(v)) return v.toLowerCase();
  if (DOMAIN.test(v)) return v.toLowerCase();
  throw usageError(
    `'${value}' is not a tenant id or domain.`,
    'Give the tenant id (a GUID) or a domain such as contoso.onmicrosoft.com.',
  );
}

export function parseGuid(name: string, value: string): string {
  if (!isGuid(value.trim()))
    throw usageError(
      `${name} must be a GUID, got '${value}'.`,
      `Copy the ${name} from the app registration's overview page.`,
    );
  return value.trim().toLowerCase();
}

export function parseIntIn(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(
      `${name} must be a whole number from ${min} to ${max}, got '${value}'.`,
      `Give ${name} a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

export function parseKeySize(value: string): KeySize {
  const n = Number(value);
  if (Number.isInteger(n) && n > 0 && n < 2048)
    throw usageError(
      `--key-size ${value} is too small: Entra and MSAL refuse RSA keys under 2048 bits.`,
      `Use ${KEY_SIZES.join(', ')}.`,
    );
  if (!(KEY_SIZES as readonly number[]).includes(n))
    throw usageError(`--key-size must be one of ${KEY_SIZES.join(', ')}, got '${value}'.`);
  return n as KeySize;
}

/** "300", "300s", "5m", "1h", "7d" → milliseconds. */
export function parseDuration(name: string, value: string, maxMs = 24 * 3_600_000): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!m) throw usageError(`${name} must be a duration like 300, 90s, 5m, 1h or 7d, got '${value}'.`);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms =
    Number(m[1]) *
    (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
  if (ms > maxMs) {
    const limit = maxMs >= 86_400_000 ? `${maxMs / 86_400_000}d` : `${maxMs / 60_000}m`;
    throw usageError(`${name} is longer than ${limit}.`, `Give at most ${limit}.`);
  }
  return Math.round(ms);
}

const APP_NAME_MAX = 120;

export function parseAppName(value: string): string {
  const v = value.trim();
  if (v === '')
    throw usageError(
      'The app name is empty.',
      'Give a display name with --app-name, for example "Exchange Background Jobs".',
    );
  if (v.length > APP_NAME_MAX)
    throw usageError(
      `The app name is ${v.length} characters long; ${APP_NAME_MAX} is the most exo-cba accepts.`,
      'Shorten --app-name.',
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v))
    throw usageError('The app name contains control characters.', 'Use printable characters only.');
  return v;
}

export function parseEnvName(flag: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw usageError(
      `${flag} takes the NAME of an environment variable, got '${value}'.`,
      `Put the password in a variable and pass its name, e.g. ${flag} PFX_PASSWORD. Secrets never go in arguments.`,
    );
  }
  return value;
}

export type AuthMethod = 'device' | 'browser';
export function parseAuth(value: string): AuthMethod {
  if (value === 'device' || value === 'browser') return value;
  throw usageError(`--auth must be 'device' or 'browser', got '${value}'.`);
}
