/**
 * The one builder of the specs' workspaces: a real folder under os.tmpdir() with nx.json, the repository
 * folders a spec asks for, node_modules, an inline `{ path: content }` map and optionally a git commit,
 * removed when the test finishes (unless `keep`). Helpers refuse to write outside the temp dir. The
 * specialised workspaces build on it: fixtureWorkspace (below), init-workspace.ts,
 * src/bootstrap/__fixtures__/fixture-workspace.ts and e2e/nx/workspace.ts.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { onTestFinished } from 'vitest';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface TempWorkspace {
  root: string;
  /** Absolute path of a workspace-relative path. */
  path(rel: string): string;
  write(rel: string, content: string): void;
  read(rel: string): string;
  /** Copy a file or folder of the real repository (e.g. `adapters/talos`) into the workspace, without node_modules. */
  copyFromRepo(rel: string): void;
}

export interface TempWorkspaceOptions {
  /** Leave the folder when the test finishes: the caller removes it (a workspace made in `beforeAll`). */
  keep?: boolean;
  /** Start of the temp folder's name. @default 'ztc-test-' */
  prefix?: string;
  /** Repository files and folders copied in first (see `copyFromRepo`), before `files`. */
  fromRepo?: readonly string[];
  /**
   * `link`: node_modules is a link to the repository's (render modules import `@ztc/engine` and `yaml`).
   * `own`: a folder of the workspace's own, with a link per package of the repository's (scopes as folders
   * of links), so a spec can install packages of its own (`write('node_modules/@acme/x/…')`).
   * `packages`: a link per entry, but `@ztc/engine` → the workspace's own tools/ztc (as npm links a
   * workspace package), so edits to the engine in the workspace are what runs. @default 'link'
   * Writing through any of these links into the repository is refused.
   */
  nodeModules?: 'link' | 'own' | 'packages';
  /** `git init` (branch main) and commit everything as "workspace". */
  git?: boolean;
}

function assertInside(root: string, target: string): void {
  const r = relative(root, target);
  if (r.startsWith('..') || resolve(target) === resolve(root, '..')) throw new Error(`refusing to write outside ${root}: ${target}`);
  // Also through a link (node_modules → the repository's): the nearest existing part of the path decides.
  let existing = target;
  while (!existsSync(existing)) existing = dirname(existing);
  const real = realpathSync(existing);
  if (relative(root, real).startsWith('..')) {
    throw new Error(
      `refusing to write outside ${root}: ${target} is in ${real} (a link); give the workspace node_modules of its own (tempWorkspace(files, { nodeModules: 'own' }))`,
    );
  }
}

/** A scratch folder under os.tmpdir() (not a workspace: secrets files, private dirs), removed after the current test. */
export function tempDir(prefix = 'ztc-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function linkPackages(root: string): void {
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@ztc'), { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '@ztc') symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync(join('..', '..', 'tools', 'ztc'), join(modules, '@ztc', 'engine'), 'dir');
}

/** node_modules of the workspace's own: a link per package of the repository's, scopes as folders, no dot-entries. */
function linkOwnPackages(root: string): void {
  const link = (rel: string): void => symlinkSync(join(REPO_ROOT, 'node_modules', rel), join(root, 'node_modules', rel));
  mkdirSync(join(root, 'node_modules'));
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    if (!entry.startsWith('@')) link(entry);
    else {
      mkdirSync(join(root, 'node_modules', entry));
      for (const pkg of readdirSync(join(REPO_ROOT, 'node_modules', entry))) link(`${entry}/${pkg}`);
    }
  }
}

/** Git in the workspace at `root`, as a fixed spec author; trimmed stdout. */
export function gitIn(root: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=spec@ztc', '-c', 'user.name=spec', ...args], { cwd: root, encoding: 'utf8' }).trim();
}

/** Create a temp workspace (with nx.json) holding `files`; it is removed after the current test unless `keep`. */
export function tempWorkspace(files: Record<string, string> = {}, opts: TempWorkspaceOptions = {}): TempWorkspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), opts.prefix ?? 'ztc-test-')));
  if (!root.startsWith(realpathSync(tmpdir()))) throw new Error('temp workspace is not under os.tmpdir()');
  if (!opts.keep) onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const ws: TempWorkspace = {
    root,
    path: (rel) => join(root, rel),
    write(rel, content) {
      const target = join(root, rel);
      assertInside(root, target);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    },
    read: (rel) => readFileSync(join(root, rel), 'utf8'),
    copyFromRepo(rel) {
      const target = join(root, rel);
      assertInside(root, target);
      const from = join(REPO_ROOT, rel);
      cpSync(from, target, { recursive: true, filter: (src) => !relative(from, src).split(sep).includes('node_modules') });
    },
  };
  ws.write('nx.json', '{}\n');
  for (const rel of opts.fromRepo ?? []) ws.copyFromRepo(rel);
  if (opts.nodeModules === 'packages') linkPackages(root);
  else if (opts.nodeModules === 'own') linkOwnPackages(root);
  else symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const [rel, content] of Object.entries(files)) ws.write(rel, content);
  if (opts.git) {
    gitIn(root, 'init', '-q', '-b', 'main');
    gitIn(root, 'add', '-A');
    gitIn(root, 'commit', '-q', '--allow-empty', '-m', 'workspace');
  }
  return ws;
}

/** The fixture workspace (tools/ztc/testing/fixtures/workspace): adapters net, storage, app; platform demo. */
export function fixtureWorkspace(opts: Pick<TempWorkspaceOptions, 'nodeModules'> = {}): TempWorkspace {
  const ws = tempWorkspace({}, opts);
  cpSync(join(__dirname, 'fixtures', 'workspace'), ws.root, { recursive: true });
  return ws;
}
