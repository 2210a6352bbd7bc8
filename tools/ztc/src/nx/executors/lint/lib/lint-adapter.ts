/**
 * Lint one adapter: adapter.yaml through the engine's own reader (schema and rules), the templates
 * (templates.ts), and the bash scripts (`set -euo pipefail`, `ztc::init` when they source ztc.sh,
 * shellcheck, shfmt) and script libraries (`scripts/lib/`, shellcheck and shfmt only: they are sourced).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileInputs, readAdapter } from '../../../../adapter/read-adapter';
import type { AdapterManifest } from '../../../../adapter/types';
import { ADAPTER_SCRIPT_LIB_DIR, STAGES } from '../../../../constants';
import { adapterPath } from '../../../../workspace/workspace';
import { ConfigError, formatIssue } from '../../../../errors';
import { runShellcheck } from './shellcheck';
import { runShfmt } from './shfmt';
import { checkTemplate } from './templates';
import { listFiles } from '../../../../util/list-files';

export interface LintReport {
  adapter: string;
  /** Workspace-relative adapter folder. */
  root: string;
  errors: string[];
  warnings: string[];
  /** What was checked, for the task output. */
  checked: { scripts: number; templates: number };
}

/** A line that sources the engine's library (`. "…/ztc.sh"` or `source …/ztc.sh`). */
const SOURCES_ZTC_SH = /^\s*(?:\.|source)\s+.*\bztc\.sh"?\s*$/m;

function declaredScripts(m: AdapterManifest): string[] {
  return [...STAGES.flatMap((s) => m.scripts[s]), ...m.teardown, ...(m.backup ? [m.backup] : []), ...m.init, ...(m.checkHealth ? [m.checkHealth] : [])].map((s) => s.file);
}

export async function lintAdapter(workspaceRoot: string, adapter: string): Promise<LintReport> {
  const root = adapterPath(workspaceRoot, adapter);
  const abs = join(workspaceRoot, root);
  const errors: string[] = [];
  const warnings: string[] = [];
  let manifest: AdapterManifest | undefined;
  try {
    manifest = readAdapter(workspaceRoot, adapter);
    compileInputs(manifest);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    errors.push(...e.issues.map(formatIssue));
  }

  const templates = listFiles(join(abs, 'templates')).map((f) => `templates/${f}`);
  for (const t of templates) errors.push(...checkTemplate(`${root}/${t}`, readFileSync(join(abs, t), 'utf8')));

  const onDisk = listFiles(abs).filter((f) => f.endsWith('.sh'));
  const isLib = (f: string) => f.startsWith(`${ADAPTER_SCRIPT_LIB_DIR}/`);
  const declared = manifest ? declaredScripts(manifest) : [];
  for (const f of onDisk) {
    if (manifest && !declared.includes(f) && !isLib(f)) warnings.push(`${root}/${f}: not referenced by adapter.yaml (it never runs)`);
  }
  const scripts = [...new Set([...declared, ...onDisk])].filter((f) => onDisk.includes(f)).sort();
  for (const f of scripts.filter((x) => !isLib(x))) {
    const text = readFileSync(join(abs, f), 'utf8');
    if (!/^\s*set -euo pipefail\b/m.test(text)) errors.push(`${root}/${f}: missing "set -euo pipefail" (CONTRACT §7: scripts stop on the first error)`);
    if (SOURCES_ZTC_SH.test(text) && !/^\s*ztc::init\b/m.test(text)) {
      errors.push(
        `${root}/${f}: sources ztc.sh but never calls ztc::init (make it the first line of main: it checks the context and installs the ERR trap that names a failing command's file and line)`,
      );
    }
  }
  const sc = await runShellcheck(abs, scripts);
  if (sc.failure) errors.push(sc.failure);
  errors.push(...sc.findings.map((l) => `${root}/${l}`));
  const fmt = await runShfmt(abs, scripts);
  if (fmt.failure) errors.push(fmt.failure);
  errors.push(...fmt.findings.map((l) => `${root}/${l}`));
  return { adapter, root, errors, warnings, checked: { scripts: scripts.length, templates: templates.length } };
}

export function formatReport(r: LintReport): string {
  const lines = [...r.errors.map((e) => `error: ${e}`), ...r.warnings.map((w) => `warning: ${w}`)];
  const summary = `${r.root}: ${r.errors.length === 0 ? 'ok' : `${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}`} (adapter.yaml, ${r.checked.templates} template${r.checked.templates === 1 ? '' : 's'}, ${r.checked.scripts} script${r.checked.scripts === 1 ? '' : 's'})`;
  return [...lines, summary].join('\n');
}
