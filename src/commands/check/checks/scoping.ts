import { EXCHANGE_ROLES } from '../../../workloads/exchange/index.js';
import { skip, type Check } from './types.js';

/**
 * With Exchange RBAC, the app must hold no directory role Exchange accepts: Exchange adds rights up from
 * every source, so such a role defeats the scoping. The token's `wids` claim lists the app's directory roles.
 */
export const scoping: Check = {
  id: 'scoping',
  async run(_ctx, r) {
    const rights = r.t.profile?.rights;
    if (!rights || rights.kind !== 'exchange-rbac') return skip('not Exchange RBAC');
    if (!r.token) return skip('no token');
    const wids = Array.isArray(r.token.claims['wids']) ? (r.token.claims['wids'] as string[]) : [];
    const roles = EXCHANGE_ROLES.filter((x) => wids.includes(x.templateId));
    if (!roles.length)
      return {
        status: 'pass',
        message: 'no directory role: the Exchange roles alone decide what the app may run',
      };
    return {
      status: 'warn',
      message:
        `the app also holds the directory role ${roles.map((x) => x.name).join(', ')}, which ` +
        `defeats the Exchange RBAC scoping`,
      fix:
        `Remove it (Entra ID > Roles and administrators), or re-run 'exo-cba init --profile ` +
        `${r.t.profile!.name}' and let it remove the role.`,
    };
  },
};
