import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import type { CommandResult, StatusRow } from '../render.js';

/** exo-cba status: every profile with its app, role, certificate expiry and last check. Reads local files only. */
export async function statusCommand(raw: Record<string, unknown>, ctx: Context): Promise<CommandResult> {
  const now = ctx.clock.now().getTime();
  const wanted = typeof raw['profile'] === 'string' ? raw['profile'] : undefined;
  const all = await ctx.profiles.list();
  const profiles: StatusRow[] = all
    .filter((p) => !wanted || p.name === wanted)
    .map((p) => {
      const cert = p.certificate ?? p.pendingCertificate;
      return {
        profile: p.name, tenantId: p.tenantId, organization: p.organization, cloud: p.cloud, appName: p.app.displayName, ...(p.app.appId ? { appId: p.app.appId } : {}),
        role: p.role.name, state: p.state, ...(p.sandbox ? { sandbox: true } : {}),
        ...(cert ? { thumbprint: cert.thumbprint, notAfter: cert.notAfter, daysLeft: Math.floor((Date.parse(cert.notAfter) - now) / 86_400_000) } : {}),
        ...(p.lastCheck ? { lastCheck: p.lastCheck } : {}),
      };
    });
  return { command: 'status', exitCode: EXIT.ok, data: { configFile: ctx.profiles.file, profiles } };
}
