import type { Prompt } from '../core/ports.js';
import { CancelledError, usageError } from '../core/errors.js';

/**
 * The prompt port on @inquirer/prompts (the inquirer project's current API: one function a prompt type).
 * Questions render on stderr so stdout stays clean for --json; an invalid answer is asked again with the
 * reason (the validate function's text); Ctrl-C at a prompt becomes one CancelledError (exit 130).
 */
export function makeInquirerPrompt(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompt {
  const context = { input, output };
  const guard = async <T>(ask: () => Promise<T>): Promise<T> => {
    try {
      return await ask();
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError')
        throw new CancelledError();
      throw err;
    }
  };
  const lib = () => import('@inquirer/prompts');
  return {
    text: (q) =>
      guard(async () =>
        (await lib()).input(
          {
            message: q.message,
            ...(q.default !== undefined ? { default: q.default } : {}),
            ...(q.validate ? { validate: q.validate } : {}),
          },
          context,
        ),
      ),
    secret: (q) =>
      guard(async () =>
        (await lib()).password(
          { message: q.message, mask: '*', ...(q.validate ? { validate: q.validate } : {}) },
          context,
        ),
      ),
    confirm: (q) =>
      guard(async () => (await lib()).confirm({ message: q.message, default: q.default ?? false }, context)),
    select: (q) =>
      guard(async () =>
        (await lib()).select(
          {
            message: `${q.message} (↑↓ to move, Enter to choose)`,
            // Every choice on one line with its own description, so the whole list can be compared at a glance.
            choices: q.choices.map((c) => ({
              value: c.value,
              name: `${c.name}${c.value === q.default ? ' (default)' : ''}${c.description ? ` — ${c.description}` : ''}`,
              short: c.name,
            })),
            ...(q.default !== undefined ? { default: q.default } : {}),
            pageSize: Math.max(q.choices.length, 7),
            loop: false,
            // The hint is in the question itself: a help line under the list would push the cursor line off
            // the bottom of short terminals and tell nothing the question does not.
            theme: { style: { keysHelpTip: () => undefined } },
          },
          context,
        ),
      ),
  };
}

/** When nobody is there to answer: every question must have come as a flag or have a default. */
export const noPrompt: Prompt = {
  text: (q) =>
    Promise.reject(
      usageError(
        `'${q.name}' needs an answer and this run is not interactive.`,
        `Pass it as a flag (see --help).`,
      ),
    ),
  secret: (q) =>
    Promise.reject(
      usageError(
        `'${q.name}' needs an answer and this run is not interactive.`,
        'Pass --pfx-password-env NAME, or let exo-cba generate the password.',
      ),
    ),
  confirm: (q) =>
    Promise.reject(
      usageError(
        `'${q.name}' needs a confirmation and this run is not interactive.`,
        'Pass --yes to confirm.',
      ),
    ),
  select: (q) =>
    Promise.reject(
      usageError(
        `'${q.name}' needs an answer and this run is not interactive.`,
        'Pass it as a flag (see --help).',
      ),
    ),
};
