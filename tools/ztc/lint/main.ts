/**
 * The engine project's `lint` target (tools/ztc/project.json): package checks (check-package.ts) and
 * shellcheck and shfmt on the script library every adapter script sources, and the library's bats specs
 * (scripts/test). Exit 1 with one line per problem.
 * Started by lint/run.js (bin/run-main.js).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBats } from '../src/nx/executors/lint/lib/bats';
import { runShellcheck } from '../src/nx/executors/lint/lib/shellcheck';
import { runShfmt } from '../src/nx/executors/lint/lib/shfmt';
import { checkPackage, checkPackedFiles, type PackageJson } from './check-package';

const ENGINE = join(__dirname, '..');

/** The files `npm pack` of the engine would ship (its build, dist/, made by the `build` target first). */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ENGINE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

export async function main(): Promise<number> {
  const problems = checkPackage(ENGINE);
  problems.push(...checkPackedFiles(JSON.parse(readFileSync(join(ENGINE, 'package.json'), 'utf8')) as PackageJson, packedFiles()));
  const sc = await runShellcheck(join(ENGINE, 'scripts'), ['ztc.sh']);
  if (sc.failure) problems.push(sc.failure);
  problems.push(...sc.findings.map((f) => `scripts/${f}`));
  const fmt = await runShfmt(join(ENGINE, 'scripts'), ['ztc.sh', 'test/helper.bash']);
  if (fmt.failure) problems.push(fmt.failure);
  problems.push(...fmt.findings.map((f) => `scripts/${f}`));
  const bats = await runBats(join(ENGINE, '..', '..'), join(ENGINE, 'scripts', 'test'));
  if (bats.failure) problems.push(bats.failure);
  problems.push(...bats.findings.map((f) => `scripts/test: ${f}`));
  for (const p of problems) process.stderr.write(`error: ${p}\n`);
  process.stdout.write(
    `tools/ztc: ${problems.length === 0 ? 'ok' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`} (package.json, npm pack, executors, generators, schemas, contracts, dependencies, scripts/ztc.sh, its bats specs)\n`,
  );
  return problems.length === 0 ? 0 : 1;
}
