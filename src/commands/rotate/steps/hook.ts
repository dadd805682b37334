import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import type { RotateRun } from '../run.js';

/** Variables that hold or unlock a secret: never passed to a hook. */
const SECRET_VARS = ['EXO_CBA_CERTIFICATE', 'EXO_CBA_CERTIFICATE_PASSWORD'];

/**
 * After a verified rotation, the admin's own command (--on-rotated, remembered in the profile): to import the
 * certificate into a Windows store, push it to Key Vault, update a CI secret. It gets paths and names in
 * EXO_CBA_* variables, never a secret (the password travels by file path, or by the name of its variable).
 * A failing hook is reported and the run exits 1, but the verified rotation is kept.
 */
function hookEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  r: RotateRun,
): Record<string, string> {
  const drop = new Set([
    ...SECRET_VARS,
    ...(r.passwordSource?.kind === 'env' ? [r.passwordSource.name] : []),
    ...(r.o.target.passwordEnvNamed ? [r.o.target.passwordEnv] : []),
  ]);
  const base = Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => e[1] !== undefined && !drop.has(e[0]) && !e[0].startsWith('EXO_CBA_'),
    ),
  );
  const p = r.pending!;
  const old = r.profile?.previousCertificates?.find((x) => x.thumbprint === r.current?.thumbprint);
  const vars: Record<string, string | undefined> = {
    EXO_CBA_PROFILE: r.profile?.name,
    EXO_CBA_APP_ID: r.t.appId,
    EXO_CBA_ORGANIZATION: r.t.organization ?? r.t.tenant,
    EXO_CBA_THUMBPRINT: p.cred.thumbprint,
    EXO_CBA_NOT_AFTER: p.cred.notAfter.toISOString(),
    EXO_CBA_OLD_THUMBPRINT: r.current?.thumbprint,
    EXO_CBA_OLD_KEY_RETIRES: old?.retireAfter,
    EXO_CBA_PFX: r.files?.pfx,
    EXO_CBA_PEM: r.files?.pem,
    EXO_CBA_KEY: r.files?.key,
    EXO_CBA_CER: r.files?.cer,
    EXO_CBA_PFX_PASSWORD_FILE: r.passwordSource?.kind === 'file' ? r.passwordSource.path : undefined,
    EXO_CBA_PFX_PASSWORD_ENV: r.passwordSource?.kind === 'env' ? r.passwordSource.name : undefined,
  };
  return {
    ...base,
    ...Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined)),
  };
}

export const hook: Step<RotateRun, Pick<Context, 'out' | 'services' | 'env' | 'profiles'>> = {
  id: 'hook',
  plan: (_ctx, r) => {
    const command = r.o.onRotated ?? r.profile?.onRotated;
    return r.done || !command ? undefined : `run the hook: ${command}`;
  },
  async run(ctx, r) {
    if (r.o.onRotated !== undefined && r.profile) {
      const { onRotated: _old, ...rest } = r.profile;
      r.profile = r.o.onRotated ? { ...rest, onRotated: r.o.onRotated } : rest;
      await ctx.profiles.save(r.profile);
    }
    const command = r.o.onRotated || r.profile?.onRotated;
    if (r.done || !command || !r.pending) return;
    ctx.out.info(`Running the hook: ${command}`);
    const res = await ctx.services.runHook(command, hookEnvironment(ctx.env, r));
    r.hook = { command, code: res.code, output: res.output.trim() };
    if (res.code !== 0)
      ctx.out.warn(`the hook exited with ${res.code}; the rotation stands (its output is in the result).`);
    else ctx.out.info(`${ctx.out.color.green('✔')} Hook done`);
  },
};
