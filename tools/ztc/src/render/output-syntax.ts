/**
 * Generated `.yaml`/`.yml`/`.json` files must parse: a template value inserted raw (`label: hi: there`)
 * or a hand-built string can turn a manifest into text that no tool reads, and that must fail the
 * render (exit 3) instead of reaching git and the cluster. YAML files may hold several documents.
 */
import { extname } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Issue } from '../errors';

/** Why `content` does not parse as the format its extension names, or undefined when it does. */
export function syntaxProblem(path: string, content: string): { format: 'YAML' | 'JSON'; detail: string } | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    const lineCounter = new LineCounter();
    for (const doc of parseAllDocuments(content, { lineCounter, uniqueKeys: true, prettyErrors: false })) {
      const err = doc.errors[0];
      if (err) {
        const pos = lineCounter.linePos(err.pos[0]);
        return { format: 'YAML', detail: `line ${pos.line}, column ${pos.col}: ${err.message.split('\n')[0]}` };
      }
    }
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
