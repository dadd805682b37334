import { CliError } from '../../../core/errors.js';
import type { Check } from './types.js';

/** The certificate and its key load, and belong together. */
export const certificate: Check = {
  id: 'certificate',
  async run(_ctx, r) {
    try {
      r.cred = await r.t.credential();
      r.report.thumbprint = r.cred.thumbprint;
      return {
        status: 'pass',
        message: `certificate ${r.cred.thumbprint} and its ${r.cred.keyBits}-bit key load and belong together`,
      };
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      r.inputError = true;
      return { status: 'fail', message: err.message, ...(err.detail.fix ? { fix: err.detail.fix } : {}) };
    }
  },
};
