/**
 * Static checks of an adapter's templates: every `{{ … }}` must be a placeholder the engine's strict
 * interpolation understands (no Jinja blocks, no filters but `yaml` / `json`, no lists or mappings), and YAML / JSON
 * templates must still parse once placeholders are filled in.
 */
import { extname } from 'node:path';
import { FILTERS, interpolate } from '../../../../sdk/template';
import { parseYaml } from '../../../../util/yaml';
import { ConfigError, formatIssue } from '../../../../errors';

const CANDIDATE = /\{\{([\s\S]*?)\}\}/g;
const LEFTOVER = /\{\{|\}\}|\{%|%\}/;
const QUOTING_FILTER = new RegExp(`\\s*\\|\\s*(?:${Object.keys(FILTERS).join('|')})$`);

/** Variables that give every placeholder of `text` the scalar 0 (a value valid in YAML and JSON). */
function sampleVars(text: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const m of text.matchAll(CANDIDATE)) {
    const expr = m[1]!.trim().replace(QUOTING_FILTER, '');
    if (!/^[\w.[\]-]+$/.test(expr)) continue; // not a placeholder the engine knows: left for LEFTOVER
    const segments = expr.replace(/\[(\d+)\]/g, '.$1').split('.');
    let cur = vars;
    segments.forEach((seg, i) => {
      if (i === segments.length - 1) {
        if (!(seg in cur)) cur[seg] = 0;
      } else {
        if (cur[seg] === null || typeof cur[seg] !== 'object') cur[seg] = {};
        cur = cur[seg] as Record<string, unknown>;
      }
    });
  }
  return vars;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function unsupported(file: string, text: string, at: number, near = '{{'): string {
  return `${file}: line ${lineOf(text, at)}: unsupported template syntax near "${near}" (only {{ dotted.path }} placeholders with scalar values, optionally quoted with | yaml or | json)`;
}

/** Problems of one template (`file` is workspace-relative, for messages). */
export function checkTemplate(file: string, text: string): string[] {
  for (const m of text.matchAll(CANDIDATE)) {
    if (m[1]!.includes('|') && !QUOTING_FILTER.test(m[1]!.trim())) return [unsupported(file, text, m.index)];
  }
  let filled: string;
  try {
    filled = interpolate(text, sampleVars(text));
  } catch (e) {
    return [`${file}: ${(e as Error).message}`];
  }
  const leftover = LEFTOVER.exec(filled);
  if (leftover) {
    const at = text.search(/\{%|%\}/) >= 0 ? text.search(/\{%|%\}/) : text.indexOf(leftover[0]);
    return [unsupported(file, text, at, leftover[0])];
  }
  const ext = extname(file);
  try {
    if (ext === '.yaml' || ext === '.yml') parseYaml({ file, text: filled });
    else if (ext === '.json') JSON.parse(filled);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    return [`${file}: invalid JSON once placeholders are filled in: ${(e as Error).message}`];
  }
  return [];
}
