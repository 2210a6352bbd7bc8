/**
 * Recording the up-to-date stamp of `ztc render [platform]` (lib/render-stamp.js reads it before the
 * engine loads). The stamp lists every path the render depended on, with its stat signature:
 *
 * - how the workspace and the platform were found: nx.json in every folder from the working directory
 *   up to the root; the platforms folder's listing and the platform.yaml in each of its folders;
 * - the inputs: platform.yaml, the adapters folder (its listing), every file and folder of each adapter
 *   the platform uses (the same scope as the render memo and lock.json), the capability contracts (the
 *   package's and the workspace's), the engine's script library and package.json (its version is in
 *   lock.json), the package.json of every npm package a render module loaded;
 * - the outputs: generated/ (every file and folder), pipeline.yaml and lock.json;
 * - the engine (the id of the build it runs from, dist/build.json; in this repository checked against
 *   its sources by size and mtime before it is compared) and Node's version.
 *
 * A stamp is only *verified* (usable) when every signature provably describes what the render saw:
 * the path had the same signature before the render read anything (the previous stamp's paths are
 * signed first; on a file system with sub-millisecond times), or it last changed more than SETTLED_MS
 * before the render began (for an absent path: its folder). Otherwise (an edit during the render,
 * files edited just before a first render, outputs this render wrote) it is written unverified, and
 * the next render, which runs the engine in full, verifies it: after a render that wrote files, the
 * second no-op render is the first without the engine. render-stamp-coverage.spec.ts checks that the
 * stamp covers every path a render touches.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ENGINE_ROOT, ENGINE_SCRIPT_LIB, ENGINE_SCRIPT_LIB_DIR, GENERATED_DIR, LOCK_FILE, PIPELINE_FILE, PLATFORM_FILE } from '../constants';
import { BUILTIN_CONTRACTS_DIR, contractsDir } from '../capability/contracts';
import { readLayout } from '../workspace/layout';
import { platformPath } from '../workspace/workspace';
import { listFiles } from '../util/list-files';
import type { RenderPlan } from './plan';
import { engineIdentity } from './render-memo';

interface Stamp {
  bundle: string;
  node: string;
  verified: boolean;
  message: string;
  entries: [string, string][];
}

interface StampFiles {
  signature(file: string): string;
  readStamp(cwd: string, platform: string | null): Stamp | undefined;
  writeStamp(cwd: string, platform: string | null, stamp: Stamp): void;
}

const stamps = require('../../lib/render-stamp.js') as StampFiles;

/** A change this long before the render began cannot have happened while it read (file-system clocks are coarse). */
export const SETTLED_MS = 1000;

export interface StampSession {
  cwd: string;
  platform: string | null;
  bundle: string;
  startedAt: number;
  /** Signatures of the previous stamp's paths, taken before the render read anything. */
  before: ReadonlyMap<string, string>;
}

/**
 * Call before the render reads anything; `platformArg` is the platform as named on the command line, or
 * null when it was not (`ztc render` alone). Undefined when the engine runs from its sources: no stamp.
 */
export function beginStamp(cwd: string, platformArg: string | null, startedAt = Date.now(), bundle = engineIdentity()): StampSession | undefined {
  if (bundle === undefined) return undefined;
  const previous = stamps.readStamp(cwd, platformArg);
  const before = new Map((previous?.entries ?? []).map(([path]) => [path, stamps.signature(path)]));
  return { cwd, platform: platformArg, bundle, startedAt, before };
}

/** `dir` and every entry below it (a symlink is signed by what it points to), node_modules left out (packages are recorded by package.json). */
function tree(dir: string, out: Set<string>): void {
  out.add(dir);
  for (const rel of listFiles(dir, { skip: (name) => name === 'node_modules', allEntries: true })) out.add(join(dir, rel));
}

