/**
 * `nx g @ztc/engine:adapter <name>`: scaffold an adapter (lib/adapter-files.ts) into the tree, under the
 * workspace's adapters root and capability contracts folder (plugin options in nx.json). Nx shows the
 * files it creates and writes nothing with --dry-run. Refuses an existing adapter and unknown required
 * capabilities, naming the option and what to do.
 */
import type { Tree } from '@nx/devkit';
import { formatFiles, logger } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_CONTRACTS_DIR } from '../../../capability/contracts';
import { ENGINE_SCRIPT_LIB } from '../../../constants';
import { normalizeOptions } from '../../options';
import { pluginOptionsFromNxJson } from '../../../workspace/layout';
import { adapterFiles, parseStages } from './lib/adapter-files';
import { copyInstalledAdapter } from './lib/copy-installed';
import type { AdapterGeneratorSchema } from './schema';

export async function adapterGenerator(tree: Tree, options: AdapterGeneratorSchema): Promise<void> {
  const name = options.name;
  const plugin = normalizeOptions(pluginOptionsFromNxJson(tree.read('nx.json', 'utf8'), tree.root));
  const targets = plugin.targets;
  const root = `${plugin.adaptersRoot}/${name}`;
  const contracts = plugin.capabilitiesRoot;
  const hasContract = (c: string): boolean => tree.exists(`${contracts}/${c}.json`) || existsSync(join(BUILTIN_CONTRACTS_DIR, `${c}.json`));
  if (tree.exists(`${root}/adapter.yaml`)) throw new Error(`--name: ${root} already exists; choose another name`);
  if (options.from !== undefined) {
    copyInstalledAdapter(tree, options.from, name, root);
    await formatFiles(tree);
    logger.info(`${root}/ is a copy of ${options.from}: this workspace's adapter "${name}" now wins over the package (ztc render says so). Next: nx run ${name}:${targets.lint}.`);
    return;
  }
  const requires = (options.requires ?? '').split(',').map((s) => s.trim()).filter(Boolean);
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
  for (const [path, content] of Object.entries(files)) tree.write(path, content, path.endsWith('.sh') ? { mode: 0o755 } : undefined);
  await formatFiles(tree);
  logger.info(`Next: add "${name}: {}" under adapters: of a platform (or "ztc init <platform>"), then "nx run ${name}:${targets.lint}" and "nx run ${name}:${targets.test}".`);
}

export default adapterGenerator;
