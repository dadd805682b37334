import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { GraphApiError } from '../../../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../../../adapters/graph-errors.js';
import type { InitRun } from '../run.js';

/** The app's service principal (enterprise app): what grants and roles are given to. */
export const servicePrincipal: Step<InitRun, Pick<Context, 'clock' | 'out'>> = {
  id: 'servicePrincipal',
  plan: (_ctx, s) =>
    s.survey.sp ? 'reuse its service principal' : 'create its service principal: POST /servicePrincipals',
  async run(ctx, s) {
    const app = s.app!;
    const dir = s.deps.dir;
    if (s.survey.sp) {
      s.sp = s.survey.sp;
      s.outcomes['servicePrincipal'] = 'reused';
    } else {
      try {
        s.sp = await untilReplicated(
          ctx,
          'create the service principal',
          () => dir.createServicePrincipal(app.appId),
          { deadline: s.deadline },
        );
        s.outcomes['servicePrincipal'] = 'created';
      } catch (err) {
        // 409: it exists (an earlier run made it, and the survey's read has not seen it yet).
        if (!(err instanceof GraphApiError && err.status === 409))
          throw explainGraphError(err, 'create the service principal');
        s.sp = await untilReplicated(
          ctx,
          'read the service principal',
          async () => {
            const found = await dir.findServicePrincipal(app.appId);
            if (!found)
              throw new GraphApiError(
                404,
                'Request_ResourceNotFound',
                'not visible yet',
                [],
                undefined,
                'read',
              );
            return found;
          },
          { deadline: s.deadline },
        );
        s.outcomes['servicePrincipal'] = 'reused';
      }
    }
    await s.journal({
      app: { displayName: app.displayName, objectId: app.id, appId: app.appId, servicePrincipalId: s.sp.id },
    });
    s.report('Service principal', s.outcomes['servicePrincipal'], ` (${s.sp.id})`);
  },
};
