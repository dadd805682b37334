import type { Context } from '../context.js';
import { EXIT } from '../core/errors.js';
import type { CommandResult, StatusRow } from '../output/render.js';
import type { Profile } from '../profile/store.js';
import { profilesUsing } from '../tenant/ownership.js';
import { strategyFor, workloadNamed } from '../workloads/index.js';

export interface StatusOptions {
  profile?: string;
  setDefault?: string;
}

/** exo-cba status: every profile with its app, role, certificate expiry and last check. Reads local files only. */
export async function statusCommand(o: StatusOptions, ctx: Context): Promise<CommandResult> {
  const now = ctx.clock.now().getTime();
  const wanted = o.profile;
  if (o.setDefault) {
    await ctx.profiles.setDefault(o.setDefault);
    ctx.out.info(`The default profile is now '${o.setDefault}'.`);
  }
  const all = await ctx.profiles.list();
  const defaultProfile = await ctx.profiles.defaultName();
  const profiles: StatusRow[] = all
    .filter((p) => !wanted || p.name === wanted)
    .map((p) => {
      const cert = p.certificate ?? p.pendingCertificate;
      return {
        profile: p.name,
        tenantId: p.tenantId,
        organization: p.organization,
        cloud: p.cloud,
        workload: p.workload,
        appName: p.app.displayName,
        ...(p.app.appId ? { appId: p.app.appId } : {}),
        role: strategyFor(workloadNamed(p.workload), p.rights).describe(p.rights),
        state: p.state,
        ...(p.sandbox ? { sandbox: true } : {}),
        ...(cert
          ? {
              thumbprint: cert.thumbprint,
              notAfter: cert.notAfter,
              daysLeft: Math.floor((Date.parse(cert.notAfter) - now) / 86_400_000),
            }
          : {}),
        ...(p.lastCheck ? { lastCheck: p.lastCheck } : {}),
        ...(p.federatedCredentials?.length ? { federatedCredentials: p.federatedCredentials } : {}),
        isDefault: p.name === defaultProfile,
        ...(p.previousCertificates?.length
          ? {
              pendingRemovals: p.previousCertificates.map((x) => ({
                thumbprint: x.thumbprint,
                ...(x.retireAfter ? { retireAfter: x.retireAfter } : {}),
              })),
            }
          : {}),
        ...sharing(p, all),
      };
    });
  return {
    command: 'status',
    exitCode: EXIT.ok,
    data: { configFile: ctx.profiles.file, ...(defaultProfile ? { defaultProfile } : {}), profiles },
  };
}

function sharing(p: Profile, all: Profile[]): { sharedWith?: string[] } {
  if (!p.app.objectId) return {};
  const others = profilesUsing({ id: p.app.objectId, appId: p.app.appId ?? '' }, all, p.tenantId).filter(
    (n) => n !== p.name,
  );
  return others.length ? { sharedWith: others } : {};
}
