/**
 * The engine's layers (eslint.config.mjs, docs/ARCHITECTURE.md "Layers") as ESLint enforces them: a
 * module importing a layer above its own fails lint with the layer's message, and the edges that were
 * removed (adapter → init/render, render/nx → bootstrap, src → bin) stay removed. Linted with the
 * workspace's own config; type information is switched off here (the layer rules do not need it), so a
 * source text can be linted as if it sat at a path in src/ without writing it there.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const SRC = 'tools/ztc/src';
const LAYER_RULES = ['import-x/no-restricted-paths'];

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
});

/** Layer findings of `code` linted as the file `path` (workspace-relative), as `line: rule: message`. */
async function layerFindings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.filter((m) => LAYER_RULES.includes(m.ruleId ?? '') || m.fatal).map((m) => `${m.line}: ${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('layer rules', () => {
  it('fail lint on a back-edge: render importing bootstrap, naming where state-area paths live', async () => {
    const found = await layerFindings(`${SRC}/render/back-edge.ts`, "import { planBootstrap } from '../bootstrap/plan';\nexport const x = planBootstrap;\n");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^1: import-x\/no-restricted-paths: .*render\/ is pure composition.*State-area paths live in workspace\//);
  });

  it('fail lint on each edge the engine had: adapter → init and render, nx → bootstrap, src → bin', async () => {
    const adapter = await layerFindings(
      `${SRC}/adapter/back-edge.ts`,
      "import { planInit } from '../init/run-init';\nimport { planRender } from '../render/plan';\nexport const x = [planInit, planRender];\n",
    );
    expect(adapter.map((f) => f.split(':')[0])).toEqual(['1', '2']);
    expect(adapter.every((f) => f.includes('reading adapters, platforms and the workspace layout comes before'))).toBe(true);

    const nx = await layerFindings(`${SRC}/nx/plugin/back-edge.ts`, "import { runBootstrap } from '../../bootstrap/run-bootstrap';\nexport const x = runBootstrap;\n");
    expect(nx).toEqual([expect.stringContaining('the Nx layer runs bootstrap through the ztc CLI')]);

    const bin = await layerFindings(
      `${SRC}/util/back-edge.ts`,
      "import { load } from '../../bin/run-main.js';\nconst stamp = require('../../bin/ztc.js') as unknown;\nexport const x = [load, stamp];\n",
    );
    // import statements and require() calls alike
    expect(bin).toEqual([
      expect.stringMatching(/^1: import-x\/no-restricted-paths: .*nothing in src\/ imports bin\//),
      expect.stringMatching(/^2: import-x\/no-restricted-paths: .*nothing in src\/ imports bin\//),
    ]);
  });

  it('pass the forward edges that replaced them: state-area from workspace/, the shared JavaScript from lib/', async () => {
    expect(await layerFindings(`${SRC}/render/forward-edge.ts`, "import { STATE_AREA_DIR } from '../workspace/state-area';\nexport const x = STATE_AREA_DIR;\n")).toEqual([]);
    expect(await layerFindings(`${SRC}/util/forward-edge.ts`, "const lib = require('../../lib/cache-root.js') as unknown;\nexport const x = lib;\n")).toEqual([]);
    expect(
      await layerFindings(
        `${SRC}/nx/forward-edge.ts`,
        "import { planRender } from '../render/plan';\nimport { planInit } from '../init/run-init';\nexport const x = [planRender, planInit];\n",
      ),
    ).toEqual([]);
  });

  it('find no back-edge in the files that had one', async () => {
    const files = ['adapter/read-adapter.ts', 'render/render-lock.ts', 'nx/constants.ts', 'constants.ts', 'render/render-stamp.ts', 'util/cache-file.ts'].map((f) =>
      join(ROOT, SRC, f),
    );
    const results = await eslint.lintFiles(files);
    expect(results.flatMap((r) => r.messages.filter((m) => LAYER_RULES.includes(m.ruleId ?? '')).map((m) => `${r.filePath}:${m.line}: ${m.message}`))).toEqual([]);
  });
});
