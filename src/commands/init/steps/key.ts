import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { thumbprintOfKey } from '../../../certificate/keys.js';
import { ensureKeyUploaded } from '../../../certificate/upload.js';
import type { InitRun } from '../run.js';

/** The certificate on the app: already there when the app was created with it, else added beside the keys the app has. */
export const key: Step<InitRun, Pick<Context, 'clock' | 'out'>> = {
  id: 'key',
  plan(_ctx, s) {
    if (!s.survey.app) return undefined; // the create carries the key
    const thumbprint = s.brought?.thumbprint;
    if (thumbprint && s.survey.app.keyCredentials.some((k) => thumbprintOfKey(k) === thumbprint))
      return 'reuse the key already on the app';
    return (
      'add the certificate to the app, keeping its other keys: PATCH /applications/{id} ' +
      'keyCredentials (then read back)'
    );
  },
  async run(ctx, s) {
    const uploaded =
      s.outcomes['application'] === 'created'
        ? { keyId: s.keyId!, outcome: 'created' as const }
        : await ensureKeyUploaded(ctx, s.deps.dir, s.app!, s.credential!, s.answers.appName, s.deadline);
    s.keyId = uploaded.keyId;
    s.outcomes['key'] = uploaded.outcome;
    s.report('Key credential on the app', uploaded.outcome, ` (keyId ${uploaded.keyId})`);
  },
};
