/**
 * `nx g @ztc/engine:adapter <name>`: scaffold an adapter (lib/adapter-files.ts) into the tree, under the
 * workspace's adapters root and capability contracts folder (plugin options in nx.json). Nx shows the
 * files it creates and writes nothing with --dry-run. Refuses an existing adapter and unknown required
 * capabilities, naming the option and what to do.
 */
import type { Tree } from '@nx/devkit';
import { formatFiles, logger, updateJson } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_CONTRACTS_DIR } from '../../../capability/contracts';
import { ENGINE_SCRIPT_LIB } from '../../../constants';
import { normalizeOptions } from '../../options';
import { pluginOptionsFromNxJson } from '../../../workspace/layout';
import { adapterFiles, parseStages } from './lib/adapter-files';
import { copyInstalledAdapter } from './lib/copy-installed';
import type { AdapterGeneratorSchema } from './schema';

/**
 * In a workspace set up the way Nx's TypeScript preset does it (a root tsconfig.base.json), the adapter is
 * a TypeScript project of its own: a tsconfig.json extending the base with the strict options a consumer
 * keeps (verbatimModuleSyntax, no automatic @types, nodenext), so the workspace's own `typecheck` target
 * (inferred by @nx/js/typescript) checks render.ts and its spec; output goes to dist/out-tsc, never into
 * the adapter's folder (its files are its source hash). Its files are ES modules ("type": "module")
 * where the workspace's package.json does not say so already.
 */
function typeScriptProject(tree: Tree, root: string): Record<string, string> {
  if (!tree.exists('tsconfig.base.json')) return {};
  const up = root
    .split('/')
    .map(() => '..')
    .join('/');
  const out = `${up}/dist/out-tsc/${root}`;
  const files: Record<string, string> = {
    [`${root}/tsconfig.json`]: `${JSON.stringify(
      {
        extends: `${up}/tsconfig.base.json`,
        compilerOptions: {
          rootDir: '.',
          outDir: out,
          tsBuildInfoFile: `${out}/tsconfig.tsbuildinfo`,
          strict: true,
          verbatimModuleSyntax: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: [],
        },
        include: ['**/*.ts'],
      },
      null,
      2,
    )}\n`,
  };
  const rootType = tree.exists('package.json') ? (JSON.parse(tree.read('package.json', 'utf8')!) as { type?: string }).type : undefined;
  if (rootType !== 'module') files[`${root}/package.json`] = `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`;
  return files;
}

/**
 * The workspace's formatter (formatFiles) over what the generator wrote, except the adapter's templates:
 * they are filled in as written (a formatter would read `{{ config.x }}` as YAML flow mappings).
 */
async function formatKeepingTemplates(tree: Tree, root: string): Promise<void> {
  const templates = tree
    .listChanges()
    .filter((c) => c.type !== 'DELETE' && c.path.startsWith(`${root}/templates/`))
    .map((c) => [c.path, c.content!] as const);
  await formatFiles(tree);
  for (const [path, content] of templates) tree.write(path, content);
}

/** The workspace's root tsconfig.json lists its TypeScript projects (`references`, as `nx sync` keeps them): the adapter joins. */
function addProjectReference(tree: Tree, root: string): void {
  if (!tree.exists('tsconfig.json')) return;
  updateJson<{ references?: { path: string }[] }>(tree, 'tsconfig.json', (json) => {
    if (!Array.isArray(json.references) || json.references.some((r) => r.path === `./${root}` || r.path === root)) return json;
    return { ...json, references: [...json.references, { path: `./${root}` }] };
  });
}

export async function adapterGenerator(tree: Tree, options: AdapterGeneratorSchema): Promise<void> {
  const name = options.name;
  const plugin = normalizeOptions(pluginOptionsFromNxJson(tree.read('nx.json', 'utf8'), tree.root));
  const targets = plugin.targets;
  const root = `${plugin.adaptersRoot}/${name}`;
  const contracts = plugin.capabilitiesRoot;
  const hasContract = (c: string): boolean => tree.exists(`${contracts}/${c}.json`) || existsSync(join(BUILTIN_CONTRACTS_DIR, `${c}.json`));
  if (tree.exists(`${root}/adapter.yaml`)) throw new Error(`--name: ${root} already exists; choose another name`);
  if (options.from !== undefined) {
    const copied = copyInstalledAdapter(tree, options.from, name, root);
    await formatKeepingTemplates(tree, root);
    // Under the package's adapter name the copy replaces the package; under another it is an adapter beside it.
    const effect =
      copied.adapterName === name
        ? `this workspace's adapter "${name}" now wins over the package (ztc render says so)`
        : `a new adapter "${name}" beside the package's "${copied.adapterName}" (use "${name}" under adapters: of a platform to render it)`;
    logger.info(`${root}/ is a copy of ${options.from}: ${effect}. Next: nx run ${name}:${targets.lint}.`);
    return;
  }
  const requires = (options.requires ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const missing = requires.filter((r) => !hasContract(r));
  if (missing.length) throw new Error(`--requires: no contract for ${missing.join(', ')} in ${contracts}/ or the engine's (add one or fix the name)`);
  const { stages, unknown } = parseStages(options.stages ?? 'bootstrap,validation');
  if (unknown.length) throw new Error(`--stages: unknown stage(s) ${unknown.join(', ')} (expected pre-work, bootstrap, post-work, validation)`);
  const files = adapterFiles({
    name,
    root,
    contractsDir: contracts,
    engineLib: ENGINE_SCRIPT_LIB,
    description: options.description?.trim() || `The ${name} adapter.`,
    provides: options.provides,
    requires,
    selectionGroup: options.selectionGroup,
    stages,
    newContract: options.provides !== undefined && !hasContract(options.provides),
  });
  Object.assign(files, typeScriptProject(tree, root));
  if (files[`${root}/tsconfig.json`] !== undefined) addProjectReference(tree, root);
  for (const [path, content] of Object.entries(files)) tree.write(path, content, path.endsWith('.sh') ? { mode: 0o755 } : undefined);
  await formatKeepingTemplates(tree, root);
  logger.info(`Next: add "${name}: {}" under adapters: of a platform (or "ztc init <platform>"), then "nx run ${name}:${targets.lint}" and "nx run ${name}:${targets.test}".`);
}

export default adapterGenerator;
