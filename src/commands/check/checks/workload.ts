import type { WorkloadCheck } from '../../../workloads/index.js';
import { skip, type Check } from './types.js';

/** A workload's own check (workloads/<name>/), run with the token the sign-in check got. */
export const fromWorkload = (w: WorkloadCheck): Check => ({
  id: w.id,
  async run(ctx, r) {
    const token = r.token;
    if (!token) return skip('no token');
    const out = await w.run(ctx, {
      token,
      tenantId: typeof token.claims['tid'] === 'string' ? token.claims['tid'] : r.t.tenant,
      organization: r.t.organization ?? r.t.tenant,
      ...(r.t.profile ? { rights: r.t.profile.rights, profileName: r.t.profile.name } : {}),
      deps: {
        identity: r.svc.identity,
        http: r.svc.target.http,
        cloud: r.svc.target.cloud,
        env: r.svc.target.env,
      },
    });
    return out;
  },
});
