/**
 * Temp workspaces for tests: a real folder under os.tmpdir() built from an inline `{ path: content }`
 * map, removed when the test finishes. Helpers refuse to write outside the temp dir.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { onTestFinished } from 'vitest';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface TempWorkspace {
  root: string;
  /** Absolute path of a workspace-relative path. */
  path(rel: string): string;
  write(rel: string, content: string): void;
  read(rel: string): string;
  /** Copy a folder of the real repository (e.g. `adapters/talos`) into the workspace. */
  copyFromRepo(rel: string): void;
}

function assertInside(root: string, target: string): void {
  const r = relative(root, target);
  if (r.startsWith('..') || resolve(target) === resolve(root, '..')) throw new Error(`refusing to write outside ${root}: ${target}`);
}

/** Create a temp workspace (with nx.json) holding `files`; it is removed after the current test. */
export function tempWorkspace(files: Record<string, string> = {}, opts: { keep?: boolean } = {}): TempWorkspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ztc-test-')));
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
      cpSync(join(REPO_ROOT, rel), target, { recursive: true });
    },
  };
  ws.write('nx.json', '{}\n');
  // Render modules import `@ztc/engine` and `yaml`: give the workspace the repository's node_modules.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const [rel, content] of Object.entries(files)) ws.write(rel, content);
  return ws;
}

/** The fixture workspace (tools/ztc/testing/fixtures/workspace): adapters net, storage, app; platform demo. */
export function fixtureWorkspace(): TempWorkspace {
  const ws = tempWorkspace();
  cpSync(join(__dirname, 'fixtures', 'workspace'), ws.root, { recursive: true });
  return ws;
}
