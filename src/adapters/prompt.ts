import type { Prompt } from '../context.js';
import { CancelledError, usageError } from '../errors.js';

/** inquirer behind the prompt port; questions render on stderr so stdout stays clean for --json. */
export function makeInquirerPrompt(output: NodeJS.WritableStream): Prompt {
  const ask = async <T>(question: Record<string, unknown>): Promise<T> => {
    const inquirer = (await import('inquirer')).default;
    const prompt = inquirer.createPromptModule({ output });
    try {
      const answers = (await prompt([{ ...question }] as never)) as Record<string, T>;
      return answers[question['name'] as string] as T;
    } catch (err) {
      if ((err as Error).name === 'ExitPromptError' || (err as Error).name === 'AbortPromptError') throw new CancelledError();
      throw err;
    }
  };
  return {
    text: (q) => ask<string>({ type: 'input', name: q.name, message: q.message, default: q.default, validate: q.validate }),
    secret: (q) => ask<string>({ type: 'password', name: q.name, message: q.message, mask: '*', validate: q.validate }),
    confirm: (q) => ask<boolean>({ type: 'confirm', name: q.name, message: q.message, default: q.default ?? false }),
    select: (q) => ask({ type: 'list', name: q.name, message: q.message, default: q.default, choices: q.choices.map((c) => ({ value: c.value, name: c.description ? `${c.name} — ${c.description}` : c.name })) }),
  };
}

/** When nobody is there to answer: every question must have come as a flag or have a default. */
export const noPrompt: Prompt = {
  text: (q) => Promise.reject(usageError(`'${q.name}' needs an answer and this run is not interactive.`, `Pass it as a flag (see --help).`)),
  secret: (q) => Promise.reject(usageError(`'${q.name}' needs an answer and this run is not interactive.`, 'Pass --pfx-password-env NAME, or let exo-cba generate the password.')),
  confirm: (q) => Promise.reject(usageError(`'${q.name}' needs a confirmation and this run is not interactive.`, 'Pass --yes to confirm.')),
  select: (q) => Promise.reject(usageError(`'${q.name}' needs an answer and this run is not interactive.`, 'Pass it as a flag (see --help).')),
};
