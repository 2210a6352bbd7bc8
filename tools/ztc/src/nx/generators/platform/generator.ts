/**
 * `nx g @ztc/engine:platform <name>`: the non-interactive `ztc init` as a generator. The same planning
 * (run-init.ts planInit) decides every value from the options, the answers file, --set values,
 * ZTC_<ADAPTER>_<FIELD> variables and the existing platform.yaml, so the bytes are the ones `ztc init
 * --non-interactive` writes. A generator only changes the tree: it runs no init scripts and stores no
 * secret (use `ztc init` in a terminal, or export them for bootstrap). Adapter inputs are not prompted
 * for; a missing or invalid one fails with the full list, as `ztc init --non-interactive` does.
 */
import type { Tree } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { describeError } from '../../executors/report-error';
import { planInit } from '../../../init/run-init';
import { SCHEMA_FILE } from '../../../init/platform-document';
import { dirname } from 'node:path';
import type { PlatformGeneratorSchema } from './schema';
import { normalizeOptions } from '../../options';
import { pluginOptionsFromNxJson } from '../../../workspace/layout';

export async function platformGenerator(tree: Tree, options: PlatformGeneratorSchema): Promise<void> {
  const set = [...(options.set ?? [])];
  if (options.organization) set.unshift(`platform.organization=${options.organization}`);
  if (options.appName) set.unshift(`platform.app_name=${options.appName}`);
  let plan;
  try {
    plan = await planInit({
      workspaceRoot: tree.root,
      platform: options.name,
      answersFile: options.answers,
      set,
      all: false,
      skipInitScripts: true,
      env: process.env,
      cwd: tree.root,
      io: { out: (l) => logger.info(l), err: (l) => logger.error(l) },
    });
  } catch (e) {
    throw new Error(describeError(e), { cause: e });
  }
  // Not formatted (no formatFiles): the same bytes as `ztc init` and `ztc schema` write (init's
  // .prettierignore lists both), or the next of those would write them again.
  if (plan.before !== plan.after) tree.write(plan.file, plan.after);
  tree.write(`${dirname(plan.file)}/${SCHEMA_FILE}`, plan.schema);
  for (const note of plan.result.notes) logger.info(`Note: ${note}`);
  if (plan.result.secrets.size > 0)
    logger.warn(
      `Secrets (${[...plan.result.secrets.keys()].join(', ')}) are not stored by the generator: run "ztc init ${plan.platform}" in a terminal, or export them for bootstrap.`,
    );
  const targets = normalizeOptions(pluginOptionsFromNxJson(tree.read('nx.json', 'utf8'), tree.root)).targets;
  logger.info(`Next: nx run ${plan.platform}:${targets.render}`);
}

export default platformGenerator;
