import { permissionNames } from '../../../tenant/permissions.js';
import { skip, type Check } from './types.js';

/** The token carries the workload's application permissions: admin consent is in place. */
export const consent: Check = {
  id: 'consent',
  async run(_ctx, r) {
    if (!r.token) return skip('no token');
    const roles = Array.isArray(r.token.claims['roles']) ? (r.token.claims['roles'] as string[]) : [];
    const wanted = r.t.workload.permissions(r.svc.target.cloud.name);
    const missing = wanted.filter((p) => !roles.includes(p.value));
    if (!missing.length) return { status: 'pass', message: `token carries ${permissionNames(wanted)}` };
    return {
      status: 'fail',
      message: `token has no ${permissionNames(missing)} role: admin consent is missing`,
      fix:
        `Re-run 'exo-cba init${r.t.profile ? ` --profile ${r.t.profile.name}` : ''}', or in the ` +
        `portal: App registrations > API permissions > Grant admin consent.`,
    };
  },
};
