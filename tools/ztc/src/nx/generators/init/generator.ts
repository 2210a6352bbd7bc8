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
import { getProjects, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { PACKAGE_NAME } from '../../../constants';
import { findPluginEntry } from '../../../workspace/layout';
import { DEFAULT_TARGET_NAMES, normalizeOptions, type ZtcPluginOptions } from '../../options';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN = `${PACKAGE_NAME}/plugin`;
export const AUTO_PREFIX = 'ztc-';
const OPTION_KEYS = ['adaptersRoot', 'platformsRoot', 'capabilitiesRoot', 'targetPrefix'] as const;

/** Target names the workspace already configures (targetDefaults, root scripts, project.json targets). */
export function takenTargetNames(tree: Tree): string[] {
  const ours: string[] = Object.values(DEFAULT_TARGET_NAMES);
  const taken = new Set<string>(Object.keys(readNxJson(tree)?.targetDefaults ?? {}));
  if (tree.exists('package.json')) {
    const pkg = JSON.parse(tree.read('package.json', 'utf8')!) as { scripts?: Record<string, string> };
    for (const s of Object.keys(pkg.scripts ?? {})) taken.add(s);
  }
  for (const [, project] of getProjects(tree)) for (const t of Object.keys(project.targets ?? {})) taken.add(t);
  return ours.filter((n) => taken.has(n));
}

export async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = [...(nxJson.plugins ?? [])];
  const found = findPluginEntry({ plugins }, tree.root);
  const index = found ? plugins.findIndex((p) => (typeof p === 'string' ? p : p.plugin) === found.plugin) : -1;
  const options: ZtcPluginOptions = { ...(found?.options as ZtcPluginOptions | undefined) };
  for (const key of OPTION_KEYS) if (schema[key] !== undefined) options[key] = schema[key];
  if (!found && options.targetPrefix === undefined) {
    const taken = takenTargetNames(tree);
    if (taken.length > 0) {
      options.targetPrefix = AUTO_PREFIX;
      logger.info(`The workspace already configures ${taken.join(', ')}: ZTC's targets are prefixed "${AUTO_PREFIX}" (${taken.map((t) => AUTO_PREFIX + t).join(', ')}). Change targetPrefix in nx.json to choose.`);
    }
  }
  const normalized = normalizeOptions(options); // refuses bad roots and names before anything is written
  const entry = { plugin: PLUGIN, options };
  if (index === -1) plugins.push(entry);
  else plugins[index] = entry;
  updateNxJson(tree, { ...nxJson, plugins });
  ignoreStateArea(tree, normalized.platformsRoot);
  const t = normalized.targets;
  logger.info(
    [
      `ZTC: adapters in ${normalized.adaptersRoot}/, platforms in ${normalized.platformsRoot}/, capability contracts in ${normalized.capabilitiesRoot}/ (and the ones ${PACKAGE_NAME} ships).`,
      `Next: nx g ${PACKAGE_NAME}:adapter <name>, nx g ${PACKAGE_NAME}:platform <name>, then nx run <platform>:${t.render}; nx graph shows the adapters and platforms.`,
    ].join('\n'),
  );
}

/** `.gitignore` gets `<platformsRoot>/*\/.ztc` (render intermediates, receipts, logs: Nx outputs, not sources). */
function ignoreStateArea(tree: Tree, platformsRoot: string): void {
  const line = `${platformsRoot}/*/.ztc`;
  const text = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf8')! : '';
  if (text.split('\n').some((l) => l.trim() === line || l.trim() === `/${line}`)) return;
  tree.write('.gitignore', `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# ZTC: per-platform state (render intermediates, receipts, logs)\n${line}\n`);
}

export default initGenerator;
