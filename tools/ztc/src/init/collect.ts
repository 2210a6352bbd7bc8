/**
 * The decisions of `ztc init`, shared by the wizard and the non-interactive modes: which adapters the
 * platform uses, and for every input whether its current value is kept, what is offered as its default,
 * or whether it has to be asked. Without a `Ui` nothing is asked: whatever would be asked and has no
 * usable default becomes an Issue, and every issue is reported at once (exit 3).
 */
import type { AdapterManifest } from '../adapter/types';
import { ConfigError, type Issue } from '../errors';
import type { Catalog } from './catalog';
import { collectSecret } from './collect-secret';
import { DEFAULT_FROM_KEY, deriveDefault } from '../adapter/default-from';
import { checkFieldValue, checkPlatformField, fieldsOf, hasDefault, sameValue, withDefaults, type FieldSpec } from './fields';
import { PLATFORM_FIELDS } from './platform-fields';
import { selectAdapters } from './select-adapters';
import { envName, type Given, type Sources } from './sources';
import { BACK, type InitResult, type Ui } from './types';
import { applies, describeWhen } from '../adapter/annotations';

export interface InitScriptOutcome {
  ok: boolean;
  /** Step id and what went wrong, when not ok. */
  step?: string;
  message?: string;
}

export interface CollectContext {
  platform: string;
  /** Workspace-relative platform.yaml (named in messages). */
  file: string;
  catalog: Catalog;
  sources: Sources;
  /** True when platform.yaml exists (a re-run asks only what is missing or invalid). */
  exists: boolean;
  /** `--all`: ask everything again, current values as defaults. */
  all: boolean;
  env: NodeJS.ProcessEnv;
  /** Names of the secrets already stored in the platform's secrets file (known once `platform:` is). */
  storedFor: (meta: Record<string, unknown>) => ReadonlySet<string>;
  /** Runs an adapter's init scripts with its collected inputs; absent: they are not run. */
  runInitScripts?: (adapter: AdapterManifest, config: Record<string, unknown>, meta: Record<string, unknown>, secrets: ReadonlyMap<string, string>) => Promise<InitScriptOutcome>;
}

export interface AskMode {
  /** Ask every field (a new platform or section, --all, a retry), not only missing or invalid ones. */
  askAll: boolean;
  /** Ask even fields whose value is valid, offering it as the default (--all, a retry). */
  reask: boolean;
  /** The values of the previous attempt (a retry after a failed init script). */
  previous?: Map<string, unknown>;
}

const firstMessage = (issues: Issue[]): string | undefined => (issues[0] ? `${issues[0].path ? `${issues[0].path}: ` : ''}${issues[0].message}` : undefined);

function missingIssue(ctx: CollectContext, owner: string, spec: FieldSpec): Issue {
  const path = owner === 'platform' ? `platform.${spec.name}` : `adapters.${owner}.${spec.name}`;
  return {
    file: ctx.file,
    path,
    message: `missing required input (${spec.prompt}${describeExpected(spec)})`,
    hint: `--set ${owner}.${spec.name}=…, env ${envName(owner, spec.name)}, or ${path} in the --answers file`,
  };
}

function describeExpected(spec: FieldSpec): string {
  const s = spec.schema;
  if (Array.isArray(s.enum)) return `; one of ${(s.enum as unknown[]).map(String).join(', ')}`;
  if (typeof s.pattern === 'string') return `; ${spec.kind} matching ${s.pattern}`;
  return `; ${spec.kind === 'objects' ? 'list of mappings' : spec.kind}`;
}

/** Issues of a value, reported against where it came from (a flag or env var keeps the field's sub-path). */
function givenIssue(given: Given, fieldPath: string, issues: Issue[]): Issue[] {
  return issues.map((i) => ({ ...i, file: given.file, path: given.path + (i.path.startsWith(fieldPath) ? i.path.slice(fieldPath.length) : '') }));
}

