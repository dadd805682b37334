import type { Context } from '../context.js';
import type { Outcome } from '../core/steps.js';
import { GraphApiError, type Directory, type GraphApplication } from '../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../adapters/graph-errors.js';
import { CliError, failure } from '../core/errors.js';
import { keepKey, keyCredentialFor, thumbprintOfKey } from './keys.js';
import type { Credential } from './x509.js';

/**
 * Graph refused the key itself (400, 403): it is not on the app. A rotation that made it drops it rather than
 * resuming it next time (a certificate Graph refused would be refused again).
 */
export class KeyRefused extends CliError {}

/** Whether Graph's answer means the key was not added (as opposed to a failure after which it may be there). */
const refusesKey = (err: unknown): err is GraphApiError =>
  err instanceof GraphApiError &&
  (err.status === 403 || (err.status === 400 && (err.reason === 'bad-request' || err.reason === 'other')));

/** Graph's refusal of a new key, explained; a KeyRefused when the key is certainly not on the app. */
export function explainKeyError(err: unknown, step: string): Error {
  const e = explainGraphError(err, step);
  return refusesKey(err) && e instanceof CliError ? new KeyRefused(e.exitCode, e.message, e.detail) : e;
}

/**
 * Puts a certificate on an app with an admin's token (PATCH keyCredentials), unless it is there already, and
 * reads the app back until the key shows. PATCH replaces the collection whole, so every existing key is sent
 * back with its value (which only a $select=keyCredentials read returns).
 */
export async function ensureKeyUploaded(
  ctx: Pick<Context, 'clock' | 'out'>,
  dir: Directory,
  app: GraphApplication,
  cred: Credential,
  appName: string,
  deadline: number,
): Promise<{ keyId: string; outcome: Outcome }> {
  const isMine = (k: Parameters<typeof thumbprintOfKey>[0]) => thumbprintOfKey(k) === cred.thumbprint;
  const keys = await untilReplicated(ctx, 'read the application keys', () => dir.getKeyCredentials(app.id), {
    deadline,
  }).catch((e: unknown) => {
    throw explainGraphError(e, 'read the application keys');
  });
  const mine = keys.find(isMine);
  if (mine) return { keyId: mine.keyId, outcome: 'reused' };
  if (keys.some((k) => !k.key)) {
    throw failure(
      'Graph did not return the values of the keys already on the app, so adding one would delete them.',
      { fix: 'Add the certificate in the portal (Certificates & secrets > Upload), or report this.' },
    );
  }
  await dir
    .updateApplication(app.id, { keyCredentials: [...keys.map(keepKey), keyCredentialFor(cred, appName)] })
    .catch((e: unknown) => {
      throw explainKeyError(e, 'upload the certificate (PATCH keyCredentials)');
    });
  const after = await untilReplicated(
    ctx,
    'read back the new key',
    async () => {
      const k = (await dir.getKeyCredentials(app.id)).find(isMine);
      if (!k)
        throw new GraphApiError(
          404,
          'Request_ResourceNotFound',
          'key not visible yet',
          [],
          undefined,
          'read',
        );
      return k;
    },
    { deadline },
  ).catch((e: unknown) => {
    throw explainGraphError(e, 'read back the new key');
  });
  return { keyId: after.keyId, outcome: 'created' };
}
