/**
 * `ztc init` from start to finish: read what exists (adapters, platform.yaml, answers file, flags, env),
 * decide every value (collect.ts; the wizard asks, non-interactive modes never do), build the new
 * platform.yaml text, check it as render will, show the diff, then write atomically: platform.yaml, its
 * JSON Schema for editors, and the secrets into the secrets file outside the workspace. Nothing is
 * written when nothing changed, when a check fails, or when the user declines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve as resolvePath } from 'node:path';
import { PLATFORM_FILE } from '../constants';
import { ConfigError, UsageError } from '../errors';
import { checkPlatformShape, platformFromData } from '../platform/read-platform';
import { resolve } from '../resolve/resolver';
import { assertOutsideWorkspace, readEnvFile, secretsFilePath, updateEnvFile } from '../secrets/env-file';
import { platformJsonSchema, serializeSchema } from '../schema/platform-schema';
import { writeFileAtomic } from '../util/atomic-write';
import { parseYaml } from '../util/yaml';
import { listPlatforms, platformPath } from '../workspace/workspace';
import { loadCatalog, providersOf, type Catalog } from './catalog';
import { collectInit, type CollectContext } from './collect';
import { unifiedDiff } from '../util/diff';
import { Masker } from '../bootstrap/masker';
import { fieldsOf, sameValue } from './fields';
import { initScriptRunner, secretNames } from './init-scripts';
import { MODELINE, platformYaml, SCHEMA_FILE } from './platform-document';
import type { Prompter } from './prompter';
import { collectSources } from './sources';
import type { InitResult } from './types';
import { createWizardUi } from './wizard-ui';

export const PLATFORM_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export interface InitOptions {
  workspaceRoot: string;
  /** Platform name; without it the wizard asks which, and the non-interactive modes stop (exit 64). */
  platform?: string;
  /** `--answers FILE`, relative to `cwd`. */
  answersFile?: string;
  set: readonly string[];
  /** `--all`: ask every input again (wizard only). */
  all: boolean;
  skipInitScripts: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  io: { out: (line: string) => void; err: (line: string) => void };
  /** Present: interactive (a terminal, and no --non-interactive). */
  prompter?: Prompter;
  tmpRoot?: string;
}

/** What init would write, decided without writing anything (shared with the Nx platform generator). */
export interface InitPlan {
  platform: string;
  file: string;
  before: string | undefined;
  after: string;
  schema: string;
  result: InitResult;
  catalog: Catalog;
}

const NAME_RULE = 'lowercase letters, digits, "-" and "_", starting with a letter or digit';
const NEW_PLATFORM = '\0new';

/**
 * The platform init works on. Without a name it never picks one by itself: in a terminal it asks (an
 * existing platform or a new one); otherwise it stops with exit 64, naming the platforms there are.
 */
async function platformName(opts: InitOptions): Promise<string> {
  let name = opts.platform;
  if (name === undefined) {
    const existing = listPlatforms(opts.workspaceRoot);
    if (!opts.prompter) {
      throw new UsageError(
        existing.length === 0
          ? 'no platform exists yet; name the new one: ztc init <platform>'
          : `name the platform to initialise: ztc init <platform> (platforms: ${existing.join(', ')}; a new name creates that platform)`,
      );
    }
    const choice =
      existing.length === 0
        ? NEW_PLATFORM
        : await opts.prompter.select({
            message: 'Which platform?',
            choices: [...existing.map((p) => ({ name: p, value: p })), { name: 'A new platform', value: NEW_PLATFORM }],
            default: existing[0],
          });
    name =
      choice !== NEW_PLATFORM
        ? choice
        : await opts.prompter.text({
            message: 'Name of the new platform (folder under platforms/)',
            default: existing.includes('main') ? undefined : 'main',
            validate: (v) => (!PLATFORM_NAME.test(v) ? NAME_RULE : existing.includes(v) ? `${v} exists already; choose it from the list instead` : true),
          });
  }
  if (!PLATFORM_NAME.test(name)) throw new UsageError(`invalid platform name "${name}": use ${NAME_RULE}`);
  return name;
}

