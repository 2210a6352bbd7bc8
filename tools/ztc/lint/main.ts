/**
 * The engine project's `lint` target (tools/ztc/project.json): package checks (check-package.ts) and
 * shellcheck on the script library every adapter script sources. Exit 1 with one line per problem.
 */
import { join } from 'node:path';
import { runShellcheck } from '../src/nx/executors/lint/lib/shellcheck';
import { checkPackage } from './check-package';

const ENGINE = join(__dirname, '..');

async function main(): Promise<number> {
  const problems = checkPackage(ENGINE);
  const sc = await runShellcheck(join(ENGINE, 'scripts'), ['ztc.sh']);
  if (sc.failure) problems.push(sc.failure);
  problems.push(...sc.findings.map((f) => `scripts/${f}`));
  for (const p of problems) process.stderr.write(`error: ${p}\n`);
  process.stdout.write(`tools/ztc: ${problems.length === 0 ? 'ok' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`} (package.json, executors, generators, schemas, contracts, dependencies, scripts/ztc.sh)\n`);
  return problems.length === 0 ? 0 : 1;
}

void main().then((code) => {
  process.exitCode = code;
});
