import { AuthError } from '../adapters/identity.js';
import { explainGraphError } from '../adapters/graph-errors.js';
import { CliError, EXIT } from '../core/errors.js';
import { diagnoseAuthError } from './diagnose.js';

/**
 * A classified service failure (the token service's or Graph's) that reached a command unexplained, as
 * what / what to do, the same in check and rotate. Anything else is returned as it is.
 */
export function explainServiceFailure(
  err: unknown,
  app: { appId: string; tenant: string },
  step: string,
): unknown {
  if (err instanceof AuthError) {
    const d = diagnoseAuthError(err, app);
    return new CliError(EXIT.failed, `The token service refused: ${d.what}`, { fix: d.fix });
  }
  return explainGraphError(err, step);
}