function readYamlText(abs: string, display: string): { text: string; data: unknown } {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw ConfigError.one({ file: display, path: '', message: `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, hint: 'check the path given to --answers' });
  }
  return { text, data: parseYaml({ file: display, text }) };
}

/** Decide everything and build the texts; writes nothing. Throws ConfigError with every problem. */
export async function planInit(opts: InitOptions): Promise<InitPlan> {
  const platform = await platformName(opts);
  const file = `${platformPath(opts.workspaceRoot, platform)}/${PLATFORM_FILE}`;
  const abs = join(opts.workspaceRoot, file);
  const catalog = loadCatalog(opts.workspaceRoot);
  const existing = existsSync(abs) ? readYamlText(abs, file) : undefined;
  const answers = opts.answersFile !== undefined ? readYamlText(resolvePath(opts.cwd, opts.answersFile), opts.answersFile) : undefined;
  const sources = collectSources({
    catalog: catalog.adapters,
    set: opts.set,
    env: opts.env,
    answers: answers && { file: opts.answersFile!, data: answers.data },
    existing: existing && { file, data: existing.data },
  });
  if (opts.prompter && sources.issues.length > 0) throw new ConfigError(sources.issues);
  const allSecrets = new Set([...catalog.adapters.values()].flatMap((m) => [...secretNames(m)]));
  const storedFor = (meta: Record<string, unknown>) => readEnvFile(secretsPath(opts, platform, meta));
  const run = opts.skipInitScripts
    ? undefined
    : (m: Parameters<NonNullable<CollectContext['runInitScripts']>>[0], config: Record<string, unknown>, meta: Record<string, unknown>, typed: ReadonlyMap<string, string>) =>
        initScriptRunner({ workspaceRoot: opts.workspaceRoot, platform, env: opts.env, stored: storedFor(meta), io: opts.io, secretNames: allSecrets, tmpRoot: opts.tmpRoot })(
          m,
          config,
          meta,
          typed,
        );
  const ui = opts.prompter && createWizardUi(opts.prompter, opts.io.out);
  const result = await collectInit(
    { platform, file, catalog, sources, exists: existing !== undefined, all: opts.all, env: opts.env, storedFor: (meta) => new Set(storedFor(meta).keys()), runInitScripts: run },
    ui,
  );
  let after = platformYaml(existing?.text, result, (a) => fieldsOf(catalog.adapters.get(a)!).map((f) => f.name));
  // Same content: keep the file's bytes (only the modeline is added), whatever the YAML printer would change.
  if (existing && sameValue(existing.data, parseYaml({ file, text: after }))) after = existing.text.startsWith(`${MODELINE}\n`) ? existing.text : `${MODELINE}\n${existing.text}`;
  checkAsRender(opts.workspaceRoot, platform, file, after, catalog);
  const schema = serializeSchema(
    platformJsonSchema(
      platform,
      result.order.map((a) => catalog.adapters.get(a)!),
    ),
  );
  return { platform, file, before: existing?.text, after, schema, result, catalog };
}

function secretsPath(opts: InitOptions, platform: string, meta: Record<string, unknown>): string {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const path = secretsFilePath(opts.env, { platform, organization: str(meta.organization), app_name: str(meta.app_name) });
  assertOutsideWorkspace(path, opts.workspaceRoot);
  return path;
}

/** The text init is about to write goes through render's own checks: schema, sections, capabilities. */
function checkAsRender(root: string, platform: string, file: string, text: string, catalog: Catalog): void {
  const loaded = platformFromData(root, platform, file, Buffer.from(text), checkPlatformShape(parseYaml({ file, text }), file));
  resolve(loaded.adapters, { file, candidatesFor: (c) => providersOf(catalog.adapters, c) });
}

/** Write what the plan says (atomically, each file only when it changed); returns the lines to report. */
export function applyInit(opts: InitOptions, plan: InitPlan): string[] {
  const report: string[] = [];
  const dir = join(opts.workspaceRoot, platformPath(opts.workspaceRoot, plan.platform));
  if (plan.result.secrets.size > 0) {
    const path = secretsPath(opts, plan.platform, plan.result.meta);
    const changed = updateEnvFile(path, plan.result.secrets);
    const names = [...plan.result.secrets.keys()].sort().join(', ');
    report.push(`${changed ? 'Stored' : 'Unchanged'}: ${names} in ${path} (mode 0600, outside the workspace).`);
    report.push('  ztc bootstrap reads them from there when the environment does not set them (the environment wins).');
  }
  if (plan.before !== plan.after) {
    writeFileAtomic(join(opts.workspaceRoot, plan.file), plan.after);
    report.push(`Wrote ${plan.file}.`);
  } else report.push(`${plan.file}: up to date.`);
  const schemaAbs = join(dir, SCHEMA_FILE);
  if (!existsSync(schemaAbs) || readFileSync(schemaAbs, 'utf8') !== plan.schema) {
    writeFileAtomic(schemaAbs, plan.schema);
    report.push(`Wrote ${relative(opts.workspaceRoot, schemaAbs)} (JSON Schema for editors; see the modeline in platform.yaml).`);
  }
  return report;
}

/**
 * Masks every secret value init knows of in what it prints: the values given or typed, and those the
 * platform.yaml before init held in secret inputs (moved to the secrets file, or dropped): its diff shows them.
 */
function secretMasker(plan: InitPlan): Masker {
  const values = [...plan.result.secrets.values()];
  const before = plan.before === undefined ? undefined : (parseYaml({ file: plan.file, text: plan.before }) as { adapters?: unknown } | null);
  const adapters = before?.adapters && typeof before.adapters === 'object' ? (before.adapters as Record<string, unknown>) : {};
  for (const [name, section] of Object.entries(adapters)) {
    const m = plan.catalog.adapters.get(name);
    if (!m || !section || typeof section !== 'object') continue;
    for (const f of fieldsOf(m)) {
      const value = (section as Record<string, unknown>)[f.name];
      if (f.secret && typeof value === 'string') values.push(value);
    }
  }
  return new Masker(values);
}

export async function runInit(opts: InitOptions): Promise<number> {
  const plan = await planInit(opts);
  const diff = secretMasker(plan).mask(unifiedDiff(plan.before ?? '', plan.after, plan.file));
  const out = opts.io.out;
  if (diff !== '' && opts.prompter) {
    if (!(await createWizardUi(opts.prompter, out).confirmWrite(plan.file, diff))) {
      out(`Nothing written (${plan.file} is unchanged).`);
      return 0;
    }
  } else if (diff !== '') for (const line of diff.split('\n')) out(line);
  for (const line of applyInit(opts, plan)) out(line);
  for (const note of plan.result.notes) out(`Note: ${note}`);
  out(`Next: npx ztc render ${plan.platform}`);
  return 0;
}
