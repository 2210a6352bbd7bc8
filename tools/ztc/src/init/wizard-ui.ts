/**
 * The interactive side of `ztc init`: one prompt per input, fitted to its schema (yes/no for booleans,
 * select for enums, numbers with bounds, comma-separated lists, nested objects field by field, lists of
 * objects item by item, hidden input for secrets). Every default is shown and can be changed; an answer
 * is checked against the adapter's schema and asked again with what was expected. `<` (or the back
 * choice of a list) goes back one question. Numbers are typed as text and their range is said as it is
 * ("at least 1", "between 1 and 65535"). A secret may be read from a file (`@FILE`); a multi-line one
 * (`x-ztc-multiline`) comes from a file or the user's editor.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Issue } from '../errors';
import type { Catalog, MissingCapability, SelectionGroup } from './catalog';
import { coerceText, formatText, propertiesOf, type FieldSpec, type JsonSchema } from './fields';
import type { Choice, Prompter } from './prompter';
import { BACK, type AskRequest, type InitScriptChoice, type Ui } from './types';

const NONE = '\0none';
const BACK_CHOICE = '\0back';
/** The back choice of a list; its name starts with `<` like the answer that goes back in a text prompt. */
const backChoice = <T>(): Choice<T> => ({ name: '< back (previous question)', value: BACK_CHOICE as T });
const BACK_HINT = '; < goes back';

/** "between 1 and 65535", "at least 1", "at most 10", or '' without bounds. */
export function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return '';
}

/** A number typed as text: the number, or what is wrong with it. */
export function parseNumber(text: string, o: { integer: boolean; min?: number; max?: number }): number | string {
  const range = rangeText(o.min, o.max);
  const what = `${o.integer ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}`;
  const t = text.trim();
  if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return `must be ${what}`;
  const n = Number(t);
  if (o.integer && !Number.isInteger(n)) return `must be ${what}`;
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) return `must be ${range}`;
  return n;
}

/** `@FILE` (or FILE, `~/` for the home folder): the file's text (trailing whitespace removed), or what went wrong reading it. */
function readSecretFile(path: string): { value: string } | { error: string } {
  const abs = resolve(path.replace(/^@/, '').replace(/^~(?=$|\/)/, homedir()));
  try {
    return { value: readFileSync(abs, 'utf8').replace(/\s+$/, '') };
  } catch (e) {
    return { error: `cannot read ${abs} (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
}

function explain(issues: Issue[], path?: string): true | string {
  const own = path ? issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`)) : issues;
  if (own.length === 0) return true;
  return own.map((i) => (path && i.path !== path ? `${i.path.slice(path.length).replace(/^\./, '')}: ${i.message}` : i.message)).join('; ');
}

