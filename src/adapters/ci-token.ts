import { NetworkError, type HttpTransport } from './http.js';
import { AuthError } from './token-errors.js';

/**
 * The CI system's own OIDC token, for a federated sign-in (exo-cba workloads-and-secretless §2b):
 * - `--federated-token-file PATH`, when given;
 * - on GitHub Actions, `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with
 *   `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered `{"value":"<jwt>"}` (GitHub's OIDC docs;
 *   the runner sets both variables only for a job with `permissions: id-token: write`);
 * - elsewhere, the file named by AZURE_FEDERATED_TOKEN_FILE (Azure DevOps, GitLab, Kubernetes write it there).
 * Failures are AuthError `ci-token-unavailable`, with what to do; the token is never logged.
 */

export interface CiTokenDeps {
  env: Readonly<Record<string, string | undefined>>;
  http: HttpTransport;
  readFile(path: string): Promise<Buffer>;
}

export interface CiToken {
  token: string;
  /** Where it came from, for messages (never the token). */
  source: string;
}

const unavailable = (code: string, description: string) =>
  new AuthError('ci-token-unavailable', code, undefined, description);

const set = (env: CiTokenDeps['env'], k: string) => (env[k] ?? '') !== '';

const looksLikeJwt = (s: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);

async function fromFile(deps: CiTokenDeps, path: string, named: string): Promise<CiToken> {
  let text: string;
  try {
    text = (await deps.readFile(path)).toString('utf8').trim();
  } catch (err) {
    throw unavailable(
      'token_file_unreadable',
      `The federated token file ${path} (${named}) cannot be read: ${(err as Error).message}.`,
    );
  }
  if (!looksLikeJwt(text))
    throw unavailable(
      'token_file_not_jwt',
      `The federated token file ${path} (${named}) does not hold a JWT (three base64url parts joined by dots).`,
    );
  return { token: text, source: `${named} ${path}` };
}

async function fromGitHub(deps: CiTokenDeps, audience: string): Promise<CiToken> {
  const base = deps.env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '';
  const url = `${base}${base.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  const res = await deps
    .http({
      method: 'GET',
      url,
      headers: {
        authorization: `bearer ${deps.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? ''}`,
        accept: 'application/json',
      },
    })
    .catch((err: unknown) => {
      if (err instanceof NetworkError)
        throw unavailable('github_unreachable', `GitHub Actions' token service: ${err.message}.`);
      throw err;
    });
  let value: unknown;
  try {
    value = (JSON.parse(res.body.toString('utf8')) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (res.status !== 200 || typeof value !== 'string' || !looksLikeJwt(value))
    throw unavailable(
      `github_http_${res.status}`,
      `GitHub Actions' token service answered HTTP ${res.status} without an ID token` +
        `${res.status === 401 || res.status === 403 ? ' (the request token was refused)' : ''}.`,
    );
  return { token: value, source: 'GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL)' };
}

/** The CI token for `audience` (api://AzureADTokenExchange for Entra). */
export async function readCiToken(
  deps: CiTokenDeps,
  o: { audience: string; file?: string },
): Promise<CiToken> {
  if (o.file !== undefined) return fromFile(deps, o.file, '--federated-token-file');
  const env = deps.env;
  if (set(env, 'ACTIONS_ID_TOKEN_REQUEST_URL') && set(env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'))
    return fromGitHub(deps, o.audience);
  const file = env['AZURE_FEDERATED_TOKEN_FILE'];
  if (file) return fromFile(deps, file, 'AZURE_FEDERATED_TOKEN_FILE');
  if (env['GITHUB_ACTIONS'] === 'true')
    throw unavailable(
      'github_no_id_token_permission',
      'This GitHub Actions job has no OIDC token to offer: ACTIONS_ID_TOKEN_REQUEST_URL and ' +
        'ACTIONS_ID_TOKEN_REQUEST_TOKEN are set only for a job with "permissions: id-token: write".',
    );
  throw unavailable(
    'no_ci_token',
    'No CI token was found: not a GitHub Actions job with id-token: write (ACTIONS_ID_TOKEN_REQUEST_URL), ' +
      'no AZURE_FEDERATED_TOKEN_FILE and no --federated-token-file.',
  );
}
