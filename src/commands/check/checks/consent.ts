import { EXCHANGE_MANAGE_AS_APP } from '../../../workloads/exchange/index.js';
import { skip, type Check } from './types.js';

/** The token carries Exchange.ManageAsApp: admin consent is in place. */
export const consent: Check = {
  id: 'consent',
  async run(_ctx, r) {
    if (!r.token) return skip('no token');
    const roles = Array.isArray(r.token.claims['roles']) ? (r.token.claims['roles'] as string[]) : [];
    if (roles.includes(EXCHANGE_MANAGE_AS_APP))
      return { status: 'pass', message: `token carries ${EXCHANGE_MANAGE_AS_APP}` };
    return {
      status: 'fail',
      message: `token has no ${EXCHANGE_MANAGE_AS_APP} role: admin consent is missing`,
      fix:
        `Re-run 'exo-cba init${r.t.profile ? ` --profile ${r.t.profile.name}` : ''}', or in the ` +
        `portal: App registrations > API permissions > Grant admin consent.`,
    };
  },
};
