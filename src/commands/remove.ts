import type { Context } from '../context.js';
import { EXIT, failure, usageError } from '../core/errors.js';
import { openTarget } from '../tenant/target.js';
import { signInAdmin } from '../tenant/sign-in.js';
import { ADMIN_SCOPES } from '../tenant/entra.js';
import { explainGraphError } from '../adapters/graph-errors.js';
import { archiveDirFor, filePaths } from '../certificate/store.js';
import type { CommandResult } from '../output/render.js';
import { chooserFor } from '../tenant/app-targets.js';
import { profilesUsing, recordsOf } from '../tenant/ownership.js';
import { strategyFor, workloadNamed } from '../workloads/index.js';
import { keepKey, thumbprintOfKey } from '../certificate/keys.js';
import type { Directory } from '../adapters/graph.js';
import type { CloudName } from '../core/clouds.js';
import type { AdminSignIn } from './shared/options.js';

export interface RemoveOptions extends AdminSignIn {
  profile?: string;
  cloud?: CloudName;
  sandbox: boolean;
  yes: boolean;
  deleteApp: boolean;
  dryRun: boolean;
}

/** Takes this profile's keys off a shared app, then reads the app again to confirm they are gone. */
async function removeOwnKeys(
  ctx: Pick<Context, 'out'>,
  dir: Directory,
  appId: string,
  thumbprints: string[],
): Promise<void> {
  const keys = await dir.getKeyCredentials(appId);
  const keep = keys.filter((k) => !thumbprints.includes(thumbprintOfKey(k) ?? ''));
  if (keep.length !== keys.length) await dir.updateApplication(appId, { keyCredentials: keep.map(keepKey) });
  const left = (await dir.getKeyCredentials(appId)).filter((k) =>
    thumbprints.includes(thumbprintOfKey(k) ?? ''),
  );
  if (left.length)
    throw failure(
      `This profile's key is still on the app after removing it (${left.map((k) => k.keyId).join(', ')}).`,
      { fix: 'Remove it in Entra ID > App registrations > Certificates & secrets, then run remove again.' },
    );
  ctx.out.info(
    `${ctx.out.color.green('✔')} Removed this profile's key from the shared app (read back: gone); the other keys stay`,
  );
}

