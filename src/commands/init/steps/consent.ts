import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { GraphApiError } from '../../../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../../../adapters/graph-errors.js';
import { permissionNames } from '../../../tenant/permissions.js';
import type { InitRun } from '../run.js';
import { failure } from '../../../core/errors.js';

const isDuplicate = (err: unknown) =>
  err instanceof GraphApiError &&
  (err.status === 409 || (err.status === 400 && /already exists|conflicting object/i.test(err.message)));

/** Admin consent for the workload's permissions: an app role assignment on each resource's service principal. */
export const consent: Step<InitRun, Pick<Context, 'clock' | 'out'>> = {
  id: 'grant',
  plan: (_ctx, s) =>
    s.survey.granted
      ? `reuse the ${permissionNames(s.survey.permissions)} grant`
      : s.survey.permissions
          .map(
            (p) =>
              `grant ${p.value} (admin consent): POST /servicePrincipals/{${p.resourceName}}/appRoleAssignedTo`,
          )
          .join('; '),
  async run(ctx, s) {
    let outcome: 'created' | 'reused' = 'reused';
    const sp = s.sp;
    if (!sp) throw new Error('The service principal step has not run.');
    for (const p of s.survey.granted ? [] : s.survey.permissions) {
      try {
        await untilReplicated(
          ctx,
          `grant ${p.value}`,
          () => s.deps.dir.grantAppRole(p.resource.id, sp.id, p.roleId),
          {
            deadline: s.deadline,
          },
        );
        outcome = 'created';
      } catch (err) {
        if (!isDuplicate(err)) throw explainGraphError(err, `grant ${p.value} (admin consent)`);
        // A conflict is read back, never assumed: go on only if the grant asked for is there.
        const held = (await s.deps.dir.listAppRoleAssignments(sp.id)).some(
          (a) => a.resourceId === p.resource.id && a.appRoleId === p.roleId,
        );
        if (!held)
          throw failure(`Graph says the ${p.value} grant already exists, but the app holds none.`, {
            why: `The app's app role assignments, read back after the conflict, hold no grant on ${p.resourceName}.`,
            fix: 'Grant admin consent in Entra ID > App registrations > API permissions, then re-run.',
          });
      }
    }
    s.outcomes['grant'] = outcome;
    s.report(`${permissionNames(s.survey.permissions)} admin consent`, outcome);
  },
};
