import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { failure } from '../../../core/errors.js';
import { keepKey } from '../../../certificate/keys.js';
import { explainGraphError } from '../../../adapters/graph-errors.js';
import { describeForeign } from '../../../tenant/ownership.js';
import type { InitRun } from '../run.js';

/**
 * On an adopted app, when the admin chose so: the credentials exo-cba did not make are removed, then the app
 * is read again. What is still there is reported, never assumed gone.
 */
export const foreignCredentials: Step<InitRun, Pick<Context, 'out'>> = {
  id: 'foreignCredentials',
  plan: (_ctx, s) =>
    s.removeForeign
      ? `remove what exo-cba did not make: ${s.survey.verdict!.foreign.map(describeForeign).join('; ')}`
      : undefined,
  async run(ctx, s) {
    if (!s.removeForeign) return;
    const dir = s.deps.dir;
    const app = s.app!;
    const foreign = s.survey.verdict!.foreign;
    const ids = new Set(foreign.map((f) => f.id));
    try {
      const keys = await dir.getKeyCredentials(app.id);
      if (keys.some((k) => ids.has(k.keyId)))
        await dir.updateApplication(app.id, {
          keyCredentials: keys.filter((k) => !ids.has(k.keyId)).map(keepKey),
        });
      for (const f of foreign) {
        if (f.kind === 'secret') await dir.removePassword(app.id, f.id);
        if (f.kind === 'federated') await dir.deleteFederatedCredential(app.id, f.id);
      }
    } catch (err) {
      throw explainGraphError(err, 'remove the credentials exo-cba did not make');
    }
    const after = await dir.getCredentials(app.id);
    const left = [
      ...after.keys.map((k) => k.keyId),
      ...after.passwords.map((p) => p.keyId),
      ...after.federated.map((f) => f.id),
    ].filter((id) => ids.has(id));
    if (left.length)
      throw failure(
        `${left.length} of the credentials to remove are still on '${app.displayName}' after ` +
          `removing them (${left.join(', ')}).`,
        { fix: 'Remove them in Entra ID > App registrations > Certificates & secrets, then re-run init.' },
      );
    s.outcomes['foreignCredentials'] = 'removed';
    ctx.out.info(
      `${ctx.out.color.green('✔')} Removed ${foreign.length} credential(s) exo-cba did not make (read back: gone)`,
    );
  },
};