/** exo-cba remove: delete the app registration (Graph removes its service principal, grant and role with it), archive the files, drop the profile. */
export async function removeCommand(o: RemoveOptions, ctx: Context): Promise<CommandResult> {
  const { clientId, auth } = o;
  const profile = await ctx.profiles.resolve(o.profile, chooserFor(ctx));
  const others = profile.app.objectId
    ? profilesUsing(
        { id: profile.app.objectId, appId: profile.app.appId ?? '' },
        await ctx.profiles.list(),
        profile.tenantId,
      ).filter((n) => n !== profile.name)
    : [];
  // A shared app is deleted only on purpose: otherwise this profile takes away its own keys and leaves the app to the others.
  const deleteApp = others.length === 0 || o.deleteApp;
  const what =
    `the app ` +
    `'${profile.app.displayName}'${profile.app.appId ? ` (appId ${profile.app.appId})` : ''} in ` +
    `tenant ${profile.organization} (${profile.tenantId})`;
  const mine = recordsOf(profile).map((r) => r.thumbprint);
  const declined = {
    command: 'remove' as const,
    exitCode: EXIT.ok,
    data: {
      profile: profile.name,
      workload: profile.workload,
      ...(profile.app.appId ? { appId: profile.app.appId } : {}),
      deleted: false,
      declined: true,
      archived: [],
    },
  };
  if (others.length)
    ctx.out.info(
      `Profile${others.length > 1 ? 's' : ''} ${others.join(', ')} also use${others.length > 1 ? '' : 's'} ${what}.`,
    );
  if (o.dryRun) {
    const records = recordsOf(profile);
    const plan = [
      !profile.app.objectId
        ? 'nothing to delete in the tenant (the profile has no app yet)'
        : deleteApp
          ? `delete ${what} (its service principal, grant and role go with it), then read back ` +
            `until Graph no longer returns it`
          : `remove this profile's key${records.length > 1 ? 's' : ''} ` +
            `(${records.map((r) => r.thumbprint).join(', ')}) from ${what}, keep the app for ` +
            `${others.join(', ')}, and read back`,
      `archive the files of ${records.length} certificate(s) under archive/ beside them`,
      `drop profile '${profile.name}'`,
    ];
    return {
      command: 'remove',
      exitCode: EXIT.ok,
      data: {
        profile: profile.name,
        workload: profile.workload,
        ...(profile.app.appId ? { appId: profile.app.appId } : {}),
        deleted: false,
        archived: [],
        plan,
      },
    };
  }
  if (!o.yes) {
    if (!ctx.interactive)
      throw usageError(
        `remove ${deleteApp ? `deletes ${what}` : `removes profile '${profile.name}' and its key from ${what}`} ` +
          `and will not do so without a confirmation.`,
        'Run it in a terminal to confirm, or pass --yes.',
      );
    if (deleteApp) {
      ctx.out.info(
        `This deletes ${what}, with its service principal, grant and role; its certificate files are archived.`,
      );
      const message = others.length
        ? `Delete '${profile.app.displayName}' although ${others.join(', ')} still ` +
          `use${others.length > 1 ? '' : 's'} it? Their jobs stop working too.`
        : `Delete '${profile.app.displayName}'? Jobs using it stop working.`;
      if (!(await ctx.prompt.confirm({ name: 'confirmRemove', message, default: false }))) return declined;
    } else {
      ctx.out.info(
        `This removes profile '${profile.name}' and its own key from the app; the app stays for ${others.join(', ')}.`,
      );
      if (
        !(await ctx.prompt.confirm({
          name: 'confirmRemove',
          message: `Remove profile '${profile.name}' and its key?`,
          default: false,
        }))
      )
        return declined;
    }
  }
  let deleted = false;
  let note: string | undefined;
  if (profile.app.objectId) {
    const target = await openTarget(ctx, {
      cloud: o.cloud ?? profile.cloud,
      sandbox: o.sandbox || Boolean(profile.sandbox),
    });
    try {
      const identity = await ctx.services.identity(target.cloud, target.http);
      const session = await signInAdmin(ctx, identity, {
        tenant: profile.tenantId,
        clientId,
        method: auth,
        scopes: [...ADMIN_SCOPES.remove],
      });
      const dir = await ctx.services.directory(target.cloud, target.http, () => session.graphToken());
      const app = await dir.getApplication(profile.app.objectId).catch((e: unknown) => {
        throw explainGraphError(e, 'read the application');
      });
      // Rights held in the workload's own RBAC live outside the app registration: remove them first, and read back.
      const workload = workloadNamed(profile.workload);
      const strategy = strategyFor(workload, profile.rights);
      const spId = profile.app.servicePrincipalId;
      if (app && deleteApp && strategy.heldOutsideApp && spId && workload.adminSession) {
        const admin = workload.adminSession(
          { identity, http: target.http, cloud: target.cloud, env: target.env },
          {
            tenantId: profile.tenantId,
            organization: profile.organization,
            token: (resource) => session.tokenFor(resource),
          },
        );
        await strategy.revoke(
          ctx,
          { dir, sp: { id: spId, appId: app.appId, displayName: app.displayName }, admin: async () => admin },
          profile.rights,
        );
      }
      if (app && !deleteApp) {
        await removeOwnKeys(ctx, dir, app.id, mine);
        note = `The app stays for ${others.join(', ')}; only this profile's key was removed.`;
      } else if (app) {
        await dir.deleteApplication(app.id).catch((e: unknown) => {
          throw explainGraphError(e, 'delete the application');
        });
        // Read back: the delete is confirmed only when Graph no longer returns the app (reads may lag a little).
        const deadline = ctx.clock.now().getTime() + 60_000;
        for (let wait = 250; await dir.getApplication(app.id); wait = Math.min(wait * 2, 2000)) {
          if (ctx.clock.now().getTime() > deadline) {
            throw failure(`Graph accepted the delete of ${what}, but still returns the app a minute later.`, {
              fix:
                `Check Entra ID > App registrations (and Deleted applications); run 'exo-cba ` +
                `remove --profile ${profile.name}' again: it deletes what is left.`,
            });
          }
          await ctx.clock.sleep(wait);
        }
        deleted = true;
        ctx.out.info(`${ctx.out.color.green('✔')} Deleted ${what} (read back: gone)`);
      } else note = 'The app was already gone from the tenant.';
    } finally {
      await target.close();
    }
  } else note = 'The profile had no app yet; nothing to delete in the tenant.';
  const records = recordsOf(profile);
  const archived: string[] = [];
  // Files of an old certificate already sit in archive/ (a rotation put them there): they stay where they are.
  const alreadyArchived = (dir: string) => dir.split(/[\\/]/).includes('archive');
  for (const rec of records.filter((r) => !alreadyArchived(r.files.dir)))
    archived.push(
      ...(await ctx.files.archive(
        filePaths(rec.files),
        archiveDirFor(rec.files.dir, ctx.clock.now(), `removed-${rec.thumbprint.slice(0, 8)}`),
      )),
    );
  await ctx.profiles.delete(profile.name);
  return {
    command: 'remove',
    exitCode: EXIT.ok,
    data: {
      profile: profile.name,
      workload: profile.workload,
      ...(profile.app.appId ? { appId: profile.app.appId } : {}),
      deleted,
      archived,
      ...(note ? { note } : {}),
    },
  };
}
