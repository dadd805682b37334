import type { Context } from '../../context.js';
import type { RotateOptions } from './options.js';
import type { RotateItem } from '../../output/render.js';
import { resolveTargets, type AppTarget } from '../../tenant/app-targets.js';
import { withProfileLock } from '../../profile/lock.js';

/**
 * One rotation of a profile holding the profile's lock (profile/lock.ts), so that two rotations started
 * together run one after the other. When the profile changed while this one waited (the other run rotated),
 * the target is read again, so that this run starts from the certificate the profile now records.
 */
export async function rotateLocked(
  ctx: Context,
  t: AppTarget,
  o: RotateOptions,
  rotate: (t: AppTarget) => Promise<RotateItem>,
): Promise<RotateItem> {
  const name = t.profile?.name;
  if (!name || o.dryRun) return rotate(t);
  return withProfileLock(ctx, { profile: name, command: 'rotate', waitMs: o.waitMs }, async () => {
    const now = await ctx.profiles.get(name);
    if (!now || now.updatedAt === t.profile?.updatedAt) return rotate(t);
    const [again] = await resolveTargets({ ...o.target, all: false, profile: name }, ctx);
    return rotate(again ?? t);
  });
}
