/**
 * The interactive side of `ztc init`: one prompt per input, fitted to its schema (confirm for booleans,
 * select for enums, numbers with bounds, comma-separated lists, nested objects field by field, lists of
 * objects item by item, hidden input for secrets). Every default is shown and can be changed; an answer
 * is checked against the adapter's schema and asked again with what was expected.
 */
import type { Issue } from '../errors';
import type { Catalog, MissingCapability, SelectionGroup } from './catalog';
import { coerceText, formatText, propertiesOf, type FieldSpec, type JsonSchema } from './fields';
import type { Choice, Prompter } from './prompter';
import type { AskRequest, InitScriptChoice, Ui } from './types';

const NONE = '\0none';

function explain(issues: Issue[], path?: string): true | string {
  const own = path ? issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`)) : issues;
  if (own.length === 0) return true;
  return own.map((i) => (path && i.path !== path ? `${i.path.slice(path.length).replace(/^\./, '')}: ${i.message}` : i.message)).join('; ');
}

export function createWizardUi(prompter: Prompter, say: (line: string) => void): Ui {
  const label = (catalog: Catalog, name: string): string => {
    const m = catalog.adapters.get(name)!;
    return `${m.displayName ?? name} (${name} ${m.version})${m.isDefault ? ' (default)' : ''}`;
  };

  async function askValue(spec: FieldSpec, root: JsonSchema, path: string, suggestion: unknown, check: (v: unknown) => Issue[], message: string): Promise<unknown> {
    const s = spec.schema;
    const optional = !spec.required;
    switch (spec.kind) {
      case 'const':
        return s.const;
      case 'enum': {
        const values = s.enum as unknown[];
        const choices: Choice<unknown>[] = values.map((v) => ({ name: `${formatText(v, 'any')}${'default' in s && v === s.default ? ' (default)' : ''}`, value: v }));
        if (optional && !('default' in s)) choices.push({ name: '(not set)', value: NONE });
        const answer = await prompter.select({ message, choices, default: suggestion ?? (optional && !('default' in s) ? NONE : undefined) });
        return answer === NONE ? undefined : answer;
      }
      case 'boolean':
        return prompter.confirm({ message, default: typeof suggestion === 'boolean' ? suggestion : false });
      case 'integer':
      case 'number': {
        const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
        const bounds = [num('minimum'), num('maximum')];
        const range = bounds[0] !== undefined || bounds[1] !== undefined ? ` (${bounds[0] ?? '…'}–${bounds[1] ?? '…'})` : '';
        return prompter.number({
          message: `${message}${range}`,
          default: typeof suggestion === 'number' ? suggestion : undefined,
          min: bounds[0],
          max: bounds[1],
          integer: spec.kind === 'integer',
          required: !optional,
          validate: (v) => (v === undefined ? (optional ? true : 'a value is required') : explain(check(v))),
        });
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
          validate: (t) => (t.trim() === '' ? (optional ? true : `a value is required (${expected(spec)})`) : explain(check(coerceText(t, s, root)))),
        });
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
      const v = await askValue(sub, root, subPath, current[sub.name] ?? sub.schema.default, (x) => check({ ...value, [sub.name]: x }).filter((i) => i.path.startsWith(subPath)), `${message} › ${sub.prompt}`);
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
        offered.forEach((item, i) => say(`  ${i + 1}. ${Object.entries(item).map(([k, v]) => `${k}=${formatText(v, 'any')}`).join('  ')}`));
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

  return {
    say,
    async ask(req: AskRequest) {
      if (req.problem) say(`${req.path}: the current value is not valid (${req.problem}); please enter it again.`);
      if (req.spec.secret) {
        const keep = req.secretKept ? `leave empty to keep ${req.secretKept}` : 'hidden; leave empty to skip';
        const answer = await prompter.secret({ message: `${req.spec.prompt} (${keep})`, validate: (v) => (v === '' ? true : explain(req.check(v))) });
        return answer === '' ? undefined : answer;
      }
      return askValue(req.spec, req.root, req.path, req.suggestion, req.check, req.spec.prompt);
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
      return prompter.select({ message: `${who}: which adapter provides it?`, choices: missing.candidates.map((a) => ({ name: label(catalog, a), value: a })), default: suggested });
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
