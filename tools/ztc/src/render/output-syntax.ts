/**
 * Generated `.yaml`/`.yml`/`.json` files must parse: a template value inserted raw (`label: hi: there`)
 * or a hand-built string can turn a manifest into text that no tool reads, and that must fail the
 * render (exit 3) instead of reaching git and the cluster. YAML files may hold several documents.
 *
 * Parsing YAML costs ~15 ms per process before V8 has compiled the parser's paths, more than the rest
 * of an up-to-date render; so content that parsed once is remembered in a content-addressed cache
 * (`<cache>/ztc-syntax/<sha256>`, like the transpile and validator caches; safe to delete).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CACHE_ROOT } from '../constants';
import type { Issue } from '../errors';
import { sha256 } from '../util/hash';

/** Part of every cache key: a new parser version or new rules check everything again. */
const CACHE_VERSION = `yaml-${(require('yaml/package.json') as { version: string }).version}-1`;
const VALID_DIR = join(CACHE_ROOT, 'ztc-syntax');

function yamlProblem(content: string): string | undefined {
  const marker = join(VALID_DIR, sha256(`${CACHE_VERSION}\0${content}`));
  if (existsSync(marker)) return undefined;
  const { LineCounter, parseAllDocuments } = require('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  for (const doc of parseAllDocuments(content, { lineCounter, uniqueKeys: true, prettyErrors: false })) {
    const err = doc.errors[0];
    if (err) {
      const pos = lineCounter.linePos(err.pos[0]);
      return `line ${pos.line}, column ${pos.col}: ${err.message.split('\n')[0]}`;
    }
  }
  try {
    mkdirSync(VALID_DIR, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    /* a read-only cache only costs speed */
  }
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