export async function collectInit(ctx: CollectContext, ui: Ui | undefined): Promise<InitResult> {
  const issues: Issue[] = [...ctx.sources.issues];
  const notes: string[] = [];
  const meta = await collectPlatform(ctx, ui, issues);
  const stored = ctx.storedFor(meta);
  const order = await selectAdapters(ctx, ui, issues, notes);
  const sections = new Map<string, Map<string, unknown>>();
  const secrets = new Map<string, string>();
  const known: Record<string, unknown> = { platform: meta };
  for (const name of order) {
    const m = ctx.catalog.adapters.get(name)!;
    const askAll = ui !== undefined && (!ctx.exists || ctx.all || !ctx.sources.existing.includes(name));
    let retry: Map<string, unknown> | undefined;
    for (;;) {
      const before = issues.length;
      const section = await collectAdapter({ ...ctx, stored }, ui, m, known, { askAll: askAll || !!retry, reask: ctx.all || !!retry, previous: retry }, issues, secrets, notes);
      sections.set(name, section);
      known[name] = withDefaults(m, Object.fromEntries(section));
      if (issues.length > before || !ctx.runInitScripts || m.init.length === 0) break;
      const outcome = await ctx.runInitScripts(m, known[name] as Record<string, unknown>, meta, secrets);
      if (outcome.ok) break;
      if (!ui) {
        issues.push({
          file: m.file,
          path: 'init',
          message: `init script ${outcome.step} failed: ${outcome.message}`,
          hint: `fix ${name}'s inputs (or the credentials it checks) and run init again; --skip-init-scripts skips the check`,
        });
        break;
      }
      const choice = await ui.onInitScriptFailed(name, outcome.step ?? name);
      if (choice === 'continue') {
        notes.push(`init script ${outcome.step} failed; continued on request`);
        break;
      }
      if (choice === 'abort')
        throw new ConfigError([
          { file: m.file, path: 'init', message: `init script ${outcome.step} failed; init stopped, nothing was written`, hint: 'run "ztc init" again once the problem is fixed' },
        ]);
      retry = section;
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { platform: ctx.platform, meta, order, sections, secrets, notes };
}

async function collectPlatform(ctx: CollectContext, ui: Ui | undefined, issues: Issue[]): Promise<Record<string, unknown>> {
  const meta: Record<string, unknown> = {};
  const asked: number[] = [];
  for (let i = 0; i < PLATFORM_FIELDS.length; i++) {
    const spec = PLATFORM_FIELDS[i]!;
    const given = ctx.sources.platform.get(spec.name);
    const problems = given ? checkPlatformField(spec.name, given.value, ctx.file) : [];
    if (given && problems.length === 0 && !(ui && ctx.all)) {
      meta[spec.name] = given.value;
      continue;
    }
    if (!ui) {
      issues.push(...(given ? givenIssue(given, `platform.${spec.name}`, problems) : [missingIssue(ctx, 'platform', spec)]));
      continue;
    }
    const fallback = spec.name === 'app_name' && /^[a-z0-9][a-z0-9-]*$/.test(ctx.platform) ? ctx.platform : undefined;
    const answer = await ui.ask({
      owner: 'platform',
      spec,
      root: spec.schema,
      path: `platform.${spec.name}`,
      suggestion: given && problems.length === 0 ? given.value : fallback,
      problem: given ? `${given.file}: ${firstMessage(problems)}` : undefined,
      check: (v) => checkPlatformField(spec.name, v, ctx.file),
      canGoBack: asked.length > 0,
    });
    if (answer === BACK) {
      i = asked.pop()! - 1;
      continue;
    }
    asked.push(i);
    meta[spec.name] = answer;
  }
  return meta;
}

export type AdapterContext = CollectContext & { stored: ReadonlySet<string> };

/** Back to the last question asked: its index; the values of it and every later field are forgotten. */
function goBack(asked: number[], specs: readonly FieldSpec[], section: Map<string, unknown>): number {
  const to = asked.pop()!;
  for (const spec of specs.slice(to)) section.delete(spec.name);
  return to;
}

async function collectAdapter(
  ctx: AdapterContext,
  ui: Ui | undefined,
  m: AdapterManifest,
  known: Record<string, unknown>,
  mode: AskMode,
  issues: Issue[],
  secrets: Map<string, string>,
  notes: string[],
): Promise<Map<string, unknown>> {
  const { askAll, reask } = mode;
  const fromSources = ctx.sources.adapters.get(m.name) ?? new Map<string, Given>();
  const given = mode.previous ? new Map([...mode.previous].map(([f, value]) => [f, { value, file: 'wizard', path: `adapters.${m.name}.${f}` }])) : fromSources;
  const section = new Map<string, unknown>();
  const specs = fieldsOf(m);
  const existingSection = ctx.sources.existing.includes(m.name);
  if (ui) ui.say(`\n${m.displayName ?? m.name} (${m.name} ${m.version}): ${m.description.split('. ')[0]!.replace(/\.$/, '')}.`);
  for (const [field, g] of given) {
    if (!specs.some((s) => s.name === field)) {
      const issue: Issue = {
        file: g.file,
        path: g.path,
        message: `unknown field "${field}" (not an input of adapters/${m.name}/adapter.yaml)`,
        hint: 'remove it (the wizard drops it)',
      };
      if (ui) ui.say(`Dropping ${g.path}: not an input of ${m.name}.`);
      else issues.push(issue);
    }
  }
  // Indices of the questions asked so far, for going back one (BACK): the fields from there on are decided again.
  const asked: number[] = [];
  // The question gone back to: asked again even when it has a value by now (a secret typed a moment ago).
  let backTo = -1;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const path = `adapters.${m.name}.${spec.name}`;
    const g = given.get(spec.name);
    // Legacy inputs and inputs that do not apply given the answers so far are never asked; a value
    // they have is kept (the wizard drops one the schema refuses, saying so).
    const skipped = spec.legacy ? 'a legacy input' : !applies(spec.when, withDefaults(m, Object.fromEntries(section))) ? `only used when ${describeWhen(spec.when!)}` : undefined;
    if (spec.secret) {
      const outcome = await collectSecret(ctx, ui, m, spec, fromSources.get(spec.name), mode, issues, secrets, notes, {
        skipped,
        canGoBack: asked.length > 0,
        again: i === backTo,
      });
      if (outcome === BACK) i = (backTo = goBack(asked, specs, section)) - 1;
      else if (outcome === 'asked') asked.push(i);
      continue;
    }
    const problems = g ? checkFieldValue(m, spec.name, g.value, ctx.file, `adapters.${m.name}`) : [];
    const valid = g !== undefined && problems.length === 0;
    if (skipped !== undefined) {
      if (valid) section.set(spec.name, g.value);
      else if (g && !ui) issues.push(...givenIssue(g, path, problems));
      else if (g) ui!.say(`Dropping ${g.path}: ${firstMessage(problems)} (${skipped}, not asked).`);
      continue;
    }
    const derived = DEFAULT_FROM_KEY in spec.schema ? deriveDefault(spec.schema[DEFAULT_FROM_KEY], { ...known, [m.name]: Object.fromEntries(section) }) : undefined;
    const usableDerived = derived !== undefined && checkFieldValue(m, spec.name, derived, ctx.file, '').length === 0 ? derived : undefined;
    if (valid && !(ui && reask)) {
      section.set(spec.name, g.value);
      continue;
    }
    if (!ui) {
      if (g) issues.push(...givenIssue(g, path, problems));
      else if (!existingSection && usableDerived !== undefined) section.set(spec.name, usableDerived);
      else if (spec.required && !hasDefault(spec.schema)) {
        if (usableDerived !== undefined) section.set(spec.name, usableDerived);
        else issues.push(missingIssue(ctx, m.name, spec));
      }
      continue;
    }
    if (g === undefined && !askAll && !(spec.required && !hasDefault(spec.schema))) continue;
    const answer = await ui.ask({
      owner: m.name,
      spec,
      root: m.inputs,
      path,
      suggestion: valid ? g.value : (usableDerived ?? spec.schema.default),
      problem: g && !valid ? `${g.file}: ${firstMessage(problems)}` : undefined,
      check: (v) => checkFieldValue(m, spec.name, v, ctx.file, `adapters.${m.name}`),
      canGoBack: asked.length > 0,
    });
    if (answer === BACK) {
      i = (backTo = goBack(asked, specs, section)) - 1;
      continue;
    }
    asked.push(i);
    if (answer !== undefined) section.set(spec.name, answer);
  }
  // A value equal to the schema's default is left to render, unless platform.yaml already spells it out.
  const inFile = new Set([...fromSources].filter(([, g]) => g.file === ctx.file).map(([f]) => f));
  for (const spec of specs) {
    if (section.has(spec.name) && hasDefault(spec.schema) && sameValue(section.get(spec.name), spec.schema.default) && !inFile.has(spec.name)) section.delete(spec.name);
  }
  return section;
}