export function createWizardUi(prompter: Prompter, say: (line: string) => void): Ui {
  let backExplained = false;
  const label = (catalog: Catalog, name: string): string => {
    const m = catalog.adapters.get(name)!;
    return `${m.displayName ?? name} (${name} ${m.version})${m.isDefault ? ' (default)' : ''}`;
  };

  async function askValue(
    spec: FieldSpec,
    root: JsonSchema,
    path: string,
    suggestion: unknown,
    check: (v: unknown) => Issue[],
    message: string,
    canGoBack = false,
  ): Promise<unknown> {
    const s = spec.schema;
    const optional = !spec.required;
    const picked = (answer: unknown): unknown => (answer === BACK_CHOICE ? BACK : answer === NONE ? undefined : answer);
    switch (spec.kind) {
      case 'const':
        return s.const;
      case 'enum': {
        const values = s.enum as unknown[];
        const choices: Choice<unknown>[] = values.map((v) => ({ name: `${formatText(v, 'any')}${'default' in s && v === s.default ? ' (default)' : ''}`, value: v }));
        if (optional && !('default' in s)) choices.push({ name: '(not set)', value: NONE });
        if (canGoBack) choices.push(backChoice());
        return picked(await prompter.select({ message, choices, default: suggestion ?? (optional && !('default' in s) ? NONE : undefined) }));
      }
      case 'boolean': {
        // An optional yes/no without a schema default has a third answer: not set (render's own behaviour),
        // so taking the offered answer never writes a value the adapter did not ask for.
        const unset = optional && !('default' in s);
        const mark = (v: boolean) => ('default' in s && s.default === v ? ' (default)' : '');
        const choices: Choice<unknown>[] = [
          { name: `Yes${mark(true)}`, value: true },
          { name: `No${mark(false)}`, value: false },
        ];
        if (unset) choices.push({ name: '(not set)', value: NONE });
        if (canGoBack) choices.push(backChoice());
        return picked(await prompter.select({ message, choices, default: typeof suggestion === 'boolean' ? suggestion : unset ? NONE : false }));
      }
      case 'integer':
      case 'number': {
        const num = (k: string) => (typeof s[k] === 'number' ? s[k] : undefined);
        const bounds = { integer: spec.kind === 'integer', min: num('minimum'), max: num('maximum') };
        const range = rangeText(bounds.min, bounds.max);
        const text = await prompter.text({
          message: `${message}${range ? ` (${range})` : ''}${optional && suggestion === undefined ? ' (optional)' : ''}`,
          default: typeof suggestion === 'number' || typeof suggestion === 'string' ? String(suggestion) : undefined,
          validate: (t) => {
            if (t.trim() === '') return optional ? true : `a value is required (${spec.kind === 'integer' ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''})`;
            if (canGoBack && t.trim() === '<') return true;
            const n = parseNumber(t, bounds);
            return typeof n === 'string' ? n : explain(check(n));
          },
        });
        if (canGoBack && text.trim() === '<') return BACK;
        return text.trim() === '' ? undefined : parseNumber(text, bounds);
      }
      case 'object':
        return askObject(spec, root, path, suggestion, check, message);
      case 'objects':
        return askObjects(spec, root, path, suggestion, check, message);
      default: {
        const list = spec.kind === 'list';
        const text = await prompter.text({
          message: `${message}${list && !/comma/.test(message) ? ' (comma-separated)' : spec.kind === 'any' ? ' (YAML)' : ''}${optional && suggestion === undefined ? ' (optional)' : ''}`,
          default: suggestion === undefined ? undefined : formatText(suggestion, spec.kind),
          validate: (t) =>
            canGoBack && t.trim() === '<' ? true : t.trim() === '' ? (optional ? true : `a value is required (${expected(spec)})`) : explain(check(coerceText(t, s, root))),
        });
        if (canGoBack && text.trim() === '<') return BACK;
        return text.trim() === '' ? undefined : coerceText(text, s, root);
      }
    }
  }

  async function askObject(spec: FieldSpec, root: JsonSchema, path: string, suggestion: unknown, check: (v: unknown) => Issue[], message: string): Promise<unknown> {
    const current = suggestion && typeof suggestion === 'object' ? (suggestion as Record<string, unknown>) : {};
    if (!spec.required && !(await prompter.confirm({ message: `${message}: set it?`, default: suggestion !== undefined }))) return undefined;
    const value: Record<string, unknown> = {};
    for (const sub of propertiesOf(spec.schema, root)) {
      const subPath = `${path}.${sub.name}`;
      const v = await askValue(
        sub,
        root,
        subPath,
        current[sub.name] ?? sub.schema.default,
        (x) => check({ ...value, [sub.name]: x }).filter((i) => i.path.startsWith(subPath)),
        `${message} › ${sub.prompt}`,
      );
      if (v !== undefined) value[sub.name] = v;
    }
    return value;
  }

  async function askObjects(spec: FieldSpec, root: JsonSchema, path: string, suggestion: unknown, check: (v: unknown) => Issue[], message: string): Promise<unknown> {
    const itemSchema = (spec.schema.items ?? {}) as JsonSchema;
    const itemSpec: FieldSpec = { name: 'item', schema: itemSchema, required: true, secret: false, prompt: spec.prompt, kind: 'object' };
    const min = typeof spec.schema.minItems === 'number' ? spec.schema.minItems : 0;
    for (;;) {
      const offered = Array.isArray(suggestion) ? (suggestion as Record<string, unknown>[]) : [];
      let start: Record<string, unknown>[] = [];
      if (offered.length > 0) {
        say(`${message}:`);
        offered.forEach((item, i) =>
          say(
            `  ${i + 1}. ${Object.entries(item)
              .map(([k, v]) => `${k}=${formatText(v, 'any')}`)
              .join('  ')}`,
          ),
        );
        const how = await prompter.select({
          message: `${message}: use these?`,
          choices: [
            { name: 'Use these', value: 'use' },
            { name: 'Edit them one by one', value: 'edit' },
            { name: 'Enter new ones', value: 'new' },
          ],
          default: 'use',
        });
        if (how === 'use' && explain(check(offered)) === true) return offered;
        start = how === 'new' ? [] : offered;
      }
      const items: Record<string, unknown>[] = [];
      for (let i = 0; ; i++) {
        const itemPath = `${path}[${i}]`;
        if (i >= start.length) {
          const more = await prompter.confirm({ message: `${message}: add ${i === 0 ? 'one' : 'another'}?`, default: items.length < Math.max(min, 1) });
          if (!more) break;
        }
        const item = await askObject(itemSpec, root, itemPath, start[i], (v) => check([...items, v]), `${message} #${i + 1}`);
        items.push(item as Record<string, unknown>);
      }
      const problems = explain(check(items));
      if (problems === true) return items;
      say(`${message}: ${problems}; enter them again.`);
      suggestion = items;
    }
  }

  /** A secret: hidden input (or `@FILE`); a multi-line one from a file or the editor. Never echoed, never in a message. */
  async function askSecret(req: AskRequest): Promise<unknown> {
    const keep = req.secretKept ? `leave empty to keep ${req.secretKept}` : 'leave empty to skip';
    const checked = (v: string): true | string => explain(req.check(v));
    const fromFile = (t: string): true | string => {
      const read = readSecretFile(t);
      return 'error' in read ? read.error : checked(read.value);
    };
    if (req.spec.multiline) {
      const how = await prompter.select<string>({
        message: `How do you give ${req.spec.prompt}? (several lines)`,
        choices: [
          { name: 'Read it from a file', value: 'file' },
          { name: 'Paste it into an editor', value: 'editor' },
          { name: req.secretKept ? `Keep ${req.secretKept}` : 'Skip it (export it before bootstrap)', value: NONE },
          ...(req.canGoBack ? [backChoice<string>()] : []),
        ],
        default: NONE,
      });
      if (how === BACK_CHOICE) return BACK;
      if (how === NONE) return undefined;
      if (how === 'editor') {
        const text = await prompter.editor({
          message: `${req.spec.prompt} in your editor (save and close it when done)`,
          validate: (t) => (t.trim() === '' ? 'empty: write the value, or choose "Skip"' : checked(t.replace(/\s+$/, ''))),
        });
        return text.replace(/\s+$/, '');
      }
      const path = await prompter.text({ message: `Path to the file with ${req.spec.prompt}`, validate: (t) => (t.trim() === '' ? 'a path is required' : fromFile(t.trim())) });
      return (readSecretFile(path.trim()) as { value: string }).value;
    }
    const answer = await prompter.secret({
      message: `${req.spec.prompt} (hidden; @FILE reads it from a file; ${keep}${req.canGoBack ? BACK_HINT : ''})`,
      validate: (v) => (v === '' || (req.canGoBack && v === '<') ? true : v.startsWith('@') ? fromFile(v) : checked(v)),
    });
    if (req.canGoBack && answer === '<') return BACK;
    if (answer.startsWith('@')) return (readSecretFile(answer) as { value: string }).value;
    return answer === '' ? undefined : answer;
  }

  return {
    say,
    async ask(req: AskRequest) {
      if (req.canGoBack && !backExplained) {
        backExplained = true;
        say('(Type "<", or pick "< back", to go back one question.)');
      }
      if (req.problem) say(`${req.path}: the current value is not valid (${req.problem}); please enter it again.`);
      if (req.spec.secret) return askSecret(req);
      return askValue(req.spec, req.root, req.path, req.suggestion, req.check, req.spec.prompt, req.canGoBack);
    },
    async chooseGroup(group: SelectionGroup, catalog: Catalog, current: string | undefined) {
      const title = group.name.replace(/[_-]/g, ' ');
      if (group.adapters.length === 1 && !group.optional) {
        say(`${title}: ${label(catalog, group.adapters[0]!)} (the only option)`);
        return group.adapters[0];
      }
      const choices: Choice<string>[] = group.adapters.map((a) => ({ name: label(catalog, a), value: a, description: catalog.adapters.get(a)!.description }));
      if (group.optional) choices.push({ name: 'none', value: NONE });
      const answer = await prompter.select({ message: `Choose the ${title}`, choices, default: current ?? group.default ?? NONE });
      return answer === NONE ? undefined : answer;
    },
    chooseProvider(missing: MissingCapability, catalog: Catalog, suggested: string | undefined) {
      const who = `${missing.requiredBy.join(', ')} require${missing.requiredBy.length === 1 ? 's' : ''} capability "${missing.capability}"`;
      return prompter.select({
        message: `${who}: which adapter provides it?`,
        choices: missing.candidates.map((a) => ({ name: label(catalog, a), value: a })),
        default: suggested,
      });
    },
    onInitScriptFailed(adapter: string, step: string): Promise<InitScriptChoice> {
      return prompter.select<InitScriptChoice>({
        message: `${step} failed. What now?`,
        choices: [
          { name: `Re-enter ${adapter}'s inputs and run it again`, value: 'retry' },
          { name: 'Keep the inputs and continue', value: 'continue' },
          { name: 'Stop (nothing is written)', value: 'abort' },
        ],
        default: 'retry',
      });
    },
    async confirmWrite(file: string, diff: string) {
      for (const line of diff.split('\n')) say(line);
      return prompter.confirm({ message: `Write ${file}?`, default: true });
    },
  };
}

function expected(spec: FieldSpec): string {
  const s = spec.schema;
  if (typeof s.pattern === 'string') return `matching ${s.pattern}`;
  if (spec.kind === 'list') return 'a comma-separated list';
  return spec.kind;
}
