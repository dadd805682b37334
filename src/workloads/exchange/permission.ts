import type { RequiredResourceAccess } from '../../adapters/graph.js';
import { EXCHANGE_APP_ID, EXCHANGE_MANAGE_AS_APP_ROLE_ID } from './facts.js';

/** Exchange.ManageAsApp as the app registration declares it (requiredResourceAccess); the grant is separate. */
export const MANAGE_AS_APP_ACCESS: RequiredResourceAccess = {
  resourceAppId: EXCHANGE_APP_ID,
  resourceAccess: [{ id: EXCHANGE_MANAGE_AS_APP_ROLE_ID, type: 'Role' }],
};

export function hasManageAsApp(rra: RequiredResourceAccess[]): boolean {
  return rra.some(
    (r) =>
      r.resourceAppId === EXCHANGE_APP_ID &&
      r.resourceAccess.some((a) => a.id === EXCHANGE_MANAGE_AS_APP_ROLE_ID && a.type === 'Role'),
  );
}

/** Adds Exchange.ManageAsApp to what the app declares, keeping everything else. */
export function withManageAsApp(rra: RequiredResourceAccess[]): RequiredResourceAccess[] {
  if (hasManageAsApp(rra)) return rra;
  const exo = rra.find((r) => r.resourceAppId === EXCHANGE_APP_ID);
  if (exo)
    return rra.map((r) =>
      r === exo
        ? { ...r, resourceAccess: [...r.resourceAccess, MANAGE_AS_APP_ACCESS.resourceAccess[0]!] }
        : r,
    );
  return [...rra, MANAGE_AS_APP_ACCESS];
}