/** Every path the render of `plan` depended on (see the file comment), sorted. */
export function stampPaths(workspaceRoot: string, cwd: string, plan: RenderPlan, packages: Iterable<string>): string[] {
  const paths = new Set<string>();
  // Which platforms exist (a platform.yaml in a folder of the platforms folder): `ztc render` alone
  // renders the only one, a named platform must be among them.
  const platforms = join(workspaceRoot, readLayout(workspaceRoot).platformsRoot);
  paths.add(platforms);
  let folders: string[] = [];
  try {
    folders = readdirSync(platforms);
  } catch {
    /* a render found its platform, so this is only a race; the folder's signature says absent */
  }
  for (const folder of folders) paths.add(join(platforms, folder, PLATFORM_FILE));
  // The workspace root is the nearest folder with nx.json (findWorkspaceRoot): one appearing below it moves it.
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    paths.add(join(dir, 'nx.json'));
    if (dir === resolve(workspaceRoot) || dirname(dir) === dir) break;
  }
  const platformDir = join(workspaceRoot, platformPath(workspaceRoot, plan.platform.name));
  paths.add(join(workspaceRoot, plan.platform.file));
  // The platform's adapter names are checked against the adapters folder's listing and the installed
  // adapter packages (the root package.json's dependencies).
  paths.add(join(workspaceRoot, readLayout(workspaceRoot).adaptersRoot));
  paths.add(join(workspaceRoot, 'package.json'));
  for (const adapter of plan.platform.adapters.values()) tree(join(workspaceRoot, adapter.root), paths);
  tree(BUILTIN_CONTRACTS_DIR, paths);
  tree(join(workspaceRoot, contractsDir(workspaceRoot)), paths);
  paths.add(join(ENGINE_SCRIPT_LIB_DIR, ENGINE_SCRIPT_LIB));
  paths.add(join(ENGINE_ROOT, 'package.json')); // the engine version lock.json records
  for (const p of packages) paths.add(p);
  tree(join(platformDir, GENERATED_DIR), paths);
  paths.add(join(platformDir, PIPELINE_FILE));
  paths.add(join(platformDir, LOCK_FILE));
  return [...paths].sort();
}

/** ctime of a signature in ns, or undefined for one without (absent, unreadable). */
function ctimeNs(sig: string): bigint | undefined {
  const parts = sig.split(':');
  if (parts[0] !== 'f' && parts[0] !== 'd') return undefined;
  return BigInt(parts[parts.length - 2]!);
}

const settled = (session: StampSession, sig: string): boolean => {
  const changed = ctimeNs(sig);
  return changed !== undefined && changed < BigInt(session.startedAt - SETTLED_MS) * 1_000_000n;
};

/**
 * Whether the signature changes with every write. On a file system that keeps times to the second or
 * the millisecond (FAT, HFS+, some network mounts), a write of the same size within the same tick
 * leaves it as it was: there only a settled time proves anything.
 */
function fineGrained(sig: string): boolean {
  const changed = ctimeNs(sig);
  return changed === undefined || changed % 1_000_000n !== 0n;
}

/**
 * Whether `sig` of `path` is what the render saw (see the file comment). An absent path counts as seen
 * when its folder has not changed since before the render began (no entry came or went in it).
 */
export function seenByRender(session: StampSession, path: string, sig: string): boolean {
  if (sig === 'unreadable') return false;
  if ((session.before.get(path) === sig && fineGrained(sig)) || settled(session, sig)) return true;
  return sig === 'absent' && settled(session, stamps.signature(dirname(path)));
}

/** Record the stamp after a successful render whose next no-op run prints `message`. */
export function finishStamp(session: StampSession, paths: readonly string[], message: string): { verified: boolean } {
  const entries = paths.map((path): [string, string] => [path, stamps.signature(path)]);
  const verified = entries.every(([path, sig]) => seenByRender(session, path, sig));
  stamps.writeStamp(session.cwd, session.platform, { bundle: session.bundle, node: process.version, verified, message, entries });
  return { verified };
}
