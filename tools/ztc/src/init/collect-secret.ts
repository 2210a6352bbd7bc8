/**
 * One secret input: from ZTC_<ADAPTER>_<FIELD>, or moved out of platform.yaml where an older file kept
 * it, or typed into hidden input (`@FILE` reads it from a file; a multi-line one comes from a file or an
 * editor, wizard-ui.ts); a legacy secret or one that does not apply is never asked; checked against the adapter's schema without ever putting the value
 * into a message. A stored or exported value is kept unless the wizard asks everything again.
 */
import type { AdapterManifest } from '../adapter/types';
import type { Issue } from '../errors';
import type { AdapterContext, AskMode } from './collect';
import { checkFieldValue, type FieldSpec } from './fields';
import { envName, type Given } from './sources';
import { BACK, type Ui } from './types';

export async function collectSecret(
  ctx: AdapterContext,
  ui: Ui | undefined,
  m: AdapterManifest,
  spec: FieldSpec,
  g: Given | undefined,
  mode: AskMode,
  issues: Issue[],
  secrets: Map<string, string>,
  notes: string[],
  /** again: the wizard went back to this question: ask it even when a value is kept (Enter keeps that). */
  opts: { skipped?: string; canGoBack?: boolean; again?: boolean } = {},
): Promise<'asked' | typeof BACK | undefined> {
  const env = spec.env!;
  const zEnv = envName(m.name, spec.name);
  const path = `adapters.${m.name}.${spec.name}`;
  const check = (v: unknown) => checkFieldValue(m, spec.name, v, ctx.file, `adapters.${m.name}`).map((i) => ({ ...i, message: i.message.replace(/, got .*$/s, '') }));
  let value: string | undefined;
  let origin: string | undefined;
  if (ctx.env[zEnv]) [value, origin] = [ctx.env[zEnv], `env ${zEnv}`];
  else if (g && typeof g.value === 'string') [value, origin] = [g.value, g.file];
  // The current value's problem (never the value), when the wizard asks for it again.
  let problem: string | undefined;
  if (value !== undefined) {
    const problems = check(value);
    if (problems.length === 0) {
      secrets.set(env, value);
      if (origin === g?.file) notes.push(`moved ${path} out of platform.yaml into the secrets file (secrets never go into the workspace)`);
      if (!ui || !mode.reask || opts.skipped) return undefined;
    } else if (!ui) {
      issues.push(...problems.map((i) => ({ ...i, file: origin!, path })));
      return undefined;
    } else if (opts.skipped) {
      ui.say(`Dropping ${path} (${origin}): ${problems[0]!.message} (${opts.skipped}, not asked).`);
    } else {
      problem = `${origin}: ${problems[0]!.message}`;
    }
  }
  // A legacy secret, or one that does not apply: never asked, nothing to remind of.
  if (opts.skipped) return undefined;
  const kept = secrets.has(env) ? 'the value given' : ctx.stored.has(env) ? 'the stored value' : ctx.env[env] ? `$${env} from the environment` : undefined;
  if (!ui) {
    if (!kept) notes.push(`secret ${env} (${path}) is not stored: export it before bootstrap, or run "ztc init" in a terminal to type it`);
    return undefined;
  }
  if (kept && !mode.askAll && !opts.again) return undefined;
  const answer = await ui.ask({ owner: m.name, spec, root: m.inputs, path, check, secretKept: kept, canGoBack: opts.canGoBack, problem });
  if (answer === BACK) return BACK;
  if (typeof answer === 'string' && answer !== '') secrets.set(env, answer);
  else if (!kept) notes.push(`secret ${env} (${path}) was left empty: export it before bootstrap`);
  return 'asked';
}
