import path from 'node:path';
import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { archiveDirFor } from '../../../certificate/store.js';
import type { RotateRun } from '../run.js';

/** --export-pfx-base64 FILE: the new PFX as base64 (0600), for a CI secret; an earlier export is archived. */
export const exportPfx: Step<RotateRun, Pick<Context, 'clock' | 'files'>> = {
  id: 'export',
  plan: (_ctx, r) =>
    r.done || !r.o.exportPfxBase64 ? undefined : `write the new PFX as base64 to ${r.o.exportPfxBase64}`,
  async run(ctx, r) {
    const target = r.o.exportPfxBase64;
    if (r.done || !target || !r.files?.pfx) return;
    const pfx = await ctx.files.read(r.files.pfx);
    await ctx.files.archive([target], archiveDirFor(path.dirname(target), ctx.clock.now(), 'export'));
    await ctx.files.writeNew(target, pfx.toString('base64') + '\n', 0o600);
  },
};
