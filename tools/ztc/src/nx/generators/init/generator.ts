/**
 * `nx g @ztc/engine:init`, which `nx add @ztc/engine` runs: register the plugin in nx.json by package
 * name (`@ztc/engine/plugin`; a registration by path into the package is rewritten), merge the given
 * options into it, keep each platform's state area (`<platformsRoot>/*\/.ztc`) out of git, and say what
 * to do next. Run again with other options to move the roots or rename the targets; it changes nothing
 * when nothing changes.
 *
 * Target names: like Nx's own inferring plugins, init avoids names the workspace already configures.
 * When it first registers the plugin and nx.json's targetDefaults, the root package.json's scripts or a project.json already use `lint`,
 * `test`, `render`, `validate` or `bootstrap`, it sets `targetPrefix: "ztc-"` (unless one is given), so
 * ZTC's tasks never inherit another tool's defaults and `nx run-many -t test` keeps meaning the
 * workspace's own tests.
 */
import { createProjectGraphAsync, formatFiles, getProjects, logger, readNxJson, updateNxJson, workspaceRoot, type Tree } from '@nx/devkit';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_NAME } from '../../../constants';
import { findPluginEntry } from '../../../workspace/layout';
import { DEFAULT_TARGET_NAMES, normalizeOptions, type ZtcPluginOptions } from '../../options';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN = `${PACKAGE_NAME}/plugin`;
export const AUTO_PREFIX = 'ztc-';
const OPTION_KEYS = ['adaptersRoot', 'platformsRoot', 'capabilitiesRoot', 'targetPrefix'] as const;

/**
 * Target names the workspace already configures: targetDefaults, root scripts, project.json targets and,
 * when the generator runs in the workspace on disk (`nx add`, `nx g`), every target of the project graph,
 * so the ones other plugins infer (@nx/vite's `test`, @nx/eslint's `lint`) count too.
 */
export async function takenTargetNames(tree: Tree): Promise<string[]> {
  const ours: string[] = Object.values(DEFAULT_TARGET_NAMES);
  const taken = new Set<string>(Object.keys(readNxJson(tree)?.targetDefaults ?? {}));
  if (tree.exists('package.json')) {
    const pkg = JSON.parse(tree.read('package.json', 'utf8')!) as { scripts?: Record<string, string> };
    for (const s of Object.keys(pkg.scripts ?? {})) taken.add(s);
  }
  for (const [, project] of getProjects(tree)) for (const t of Object.keys(project.targets ?? {})) taken.add(t);
  for (const t of await graphTargetNames(tree)) taken.add(t);
  return ours.filter((n) => taken.has(n));
}

/** Target names of the workspace's project graph (inferred ones included), or none when the tree is not the workspace Nx runs in. */
async function graphTargetNames(tree: Tree): Promise<string[]> {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  if (!existsSync(join(tree.root, 'nx.json')) || real(tree.root) !== real(workspaceRoot)) return [];
  try {
    const graph = await createProjectGraphAsync({ exitOnError: false });
    return Object.values(graph.nodes).flatMap((n) => Object.keys(n.data.targets ?? {}));
  } catch {
    return []; // a graph that cannot be built: Nx reports it on the next command; the other sources still count
  }
}

