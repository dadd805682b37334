import { failure } from '../../core/errors.js';
import type { ExchangeProbe } from './admin-api.js';
import type { WorkloadAdmin } from '../../rights/strategy.js';

/**
 * An admin's session with Exchange's admin API (a delegated token for Exchange, scope Exchange.Manage): what
 * the Exchange RBAC strategy runs New-ServicePrincipal, Add-RoleGroupMember and their kin through.
 */
export type ExchangeAdmin = WorkloadAdmin;

export function exchangeAdmin(
  probe: ExchangeProbe,
  session: {
    tenantId: string;
    organization: string;
    token(): Promise<{ accessToken: string; scopes: string[] }>;
  },
): ExchangeAdmin {
  return {
    async run(cmdlet, parameters = {}) {
      const t = await session.token();
      if (!t.scopes.includes('Exchange.Manage')) {
        throw failure("The admin's token for Exchange carries no Exchange.Manage permission.", {
          why:
            'Granting Exchange roles to the app runs Exchange cmdlets as the admin, which needs ' +
            'the delegated permission Exchange.Manage on Office 365 Exchange Online for the client you sign in with.',
          fix:
            'Use --client-id with your own public client that has Exchange.Manage (Office 365 ' +
            'Exchange Online, delegated) with admin consent, or give the app a directory role instead (--role).',
        });
      }
      const r = await probe.invoke({
        tenantId: session.tenantId,
        organization: session.organization,
        accessToken: t.accessToken,
        cmdlet,
        parameters,
      });
      if (r.ok) return { ok: true, rows: r.rows };
      if (r.kind === 'cmdlet') {
        // A cmdlet outside the admin's roles does not exist in the session: the admin lacks Role Management.
        if (/is not recognized as (the|a) name of a cmdlet/i.test(r.message)) {
          throw failure(`The signed-in admin may not run ${cmdlet} in Exchange.`, {
            why:
              "Assigning Exchange roles needs Exchange's Role Management role, which the " +
              'Organization Management role group holds (Exchange Administrator and Global Administrator include it).',
            fix:
              'Sign in with an Exchange Administrator (or a member of Organization Management), ' +
              'or give the app a directory role instead (--role).',
          });
        }
        return { ok: false, message: r.message };
      }
      throw failure(`Exchange refused ${cmdlet} for the admin (HTTP ${r.status}): ${r.message}`, {
        fix:
          'Check that the admin holds an Exchange role (Exchange Administrator), then run the ' +
          'command again: finished steps are reused.',
      });
    },
  };
}
