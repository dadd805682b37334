import { GraphApiError } from './graph.js';
import { failure } from '../core/errors.js';

/** Turns a Graph refusal into what / why / what to do. */
export function explainGraphError(err: unknown, step: string): Error {
  if (!(err instanceof GraphApiError)) return err as Error;
  const detail = { code: err.code, ...(err.requestId ? { requestId: err.requestId } : {}) };
  if (err.status === 403) {
    const who = /role/.test(step)
      ? 'Assigning a directory role needs the Privileged Role Administrator or Global Administrator role.'
      : 'Registering apps and granting Exchange.ManageAsApp needs the Application Administrator, Cloud Application Administrator or Global Administrator role.';
    return failure(`Microsoft Graph refused to ${step} (403 ${err.code}).`, { ...detail, why: `The signed-in admin lacks the rights for this step. ${who}`, fix: 'Sign in with an account that holds that role (or activate it in PIM), then re-run: finished steps are reused.' });
  }
  if (err.status === 401) return failure(`Microsoft Graph did not accept the admin token while trying to ${step}.`, { ...detail, why: err.message, fix: 'Sign in again; if the tenant restricts the default client, use --client-id with your own public client.' });
  if (err.status === 429 || err.status >= 500) return failure(`Microsoft Graph is busy or failing (HTTP ${err.status}) while trying to ${step}.`, { ...detail, why: err.message, fix: 'Re-run in a few minutes: finished steps are reused.' });
  return failure(`Microsoft Graph could not ${step}: ${err.message}`, { ...detail, fix: 'Re-run with --verbose for the request details.' });
}