export async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = [...(nxJson.plugins ?? [])];
  const found = findPluginEntry({ plugins }, tree.root);
  const index = found ? plugins.findIndex((p) => (typeof p === 'string' ? p : p.plugin) === found.plugin) : -1;
  const options: ZtcPluginOptions = { ...(found?.options as ZtcPluginOptions | undefined) };
  for (const key of OPTION_KEYS) if (schema[key] !== undefined) options[key] = schema[key];
  if (!found && options.targetPrefix === undefined) {
    const taken = await takenTargetNames(tree);
    if (taken.length > 0) {
      options.targetPrefix = AUTO_PREFIX;
      logger.info(
        `The workspace already configures ${taken.join(', ')}: ZTC's targets are prefixed "${AUTO_PREFIX}" (${taken.map((t) => AUTO_PREFIX + t).join(', ')}). Change targetPrefix in nx.json to choose.`,
      );
    }
  }
  const normalized = normalizeOptions(options); // refuses bad roots and names before anything is written
  const entry = { plugin: PLUGIN, options };
  if (index === -1) plugins.push(entry);
  else plugins[index] = entry;
  updateNxJson(tree, { ...nxJson, plugins });
  ignoreStateArea(tree, normalized.platformsRoot);
  ignoreForPrettier(tree, normalized.platformsRoot, normalized.adaptersRoot);
  keepOutOfRelease(tree);
  const t = normalized.targets;
  logger.info(
    [
      `ZTC: adapters in ${normalized.adaptersRoot}/, platforms in ${normalized.platformsRoot}/, capability contracts in ${normalized.capabilitiesRoot}/ (and the ones ${PACKAGE_NAME} ships).`,
      `Next: nx g ${PACKAGE_NAME}:adapter <name>, nx g ${PACKAGE_NAME}:platform <name>, then nx run <platform>:${t.render}; nx graph shows the adapters and platforms.`,
    ].join('\n'),
  );
  await formatFiles(tree);
}

/** Append to `file` the `lines` it lacks, under `header`. */
function appendLines(tree: Tree, file: string, header: string, lines: string[]): void {
  const text = tree.exists(file) ? tree.read(file, 'utf8')! : '';
  const have = new Set(text.split('\n').map((l) => l.trim()));
  const missing = lines.filter((l) => !have.has(l));
  if (missing.length === 0) return;
  tree.write(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${header}\n${missing.join('\n')}\n`);
}

/**
 * `.prettierignore` gets what ZTC writes and compares byte for byte (`nx format` would otherwise change
 * what validate checks): each platform's platform.yaml (ztc init keeps its layout and comments),
 * generated/, pipeline.yaml and lock.json, and the adapters' templates (filled in as they are).
 */
function ignoreForPrettier(tree: Tree, platformsRoot: string, adaptersRoot: string): void {
  appendLines(tree, '.prettierignore', '# ZTC: written by ztc init / ztc render and compared byte for byte by ztc validate; templates are filled in as written', [
    `${platformsRoot}/*/platform.yaml`,
    `${platformsRoot}/*/platform.schema.json`,
    `${platformsRoot}/*/generated`,
    `${platformsRoot}/*/pipeline.yaml`,
    `${platformsRoot}/*/lock.json`,
    `${adaptersRoot}/*/templates`,
  ]);
}

/**
 * ZTC's adapters and platforms are no npm packages of the workspace (an adapter is published from its
 * own package, tools/ztc/build/pack-adapter.js): a release configuration that selects every project
 * (`release.projects` with "*") leaves them out by tag.
 */
function keepOutOfRelease(tree: Tree): void {
  const nxJson = readNxJson(tree);
  const projects = nxJson?.release?.projects;
  if (projects === undefined) return;
  const list = typeof projects === 'string' ? [projects] : [...projects];
  if (!list.includes('*')) return;
  const exclusions = ['!tag:type:adapter', '!tag:type:platform'].filter((e) => !list.includes(e));
  if (exclusions.length === 0) return;
  updateNxJson(tree, { ...nxJson, release: { ...nxJson!.release, projects: [...list, ...exclusions] } });
}

/** `.gitignore` gets `<platformsRoot>/*\/.ztc` (render intermediates, receipts, logs: Nx outputs, not sources). */
function ignoreStateArea(tree: Tree, platformsRoot: string): void {
  const line = `${platformsRoot}/*/.ztc`;
  const text = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf8')! : '';
  if (text.split('\n').some((l) => l.trim() === line || l.trim() === `/${line}`)) return;
  tree.write('.gitignore', `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# ZTC: per-platform state (render intermediates, receipts, logs)\n${line}\n`);
}

export default initGenerator;
