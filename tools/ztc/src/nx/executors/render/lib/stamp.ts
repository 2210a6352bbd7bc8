/**
 * Stamps: what an adapter's render read (a fingerprint of its inputs) and wrote (hashes of its output
 * files), kept next to its outputs and cached with them. Early cut-off may leave a task out of a batch
 * only when its stamp matches its current inputs and outputs: then the files on disk are exactly what
 * running it would write, so tasks that run after it in the same batch read correct data.
 *
 * The fingerprint covers everything render-<adapter> reads: the adapter's files, its config slice, the
 * payloads it consumes, the engine (sources, contracts, schemas) and package-lock.json. It errs on the
 * side of "changed": anything missing gives no match, and no match only means the task runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterManifest } from '../../../../adapter/types';
import { ENGINE_ROOT } from '../../../../constants';
import { adapterSourceHash } from '../../../../render/lock';
import { compareStrings, sha256 } from '../../../../util/hash';
import { listFiles } from '../../../../util/list-files';
import { renderPaths } from '../../../constants';
import { platformPath } from '../../../../workspace/workspace';
import { readText, writeIfChanged } from './files';

/** `<prefix><path>\0<sha256>` of each file below `dir` but specs, dot-entries and node_modules. */
function hashTree(dir: string, out: string[], prefix: string): void {
  const skip = (name: string): boolean => name === 'node_modules' || name.startsWith('.') || name.endsWith('.spec.ts');
  for (const rel of listFiles(dir, { skip })) out.push(`${prefix}${rel}\0${sha256(readFileSync(join(dir, rel)))}`);
}

const engineFingerprints = new Map<string, string>();

/** The engine that renders (this process's own sources) and the installed packages, once per process. */
export function fingerprintEngine(workspaceRoot: string): string {
  let engineFingerprint = engineFingerprints.get(workspaceRoot);
  if (!engineFingerprint) {
    const lines: string[] = [];
    for (const d of ['src', 'dist', 'capabilities', 'schemas', 'bin']) hashTree(join(ENGINE_ROOT, d), lines, `${d}/`);
    lines.push(`package.json\0${sha256(readFileSync(join(ENGINE_ROOT, 'package.json')))}`);
    lines.push(`package-lock.json\0${sha256(readText(join(workspaceRoot, 'package-lock.json')) ?? '')}`);
    engineFingerprint = sha256(lines.join('\n'));
    engineFingerprints.set(workspaceRoot, engineFingerprint);
  }
  return engineFingerprint;
}

/** Fingerprint of the inputs of render-<adapter>, or undefined when one is missing. */
export function adapterInputFingerprint(workspaceRoot: string, platform: string, manifest: AdapterManifest): string | undefined {
  const dir = platformPath(workspaceRoot, platform);
  const slice = readText(join(workspaceRoot, renderPaths.configSlice(dir, manifest.name)));
  if (slice === undefined) return undefined;
  const parts = [fingerprintEngine(workspaceRoot), adapterSourceHash(workspaceRoot, manifest), sha256(slice)];
  const providers = (JSON.parse(slice) as { providers: Record<string, string> }).providers;
  for (const provider of [...new Set(Object.values(providers))].sort(compareStrings)) {
    const payloads = readText(join(workspaceRoot, renderPaths.capabilities(dir, provider)));
    if (payloads === undefined) return undefined;
    parts.push(`${provider}\0${sha256(payloads)}`);
  }
  return sha256(parts.join('\n'));
}

function outputHashes(workspaceRoot: string, platform: string, adapter: string): string | undefined {
  const dir = platformPath(workspaceRoot, platform);
  const files = [renderPaths.adapterOutput(dir, adapter), renderPaths.capabilities(dir, adapter)];
  const contents = files.map((f) => readText(join(workspaceRoot, f)));
  if (contents.some((c) => c === undefined)) return undefined;
  return sha256(contents.map((c) => sha256(c!)).join('\n'));
}

/** Record that the outputs now on disk were rendered from inputs with this fingerprint. */
export function writeStamp(workspaceRoot: string, platform: string, adapter: string, inputs: string): void {
  const outputs = outputHashes(workspaceRoot, platform, adapter);
  writeIfChanged(join(workspaceRoot, renderPaths.stamp(platformPath(workspaceRoot, platform), adapter)), `${JSON.stringify({ inputs, outputs })}\n`);
}

/** The adapter's outputs on disk are what rendering it from inputs with this fingerprint writes. */
export function stampMatches(workspaceRoot: string, platform: string, adapter: string, inputs: string | undefined): boolean {
  if (inputs === undefined) return false;
  const text = readText(join(workspaceRoot, renderPaths.stamp(platformPath(workspaceRoot, platform), adapter)));
  if (text === undefined) return false;
  try {
    const stamp = JSON.parse(text) as { inputs: string; outputs: string };
    return stamp.inputs === inputs && stamp.outputs !== undefined && stamp.outputs === outputHashes(workspaceRoot, platform, adapter);
  } catch {
    return false;
  }
}
