/**
 * Adopting ZTC from packages, the way a user meets it today: a fresh Nx 24 workspace as the TypeScript
 * preset makes one (TypeScript 6, inferred @nx/js, @nx/vitest and @nx/eslint targets, a root vitest
 * config with test projects, prettier; the files written here since create-nx-workspace needs the
 * network), with the packed engine and the hetzner, talos and cilium adapter packages installed (no
 * adapters folder copied), then: nx g init, ztc init and render (the example's bytes), a generated adapter
 * under the workspace's strict TypeScript, the workspace's own lint/test/typecheck, nx format:check; a
 * pnpm install of the same tarballs; `require` and `import` of @ztc/engine from Node 20, 22 and 24.
 * Packages come from the npm registry (npm's cache when it has them).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../nx/workspace';
import { adoptEnv } from './adopt-env';

const MINUTE = 60_000;
const NX_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.nx!;
const ADAPTERS = ['hetzner', 'talos', 'cilium'];
/** The version of the repository's adapter `name`, as its tarball carries it. */
const adapterVersion = (name: string): string => (JSON.parse(readFileSync(join(REPO, 'adapters', name, 'package.json'), 'utf8')) as { version: string }).version;
const ANSWERS = `platform:
  organization: acme
  app_name: acme-platform
adapters:
  hetzner:
    server_ips: [203.0.113.10, 203.0.113.11, 203.0.113.12]
    location: fsn1
    rescue_mode_confirm: true
  talos:
    cluster_name: prod
    cluster_endpoint: 203.0.113.10:6443
    nodes:
      - { name: cp-1, ip: 203.0.113.10, role: controlplane }
      - { name: worker-1, ip: 203.0.113.11, role: worker }
      - { name: worker-2, ip: 203.0.113.12, role: worker }
  cilium:
    version: v1.18.5
`;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** The files of a fresh TypeScript-preset workspace with one library (packages/util); formatted as prettier leaves them. */
function presetFiles(tarballs: Record<string, string>): Record<string, string> {
  return {
    'package.json': json({
      name: '@acme/source',
      version: '0.0.0',
      private: true,
      workspaces: ['packages/*'],
      devDependencies: {
        '@eslint/js': '^9.8.0',
        '@nx/eslint': NX_VERSION,
        '@nx/eslint-plugin': NX_VERSION,
        '@nx/js': NX_VERSION,
        '@nx/vitest': NX_VERSION,
        '@types/node': '^20.19.0',
        eslint: '^9.8.0',
        nx: NX_VERSION,
        prettier: '~3.6.2',
        tslib: '^2.3.0',
        typescript: '~6.0.3',
        'typescript-eslint': '^8.40.0',
        vite: '^7.0.0',
        vitest: '^4.1.12',
        ...tarballs,
      },
    }),
    'nx.json': json({
      $schema: './node_modules/nx/schemas/nx-schema.json',
      neverConnectToCloud: true,
      analytics: false,
      defaultBase: 'main',
      namedInputs: { default: ['{projectRoot}/**/*', 'sharedGlobals'], production: ['default', '!{projectRoot}/**/?(*.)+(spec|test).[jt]s?(x)?(.snap)'], sharedGlobals: [] },
      plugins: [
        {
          plugin: '@nx/js/typescript',
          options: {
            typecheck: { targetName: 'typecheck' },
            build: { targetName: 'build', configName: 'tsconfig.lib.json', buildDepsName: 'build-deps', watchDepsName: 'watch-deps' },
          },
        },
        { plugin: '@nx/eslint/plugin', options: { targetName: 'lint' } },
        { plugin: '@nx/vitest', options: { testTargetName: 'test' } },
      ],
      targetDefaults: { test: { dependsOn: ['^build'] } },
    }),
    'tsconfig.base.json': json({
      compilerOptions: {
        composite: true,
        declarationMap: true,
        emitDeclarationOnly: true,
        importHelpers: true,
        isolatedModules: true,
        lib: ['es2022'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        noEmitOnError: true,
        noFallthroughCasesInSwitch: true,
        noImplicitOverride: true,
        noImplicitReturns: true,
        noUnusedLocals: true,
        skipLibCheck: true,
        strict: true,
        target: 'es2022',
        customConditions: ['@acme/source'],
      },
    }),
    'tsconfig.json': json({ extends: './tsconfig.base.json', compileOnSave: false, files: [], references: [{ path: './packages/util' }] }),
    'vitest.config.mts':
      "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    projects: [\n      '**/vite.config.{mjs,js,ts,mts}',\n      '**/vitest.config.{mjs,js,ts,mts}',\n    ],\n  },\n});\n",
    'eslint.config.mjs':
      "import nx from '@nx/eslint-plugin';\n\nexport default [\n  ...nx.configs['flat/base'],\n  ...nx.configs['flat/typescript'],\n  ...nx.configs['flat/javascript'],\n  { ignores: ['**/dist', '**/out-tsc'] },\n  {\n    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],\n    rules: {\n      '@nx/enforce-module-boundaries': [\n        'error',\n        {\n          enforceBuildableLibDependency: true,\n          allow: [],\n          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }],\n        },\n      ],\n    },\n  },\n];\n",
    '.prettierrc': json({ singleQuote: true }),
    '.prettierignore': '# Add files here to ignore them from prettier formatting\n/dist\n/coverage\n/.nx/cache\n/.nx/workspace-data\n',
    '.gitignore': 'node_modules\ndist\nout-tsc\n.nx/cache\n.nx/workspace-data\n',
    'packages/util/package.json': json({
      name: '@acme/util',
      version: '0.0.1',
      private: true,
      type: 'module',
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: { './package.json': './package.json', '.': { '@acme/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' } },
    }),
    'packages/util/src/index.ts': "export function util(): string {\n  return 'util';\n}\n",
    'packages/util/src/index.spec.ts': "import { util } from './index.js';\n\ndescribe('util', () => {\n  it('works', () => {\n    expect(util()).toEqual('util');\n  });\n});\n",
    'packages/util/tsconfig.json': json({
      extends: '../../tsconfig.base.json',
      files: [],
      include: [],
      references: [{ path: './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
    }),
    'packages/util/tsconfig.lib.json': json({
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo', emitDeclarationOnly: false, types: ['node'] },
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts'],
    }),
    'packages/util/tsconfig.spec.json': json({
      extends: '../../tsconfig.base.json',
      compilerOptions: { outDir: './out-tsc/vitest', types: ['vitest/globals', 'node'] },
      include: ['vitest.config.mts', 'src/**/*.spec.ts'],
      references: [{ path: './tsconfig.lib.json' }],
    }),
    'packages/util/vitest.config.mts':
      "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig(() => ({\n  root: import.meta.dirname,\n  test: {\n    name: '@acme/util',\n    watch: false,\n    globals: true,\n    environment: 'node',\n    include: ['src/**/*.spec.ts'],\n  },\n}));\n",
    'packages/util/eslint.config.mjs': "import baseConfig from '../../eslint.config.mjs';\n\nexport default [...baseConfig];\n",
  };
}

interface Run {
  code: number;
  out: string;
}

const env = adoptEnv;

function run(cwd: string, cmd: string, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

function filesBelow(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(dir, `${rel}${e.name}/`) : [`${rel}${e.name}`]));
}

describe('adopting ZTC from packages in a fresh Nx 24 TypeScript-preset workspace', () => {
  let dir: string;
  let ws: string;
  const tarballs: Record<string, string> = {};
  const nx = (...args: string[]): Promise<Run> => run(ws, process.execPath, [join(ws, 'node_modules/nx/dist/bin/nx.js'), ...args], { ZTC_PRIVATE_DIR: join(dir, 'private') });
  const ztc = (cwd: string, ...args: string[]): Promise<Run> =>
    run(cwd, process.execPath, [join(cwd, 'node_modules/@ztc/engine/bin/ztc.js'), ...args], { ZTC_SECRETS_FILE: join(dir, 'secrets.env') });
  const read = (rel: string): string => readFileSync(join(ws, rel), 'utf8');

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'ztc-adopt-ts-')));
    ws = join(dir, 'acme');
    const out = join(dir, 'tarballs');
    mkdirSync(out);
    const pack = await run(join(REPO, 'tools/ztc'), 'npm', ['pack', '--json', '--pack-destination', out]);
    expect(pack.code, pack.out).toBe(0);
    tarballs['@ztc/engine'] = `file:${join(out, (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as { filename: string }[])[0]!.filename)}`;
    const adapters = await run(REPO, process.execPath, ['tools/ztc/build/pack-adapter.js', ...ADAPTERS.map((a) => `adapters/${a}`), '--out', out]);
    expect(adapters.code, adapters.out).toBe(0);
    for (const [i, file] of adapters.out.trim().split('\n').entries()) tarballs[`@ztc/adapter-${ADAPTERS[i]}`] = `file:${file}`;
    write(ws, presetFiles(tarballs));
    const install = await run(ws, 'npm', ['install']);
    expect(install.code, install.out).toBe(0);
    // create-nx-workspace formats what it writes and makes the first commit (nx format:check compares with main).
    const format = await run(ws, join(ws, 'node_modules/.bin/prettier'), ['--write', '.']);
    expect(format.code, format.out).toBe(0);
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=e2e@acme', '-c', 'user.name=e2e', ...args], { cwd: ws, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'acme: fresh Nx workspace (TypeScript preset)');
  }, 8 * MINUTE);
  afterAll(() => dir && !process.env.ZTC_E2E_KEEP && rmSync(dir, { recursive: true, force: true }));

  it('installs packages that hold JavaScript and declarations: the engine no TypeScript source, each adapter its compiled render module', () => {
    const engine = filesBelow(join(ws, 'node_modules/@ztc/engine'));
    expect(engine).toEqual(expect.arrayContaining(['dist/index.js', 'dist/types/src/index.d.ts', 'dist/testing.js', 'bin/ztc.js', 'vitest.adapter.mjs', 'migrations.json']));
    expect(engine.filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    for (const a of ADAPTERS) {
      const pkg = JSON.parse(read(`node_modules/@ztc/adapter-${a}/package.json`)) as { version: string; ztc: { adapter: string } };
      expect(pkg.ztc.adapter).toBe(a);
      expect(read(`node_modules/@ztc/adapter-${a}/adapter.yaml`)).toMatch(new RegExp(`^version: ${pkg.version.replace(/\./g, '\\.')}$[\\s\\S]*^render: render\\.js$`, 'm'));
    }
  });

  it(
    "init prefixes ZTC's targets because of the inferred lint and test; ztc init and render give the example's bytes from the installed adapters",
    async () => {
      const init = await nx('g', '@ztc/engine:init', '--no-interactive');
      expect(init.code, init.out).toBe(0);
      expect(init.out).toContain('The workspace already configures lint, test');
      writeFileSync(join(dir, 'answers.yaml'), ANSWERS);
      const platform = await ztc(ws, 'init', 'lab', '--non-interactive', '--answers', join(dir, 'answers.yaml'), '--skip-init-scripts');
      expect(platform.code, platform.out).toBe(0);
      const render = await nx('run', 'lab:ztc-render', '--outputStyle=stream');
      expect(render.code, render.out).toBe(0);
      const generated = join(ws, 'platforms/lab/generated');
      const files = filesBelow(generated).sort();
      expect(files.map((f) => f.split('/')[0])).toEqual(expect.arrayContaining(ADAPTERS));
      for (const f of files) {
        // The header names the platform; everything else is byte for byte the example's.
        const ours = readFileSync(join(generated, f), 'utf8').replace(
          'for platform lab. Do not edit; run "ztc render lab"',
          'for platform example. Do not edit; run "ztc render example"',
        );
        expect(ours, f).toBe(readFileSync(join(REPO, 'platforms/example/generated', f), 'utf8'));
      }
      const lock = JSON.parse(read('platforms/lab/lock.json')) as { adapters: Record<string, { source: string; integrity?: string }> };
      expect(lock.adapters.talos).toMatchObject({ source: `npm:@ztc/adapter-talos@${adapterVersion('talos')}`, integrity: expect.stringMatching(/^sha512-/) });
      const validate = await ztc(ws, 'validate', 'lab');
      expect(validate.code, validate.out).toBe(0);
    },
    3 * MINUTE,
  );

  it(
    "a generated adapter passes the workspace's own lint, test and typecheck (strict, verbatimModuleSyntax, no @types) and ZTC's; nx format:check is clean",
    async () => {
      const gen = await nx('g', '@ztc/engine:adapter', 'demo', '--provides=demo-api', '--requires=kubernetes-api', '--no-interactive');
      expect(gen.code, gen.out).toBe(0);
      const all = await nx('run-many', '-t', 'lint', 'test', 'typecheck', 'ztc-lint', 'ztc-test', '--outputStyle=stream');
      expect(all.code, all.out).toBe(0);
      for (const task of ['demo:lint', 'demo:typecheck', 'demo:ztc-lint', 'demo:ztc-test', '@acme/util:test']) expect(all.out).toContain(`nx run ${task}`);
      const format = await nx('format:check', '--all');
      expect(format.code, format.out).toBe(0);
    },
    4 * MINUTE,
  );

  it(
    'require() and import() of @ztc/engine work on Node 20, 22 and 24',
    async () => {
      const script =
        "const cjs = require('@ztc/engine'); import('@ztc/engine').then((esm) => console.log(process.version, typeof cjs.defineRender, typeof esm.defineRender, cjs.STAGES.join(',')));";
      const nodes = [process.execPath];
      const fetched: string[] = [];
      for (const major of ['22', '24']) {
        const folder = execFileSync(join(REPO, 'scripts/node-from-registry.sh'), [major], { encoding: 'utf8', env: env() }).trim();
        fetched.push(dirname(folder));
        nodes.push(join(folder, 'bin/node'));
      }
      try {
        const majors = [];
        for (const node of nodes) {
          const r = await run(ws, node, ['-e', script]);
          expect(r.code, r.out).toBe(0);
          expect(r.out).toMatch(/^v\d+\.\d+\.\d+ function function pre-work,bootstrap,post-work,validation\n$/);
          majors.push(r.out.slice(1, 3));
        }
        expect(majors.sort()).toEqual(['20', '22', '24']);
      } finally {
        for (const f of fetched) rmSync(f, { recursive: true, force: true });
      }
    },
    5 * MINUTE,
  );

  it(
    "with pnpm: the same tarballs render the same files, and lock.json records pnpm's integrity",
    async () => {
      const pws = join(dir, 'pnpm-ws');
      write(pws, {
        'package.json': json({ name: 'acme-pnpm', private: true, devDependencies: { nx: NX_VERSION, ...Object.fromEntries(Object.entries(tarballs)) } }),
        'nx.json': json({ neverConnectToCloud: true, analytics: false }),
      });
      const install = await run(pws, 'npx', ['--yes', 'pnpm@10', 'install', '--config.confirmModulesPurge=false']);
      expect(install.code, install.out).toBe(0);
      const init = await ztc(pws, 'init', 'lab', '--non-interactive', '--answers', join(dir, 'answers.yaml'), '--skip-init-scripts');
      expect(init.code, init.out).toBe(0);
      const render = await ztc(pws, 'render', 'lab');
      expect(render.code, render.out).toBe(0);
      for (const f of filesBelow(join(ws, 'platforms/lab/generated'))) {
        expect(readFileSync(join(pws, 'platforms/lab/generated', f), 'utf8'), f).toBe(read(`platforms/lab/generated/${f}`));
      }
      const lock = JSON.parse(readFileSync(join(pws, 'platforms/lab/lock.json'), 'utf8')) as { adapters: Record<string, { source: string; integrity?: string }> };
      expect(lock.adapters.cilium).toMatchObject({ source: `npm:@ztc/adapter-cilium@${adapterVersion('cilium')}`, integrity: expect.stringMatching(/^sha512-/) });
    },
    5 * MINUTE,
  );
});
