/**
 * Generated `.yaml`/`.yml`/`.json` files must parse: a template value inserted raw (`label: hi: there`)
 * or a hand-built string can turn a manifest into text that no tool reads, and that must fail the
 * render (exit 3) instead of reaching git and the cluster. YAML files may hold several documents.
 *
 * Parsing YAML costs ~15 ms per process before V8 has compiled the parser's paths, more than the rest
 * of an up-to-date render; so content that parsed once is remembered in the engine's cache (kind
 * `syntax`, util/content-cache.ts: `<cache>/ztc-syntax/<sha256>` on disk, like the transpile and validator caches).
 */
import { extname } from 'node:path';
import type { Issue } from '../errors';
import { ContentCache } from '../util/content-cache';

/** Part of every cache key: a new parser version or new rules check everything again. */
const parsed = new ContentCache('syntax', `yaml-${(require('yaml/package.json') as { version: string }).version}-1`);

function yamlProblem(content: string): string | undefined {
  if (parsed.get(content) !== undefined) return undefined;
  const { LineCounter, parseAllDocuments } = require('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  for (const doc of parseAllDocuments(content, { lineCounter, uniqueKeys: true, prettyErrors: false })) {
    const err = doc.errors[0];
    if (err) {
      const pos = lineCounter.linePos(err.pos[0]);
      return `line ${pos.line}, column ${pos.col}: ${err.message.split('\n')[0]}`;
    }
  }
  parsed.set(content, '');
  return undefined;
}

/** Why `content` does not parse as the format its extension names, or undefined when it does. */
export function syntaxProblem(path: string, content: string): { format: 'YAML' | 'JSON'; detail: string } | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    const detail = yamlProblem(content);
    if (detail) return { format: 'YAML', detail };
  } else if (ext === '.json') {
    try {
      JSON.parse(content);
    } catch (e) {
      return { format: 'JSON', detail: (e as Error).message };
    }
  }
  return undefined;
}

/** One issue per generated file of `adapter` that does not parse; `file` is its render module. */
export function syntaxIssues(adapter: string, file: string, files: Record<string, string>): Issue[] {
  const issues: Issue[] = [];
  for (const [path, content] of Object.entries(files)) {
    const problem = syntaxProblem(path, content);
    if (!problem) continue;
    const filter = problem.format === 'YAML' ? 'yaml' : 'json';
    issues.push({
      file,
      path: `files[${JSON.stringify(path)}]`,
      message: `generated/${path} (adapter ${adapter}) is not valid ${problem.format}: ${problem.detail}`,
      hint: `quote values inserted into templates ({{ value | ${filter} }}) or build the text with a ${problem.format} serializer`,
    });
  }
  return issues;
}
