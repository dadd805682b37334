import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { GraphApiError } from '../../../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../../../adapters/graph-errors.js';
import { EXCHANGE_MANAGE_AS_APP, EXCHANGE_MANAGE_AS_APP_ROLE_ID } from '../../../workloads/exchange/index.js';
import type { InitRun } from '../run.js';
import { failure } from '../../../core/errors.js';

const isDuplicate = (err: unknown) =>
  err instanceof GraphApiError &&
  (err.status === 409 || (err.status === 400 && /already exists|conflicting object/i.test(err.message)));

/** Admin consent for Exchange.ManageAsApp: an app role assignment on the tenant's Exchange Online service principal. */
export const consent: Step<InitRun, Pick<Context, 'clock' | 'out'>> = {
  id: 'grant',
  plan: (_ctx, s) =>
    s.survey.granted
      ? `reuse the ${EXCHANGE_MANAGE_AS_APP} grant`
      : `grant ${EXCHANGE_MANAGE_AS_APP} (admin consent): POST /servicePrincipals/{Exchange Online}/appRoleAssignedTo`,
  async run(ctx, s) {
    let outcome: 'created' | 'reused' = 'reused';
    if (!s.survey.granted) {
      try {
        await untilReplicated(
          ctx,
          `grant ${EXCHANGE_MANAGE_AS_APP}`,
          () => s.deps.dir.grantAppRole(s.survey.exoSp.id, s.sp!.id, EXCHANGE_MANAGE_AS_APP_ROLE_ID),
          { deadline: s.deadline },
        );
        outcome = 'created';
      } catch (err) {
        if (!isDuplicate(err))
          throw explainGraphError(err, `grant ${EXCHANGE_MANAGE_AS_APP} (admin consent)`);
        // A conflict is read back, never assumed: go on only if the grant asked for is there.
        const held = (s.sp ? await s.deps.dir.listAppRoleAssignments(s.sp.id) : []).some(
          (a) => a.resourceId === s.survey.exoSp.id && a.appRoleId === EXCHANGE_MANAGE_AS_APP_ROLE_ID,
        );
        if (!held)
          throw failure(
            `Graph says the ${EXCHANGE_MANAGE_AS_APP} grant already exists, but the app holds none.`,
            {
              why: "The app's app role assignments, read back after the conflict, hold no grant on Exchange Online.",
              fix: 'Grant admin consent in Entra ID > App registrations > API permissions, then re-run.',
            },
          );
      }
    }
    s.outcomes['grant'] = outcome;
    s.report(`${EXCHANGE_MANAGE_AS_APP} admin consent`, outcome);
  },
};
