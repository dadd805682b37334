import type { Context } from '../../context.js';
import { usageError } from '../../core/errors.js';
import type { Profile } from '../../profile/store.js';
import type { RotateRun } from './run.js';

/**
 * The password for the new PFX comes from the same source as the current one, so a job's stored password
 * keeps opening the file at the same path: the same environment variable, the same password file, or the
 * typed password asked again. --new-password changes it on purpose. Decided before anything changes.
 */
export interface NewPassword {
  password: string;
  source: NonNullable<Profile['passwordSource']>;
  /** Write this password to the source's file (rewritten at its stable path after the switch). */
  file?: string;
}

const MIN = 12;

export async function passwordForNewPfx(
  ctx: Pick<Context, 'env' | 'files' | 'interactive' | 'prompt'>,
  r: Pick<RotateRun, 'o' | 'profile' | 't'>,
): Promise<NewPassword> {
  const { o } = r;
  const source =
    r.profile?.passwordSource ??
    (o.target.passwordEnvNamed || ctx.env[o.target.passwordEnv] !== undefined
      ? { kind: 'env' as const, name: o.target.passwordEnv }
      : undefined);
  const fromEnv = (name: string, flag: string) => {
    const v = ctx.env[name];
    if (!v)
      throw usageError(
        `The environment variable ${name} (${flag}) is not set or empty.`,
        `Set ${name} to the password for the PFX; exo-cba reads it only from there.`,
      );
    return v;
  };
  const generate = async () => (await import('../../certificate/x509.js')).generatePassword();
  const typedTwice = async () => {
    for (;;) {
      const first = await ctx.prompt.secret({
        name: 'newPfxPassword',
        message: `New PFX password (at least ${MIN} characters)`,
        validate: (v) => (v.length >= MIN ? true : `Use at least ${MIN} characters.`),
      });
      if (
        (await ctx.prompt.secret({ name: 'newPfxPasswordAgain', message: 'New PFX password again' })) ===
        first
      )
        return first;
    }
  };

  if (o.newPassword) {
    if (o.newPasswordEnv)
      return {
        password: fromEnv(o.newPasswordEnv, '--new-password-env'),
        source: { kind: 'env', name: o.newPasswordEnv },
      };
    if (source?.kind === 'file')
      return { password: ctx.interactive ? await typedTwice() : await generate(), source, file: source.path };
    if (ctx.interactive) return { password: await typedTwice(), source: { kind: 'typed' } };
    throw usageError(
      '--new-password needs the new password, and this run is not interactive.',
      'Put it in an environment variable and pass its name with --new-password-env NAME (the ' +
        'profile remembers the name).',
    );
  }
  if (source?.kind === 'env')
    return {
      password: fromEnv(source.name, r.profile ? 'named in the profile' : '--pfx-password-env'),
      source,
    };
  if (source?.kind === 'file') {
    let text: string;
    try {
      text = (await ctx.files.read(source.path)).toString('utf8').replace(/\r?\n$/, '');
    } catch {
      throw usageError(
        `The PFX password file ${source.path} cannot be read.`,
        'Restore it (see archive/ beside it), or change the password on purpose with --new-password.',
      );
    }
    return { password: text, source, file: source.path };
  }
  if (source?.kind === 'typed') {
    if (o.target.passwordEnvNamed)
      return {
        password: fromEnv(o.target.passwordEnv, '--pfx-password-env'),
        source: { kind: 'env', name: o.target.passwordEnv },
      };
    if (ctx.interactive) {
      const pfx = r.profile?.certificate?.files.pfx;
      const x509 = await import('../../certificate/x509.js');
      const bytes = pfx && (await ctx.files.exists(pfx)) ? await ctx.files.read(pfx) : undefined;
      const password = await ctx.prompt.secret({
        name: 'pfxPassword',
        message: 'The PFX password (the one the current PFX uses; the new one gets the same)',
        validate: (v) => {
          if (!bytes) return true;
          try {
            x509.readCredential(bytes, pfx!, v);
            return true;
          } catch {
            return (
              'That password does not open the current PFX. Type it again, or press Ctrl-C and ' +
              'use --new-password.'
            );
          }
        },
      });
      return { password, source };
    }
    throw usageError(
      'The PFX password was typed at init, and this run is not interactive.',
      'Put it in an environment variable and pass its name with --pfx-password-env NAME; the ' +
        'profile then remembers the name for scheduled runs.',
    );
  }
  // No source known (an app given by flags): a new password, in a file beside the new PFX.
  return { password: await generate(), source: { kind: 'file', path: '' } };
}
