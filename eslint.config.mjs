// ESLint for the whole workspace (`npx eslint .`, the Nx `lint` targets): typescript-eslint's type-checked
// rules for TypeScript, ESLint's recommended rules for the plain JavaScript, and the engine's layers
// (docs/ARCHITECTURE.md, "Layers"): a module may import its own layer and the ones below it, never one above.
// Formatting is Prettier's (.prettierrc), so no stylistic rule is on here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const src = 'tools/ztc/src';

/**
 * The engine's layers, lowest first. Each may import the layers before it and its own, never one after it.
 * Files at the top of src/ (constants.ts, errors.ts, json-format.ts) and sdk/ are the base every layer
 * uses. Specs are exempt: a spec of a lower layer may drive it from above (through the CLI, the executor).
 */
const ENTRY = [`${src}/cli`, `${src}/entry`, `${src}/index.ts`];
const OPERATIONS = [`${src}/bootstrap`, `${src}/init`, `${src}/nx`];
/** state/: the backends are an operation; config.ts and issues.ts read platform.yaml's `state:` section, like platform/. */
const STATE = `${src}/state`;
const STATE_MODEL = ['./config.ts', './issues.ts'];
const LAYERS = [
  {
    name: 'util',
    dirs: [`${src}/util`],
    message: 'util/ is the lowest layer: it imports only util/, constants.ts and errors.ts.',
  },
  {
    name: 'model',
    dirs: [`${src}/adapter`, `${src}/platform`, `${src}/schema`, `${src}/workspace`, `${src}/capability`, `${src}/secrets`],
    message:
      'reading adapters, platforms and the workspace layout comes before resolve, render and the operations: move what both need down (util/, workspace/), or the caller up.',
  },
  { name: 'resolve', dirs: [`${src}/resolve`], message: 'resolve/ comes before render/ and the operations that use it.' },
  {
    name: 'render',
    dirs: [`${src}/render`],
    message: 'render/ is pure composition: it imports no operation (bootstrap, init, nx, state) nor validate/ or the CLI. State-area paths live in workspace/.',
  },
  { name: 'validate', dirs: [`${src}/validate`], message: 'validate/ reuses render/; the operations and the CLI call it, not the other way round.' },
];

/** One import-x/no-restricted-paths zone per layer: everything above it is out of reach. */
function layerZones() {
  const zones = [];
  const higherThan = (i) => [...LAYERS.slice(i + 1).flatMap((l) => l.dirs), ...OPERATIONS, ...ENTRY];
  LAYERS.forEach((layer, i) => {
    for (const target of layer.dirs) {
      zones.push({ target, from: higherThan(i), message: layer.message });
      zones.push(i === 0 ? { target, from: [STATE], message: layer.message } : { target, from: [STATE], except: STATE_MODEL, message: layer.message });
    }
  });
  // The operations use every layer below, and one another only where noted: the Nx layer never runs bootstrap.
  for (const target of [...OPERATIONS, STATE]) zones.push({ target, from: ENTRY, message: 'the CLI and the package entries call the operations, not the other way round.' });
  zones.push({ target: `${src}/nx`, from: [`${src}/bootstrap`], message: 'the Nx layer runs bootstrap through the ztc CLI (stage targets), never by importing it.' });
  // bin/ holds the executables only; the plain JavaScript they share with the engine is lib/.
  zones.push({ target: src, from: ['tools/ztc/bin'], message: 'nothing in src/ imports bin/: shared plain JavaScript belongs in lib/.' });
  return zones;
}

export default defineConfig(
  globalIgnores(['**/node_modules/', '**/dist/', '.nx/', 'coverage/', 'tools/upstream/', 'platforms/*/generated/', 'platforms/*/.ztc/', '**/__fixtures__/', '**/*.d.ts']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.{js,cjs,mjs,ts,mts}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, globals: { ...globals.node } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: root },
    },
    rules: {
      // The engine loads packages and its own heavy modules lazily with require() (start-up time, see
      // docs/ARCHITECTURE.md); each such require is typed with `as typeof import(...)`.
      '@typescript-eslint/no-require-imports': 'off',
      // Async methods that implement a Promise-returning interface without awaiting (Command.run, the
      // Prompter, the local state backend) are deliberate: the interface is async for its other members.
      '@typescript-eslint/require-await': 'off',
      // Types come in through `import type`; `typeof import('x')` annotations stay allowed: they type the
      // lazy `require('x')` calls above.
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Rethrowing what a catch caught (unknown) is not throwing a non-error.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      // `_`-prefixed parameters and destructured leftovers are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Specs parse what the code under test wrote (JSON.parse, YAML) and assert on it with expect, which is
    // the check; typing each parsed document first would add nothing.
    files: ['**/*.spec.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The simulated datacenter's world and the adapters' fidelity specs walk untyped Kubernetes objects and
    // upstream JSON Schemas (`any` parsed from JSON/YAML). Typing them is open work (docs/simulation.md);
    // until then the no-unsafe-* family is off there only.
    files: ['tools/sim/src/world/**/*.ts', 'tools/sim/src/*.spec.ts', 'adapters/*/fidelity.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: [`${src}/**/*.ts`, `${src}/**/*.js`],
    ignores: ['**/*.spec.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      // Checks import statements and require() calls alike.
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones() }],
    },
  },
);
