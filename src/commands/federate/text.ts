import type { Paint } from '../../core/ports.js';
import type { FederateResult } from './index.js';

/** federate's result for people: the plan, the credentials on the app, and the pipeline to paste. */
export function federateText(d: FederateResult, c: Paint): string {
  if (d.plan)
    return [
      c.bold(`Plan for profile ${d.profile}; nothing was changed:`),
      ...d.plan.map((p, i) => `  ${i + 1}. ${p}`),
    ].join('\n');
  const rows = d.credentials.map(
    (f) => `  ${f.name}\n      issuer   ${f.issuer}\n      subject  ${f.subject}`,
  );
  const head =
    d.action === 'listed'
      ? c.bold(
          `Federated credentials of app ${d.appId} (profile ${d.profile}): ${d.credentials.length} of 20`,
        )
      : d.action === 'removed'
        ? c.bold(
            `Removed '${d.credential?.name ?? ''}'. Left on app ${d.appId}: ${d.credentials.length} of 20`,
          )
        : c.bold(
            `${d.action === 'added' ? 'Added' : 'Already there'}: '${d.credential?.name ?? ''}'. On app ` +
              `${d.appId}: ${d.credentials.length} of 20`,
          );
  const out = [head, ...(rows.length ? rows : ['  (none)'])];
  if (d.pipeline)
    out.push(
      '',
      c.bold(`Paste into ${d.pipeline.file} (no secret in it: the app id and tenant are not secrets):`),
      '',
      d.pipeline.text,
    );
  return out.join('\n');
}
