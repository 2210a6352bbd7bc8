/**
 * Lint of the engine package itself, in the spirit of @nx/nx-plugin-checks and @nx/dependency-checks:
 * what `npm pack` ships must work where it is installed. Every check is a small function returning
 * problems as text; `main.ts` runs them (and shellcheck on the script library) for the `lint` target.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  files?: string[];
  executors?: string;
  generators?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Files below `dir` (relative, `/`-separated), skipping node_modules. */
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules') continue;
    const abs = join(dir, e);
    if (statSync(abs).isDirectory()) out.push(...walk(abs, base));
    else out.push(relative(base, abs).split('\\').join('/'));
  }
  return out;
}

/** The package can be published and every path it names exists. */
export function checkManifest(root: string, pkg: PackageJson): string[] {
  const problems: string[] = [];
  if (pkg.private) problems.push('package.json: "private": true keeps it from being published');
  if (!/^\d+\.\d+\.\d+/.test(pkg.version)) problems.push(`package.json: version "${pkg.version}" is not semver`);
  const must = (what: string, path: string | undefined): void => {
    if (!path || !existsSync(join(root, path))) problems.push(`package.json: ${what} "${path}" does not exist`);
  };
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target === 'string') must(`exports["${key}"]`, target);
    else for (const [condition, t] of Object.entries(target)) must(`exports["${key}"].${condition}`, t);
  }
  for (const [name, target] of Object.entries(pkg.bin ?? {})) must(`bin.${name}`, target);
  for (const f of (pkg.files ?? []).filter((x) => !x.startsWith('!') && !x.includes('*'))) must('files entry', f);
  must('executors', pkg.executors);
  must('generators', pkg.generators);
  if (!pkg.exports?.['./plugin']) problems.push('package.json: exports has no "./plugin" (nx.json registers "<name>/plugin")');
  if (!pkg.peerDependencies?.nx) problems.push('package.json: no peer dependency on nx');
  return problems;
}

/** Each executor and generator entry points at an implementation and a schema that exist and parse. */
export function checkNxManifests(root: string, pkg: PackageJson): string[] {
  const problems: string[] = [];
  const entries = [
    ...Object.entries(readJson<{ executors: Record<string, Record<string, string>> }>(join(root, pkg.executors ?? 'executors.json')).executors).map(
      ([n, e]) => [`executors.json: ${n}`, e] as const,
    ),
    ...Object.entries(readJson<{ generators: Record<string, Record<string, string>> }>(join(root, pkg.generators ?? 'generators.json')).generators).map(
      ([n, e]) => [`generators.json: ${n}`, e] as const,
    ),
  ];
  for (const [where, e] of entries) {
    for (const key of ['implementation', 'batchImplementation', 'factory', 'schema']) {
      const path = e[key]?.split('#')[0];
      if (e[key] === undefined) continue;
      if (!existsSync(join(root, path!))) problems.push(`${where}: ${key} "${e[key]}" does not exist`);
      else if (key === 'schema') {
        try {
          readJson(join(root, path!));
        } catch (err) {
          problems.push(`${where}: schema ${path}: ${(err as Error).message}`);
        }
      }
    }
  }
  return problems;
}

/** The JSON Schemas and capability contracts the package ships parse; a contract is named as its file. */
export function checkShippedJson(root: string): string[] {
  const problems: string[] = [];
  for (const dir of ['schemas', 'capabilities']) {
    for (const f of readdirSync(join(root, dir)).filter((x) => x.endsWith('.json'))) {
      try {
        const doc = readJson<{ name?: string }>(join(root, dir, f));
        if (dir === 'capabilities' && doc.name !== f.slice(0, -5)) problems.push(`${dir}/${f}: name "${doc.name}" is not the file name`);
      } catch (e) {
        problems.push(`${dir}/${f}: ${(e as Error).message}`);
      }
    }
  }
  return problems;
}

/** Bare package names a source file imports at runtime: `import`, `export … from`, `require()`, `import()`; type-only imports are erased. */
export function importedPackages(source: string, fileName = 'x.ts'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) specs.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const names = new Set<string>();
  for (const spec of specs) {
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return [...names];
}

/** Every package the shipped code imports is a dependency or peer dependency (it is not there otherwise). */
export function checkDependencies(root: string, pkg: PackageJson): string[] {
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), pkg.name]);
  const problems: string[] = [];
  const shipped = [
    ...walk(join(root, 'src')).map((f) => `src/${f}`),
    ...walk(join(root, 'testing'))
      .map((f) => `testing/${f}`)
      .filter((f) => f === 'testing/index.ts'),
    ...walk(join(root, 'bin')).map((f) => `bin/${f}`),
    ...walk(join(root, 'lib')).map((f) => `lib/${f}`),
    'nx-plugin.js',
  ];
  for (const f of shipped) {
    if (!/\.(ts|js)$/.test(f) || /\.spec\.ts$/.test(f) || f.includes('__fixtures__/')) continue;
    for (const name of importedPackages(readFileSync(join(root, f), 'utf8'), f)) {
      if (!declared.has(name)) problems.push(`${f}: imports "${name}", which package.json does not declare (dependencies or peerDependencies)`);
    }
  }
  return problems;
}

/**
 * What `npm pack` would ship (its file list): JavaScript, declarations and data, no TypeScript source
 * (a consumer's tsc would compile it, and Node cannot run it), and the entry points the manifest names.
 */
export function checkPackedFiles(pkg: PackageJson, packed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const f of packed)
    if (/\.(ts|mts|cts)$/.test(f) && !/\.d\.(ts|mts|cts)$/.test(f)) problems.push(`npm pack: ships TypeScript source ${f} (only .d.ts belongs in the package)`);
  const targets = [
    ...Object.values(pkg.exports ?? {}).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))),
    ...Object.values(pkg.bin ?? {}),
    ...(pkg.executors ? [pkg.executors] : []),
    ...(pkg.generators ? [pkg.generators] : []),
  ];
  for (const t of targets) {
    const rel = t.replace(/^\.\//, '');
    if (!packed.includes(rel)) problems.push(`npm pack: ${rel} (named in package.json) is not in the package (files)`);
  }
  return problems;
}

/** Everything but shellcheck and the packed file list. */
export function checkPackage(root: string): string[] {
  const pkg = readJson<PackageJson>(join(root, 'package.json'));
  return [...checkManifest(root, pkg), ...checkNxManifests(root, pkg), ...checkShippedJson(root), ...checkDependencies(root, pkg)];
}
