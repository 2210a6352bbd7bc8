/**
 * `nx g @ztc/engine:adapter <name>`: scaffold an adapter (lib/adapter-files.ts) into the tree. Nx shows
 * the files it creates and writes nothing with --dry-run. Refuses an existing adapter and unknown
 * required capabilities, naming the option and what to do.
 */
import type { Tree } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { CONTRACTS_DIR } from '../../../capability/contracts';
import { ADAPTERS_DIR } from '../../../constants';
import { adapterFiles, parseStages } from './lib/adapter-files';
import type { AdapterGeneratorSchema } from './schema';

export async function adapterGenerator(tree: Tree, options: AdapterGeneratorSchema): Promise<void> {
  const name = options.name;
  if (tree.exists(`${ADAPTERS_DIR}/${name}/adapter.yaml`)) throw new Error(`--name: adapters/${name} already exists; choose another name`);
  const requires = (options.requires ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const missing = requires.filter((r) => !tree.exists(`${CONTRACTS_DIR}/${r}.json`));
  if (missing.length) throw new Error(`--requires: no contract for ${missing.join(', ')} in ${CONTRACTS_DIR}/ (add one or fix the name)`);
  const { stages, unknown } = parseStages(options.stages ?? 'bootstrap,validation');
  if (unknown.length) throw new Error(`--stages: unknown stage(s) ${unknown.join(', ')} (expected pre-work, bootstrap, post-work, validation)`);
  const files = adapterFiles({
    name,
    description: options.description?.trim() || `The ${name} adapter.`,
    provides: options.provides,
    requires,
    selectionGroup: options.selectionGroup,
    stages,
    newContract: options.provides !== undefined && !tree.exists(`${CONTRACTS_DIR}/${options.provides}.json`),
  });
  for (const [path, content] of Object.entries(files)) tree.write(path, content, path.endsWith('.sh') ? { mode: 0o755 } : undefined);
  logger.info(`Next: add "${name}: {}" under adapters: of a platform (or "ztc init <platform>"), then "nx run ${name}:lint" and "nx run ${name}:test".`);
}

export default adapterGenerator;
