/**
 * The few prompt kinds the wizard uses, behind an interface so the wizard's logic can be tested
 * in-process with scripted answers; the real one is @inquirer/prompts on the terminal. A validator
 * returns true or the message to show; the prompt then asks again (the library re-prompts in place).
 * Numbers are typed as text: the wizard checks their range itself (inquirer's number prompt says
 * "between 1 and Infinity" for a field with only a minimum) and lets `<` go back a question.
 */
import { ExitCode, ExitError } from '../errors';

export type Validate<T> = (value: T) => true | string;

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  text(o: { message: string; default?: string; validate?: Validate<string> }): Promise<string>;
  /** Hidden input: nothing of the answer is echoed (a `*` per character). */
  secret(o: { message: string; validate?: Validate<string> }): Promise<string>;
  confirm(o: { message: string; default?: boolean }): Promise<boolean>;
  select<T>(o: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  /**
   * A multi-line value written in the user's editor ($VISUAL, $EDITOR; the text is kept in a private
   * temp file outside the workspace while the editor runs, then removed).
   */
  editor(o: { message: string; default?: string; validate?: Validate<string> }): Promise<string>;
}

/** @inquirer/prompts on the process's terminal. Ctrl-C ends init with exit 130 and writes nothing. */
export function inquirerPrompter(): Prompter {
  // Loaded on use: only the interactive wizard pays for it.
  const p = require('@inquirer/prompts') as typeof import('@inquirer/prompts');
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof Error && e.name === 'ExitPromptError') throw new ExitError('init interrupted; nothing was written', ExitCode.interrupted);
      throw e;
    }
  };
  return {
    text: (o) => guard(() => p.input({ message: o.message, default: o.default, validate: o.validate })),
    secret: (o) => guard(() => p.password({ message: o.message, mask: '*', validate: o.validate })),
    confirm: (o) => guard(() => p.confirm({ message: o.message, default: o.default })),
    select: <T>(o: { message: string; choices: Choice<T>[]; default?: T }) =>
      guard(() => p.select<T>({ message: o.message, choices: o.choices, default: o.default, pageSize: 12 })),
    editor: (o) => guard(() => p.editor({ message: o.message, default: o.default, validate: o.validate, file: { postfix: '.txt', mode: 0o600 }, waitForUserInput: true })),
  };
}
