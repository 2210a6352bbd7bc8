/**
 * A Prompter that answers from a script, in order, for driving the init wizard in-process. Each step
 * names the prompt it expects (a substring of its message) and the answer; `undefined` takes the
 * prompt's default (pressing Enter). An answer the prompt's validator rejects is recorded and the same
 * prompt is asked again with the next step, as the real library does. Every prompt, answer and
 * validation message is kept in `transcript`.
 */
import type { Choice, Prompter, Validate } from '../src/init/prompter';

export type Step = [expect: string, answer?: string | boolean | number];

/** A step's answer as the text a user would type (a Step answers with a string, boolean or number). */
const answerText = (a: unknown): string => (a === undefined ? '' : typeof a === 'string' ? a : JSON.stringify(a));

export interface ScriptedPrompter extends Prompter {
  transcript: string[];
  /** Steps not consumed (a test usually expects none). */
  remaining(): Step[];
}

/** Where a prompter's answers come from: the answer to one prompt (recorded in the transcript). */
type NextAnswer = (kind: string, message: string, dflt: unknown) => unknown;

/**
 * The Prompter methods over a source of answers: validated prompts ask again after a refused answer, as
 * the real library does (at most `maxTries` times, when given); a select answer names a choice.
 */
function promptsFrom(next: NextAnswer, transcript: string[], maxTries = Number.POSITIVE_INFINITY): Prompter {
  const validated = <T>(kind: string, message: string, dflt: T | undefined, validate: Validate<T> | undefined, convert: (a: unknown) => T): T => {
    for (let tries = 1; ; tries++) {
      const answer = convert(next(kind, message, dflt));
      const verdict = validate ? validate(answer) : true;
      if (verdict === true) return answer;
      transcript.push(`! ${verdict}`);
      if (tries >= maxTries) throw new Error(`prompt "${message}" refused every answer\n${transcript.join('\n')}`);
    }
  };
  return {
    text: async (o) => validated('text', o.message, o.default, o.validate, answerText),
    secret: async (o) => validated('secret', o.message, undefined, o.validate, answerText),
    editor: async (o) => validated('editor', o.message, o.default ?? '', o.validate, answerText),
    confirm: async (o) => next('confirm', o.message, o.default ?? false) as boolean,
    select: async <T>(o: { message: string; choices: Choice<T>[]; default?: T }) => {
      const answer = next('select', `${o.message} {${o.choices.map((c) => c.name).join(' | ')}}`, o.default);
      const byName = o.choices.find((c) => c.name === answer || String(c.value) === answer || c.name.startsWith(`${String(answer)} `));
      if (answer !== o.default && !byName) throw new Error(`no choice "${String(answer)}" in ${o.choices.map((c) => c.name).join(', ')}`);
      return (byName ? byName.value : o.default) as T;
    },
  };
}

export function scriptedPrompter(steps: Step[]): ScriptedPrompter {
  const queue = [...steps];
  const transcript: string[] = [];
  const next: NextAnswer = (kind, message, dflt) => {
    const step = queue.shift();
    if (!step) throw new Error(`unexpected ${kind} prompt "${message}" (script exhausted)\n${transcript.join('\n')}`);
    if (!message.includes(step[0])) throw new Error(`expected a prompt containing "${step[0]}", got ${kind} "${message}"\n${transcript.join('\n')}`);
    const answer = step.length > 1 && step[1] !== undefined ? step[1] : dflt;
    transcript.push(`? ${message} [default: ${JSON.stringify(dflt)}] > ${JSON.stringify(answer)}`);
    return answer;
  };
  return { ...promptsFrom(next, transcript), transcript, remaining: () => [...queue] };
}

export interface AnsweringPrompter extends Prompter {
  transcript: string[];
}

/**
 * A Prompter that takes every prompt's default (Enter), except where `answers` has an entry whose key
 * is a substring of the prompt's message: then that answer (a list of answers is used in turn, for a
 * prompt asked again; the last one stays). A prompt that refuses its answers repeatedly is an error.
 */
export function answeringPrompter(answers: Record<string, Step[1] | Step[1][]> = {}): AnsweringPrompter {
  const transcript: string[] = [];
  const pending = new Map(Object.entries(answers).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  const next: NextAnswer = (_kind, message, dflt) => {
    const key = [...pending.keys()].find((k) => message.includes(k));
    const queue = key === undefined ? undefined : pending.get(key)!;
    const answer = queue && queue.length > 0 ? (queue.length > 1 ? queue.shift() : queue[0]) : dflt;
    transcript.push(`? ${message} [default: ${JSON.stringify(dflt)}] > ${JSON.stringify(answer)}`);
    return answer;
  };
  return { ...promptsFrom(next, transcript, 7), transcript };
}
