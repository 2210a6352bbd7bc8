/**
 * YAML reading with errors that name the file and line. Duplicate keys, aliases to nowhere and
 * multiple documents are errors, never silently resolved.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors';

export interface YamlSource {
  /** Workspace-relative name used in messages. */
  file: string;
  text: string;
}

export function readYamlFile(absPath: string, displayName: string): { raw: Buffer; value: unknown } {
  let raw: Buffer;
  try {
    raw = readFileSync(absPath);
  } catch (e) {
    throw ConfigError.one({
      file: displayName,
      path: '',
      message: `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    });
  }
  return { raw, value: parseYaml({ file: displayName, text: raw.toString('utf8') }) };
}

export function parseYaml(src: YamlSource): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(src.text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems = [...doc.errors];
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        const duplicate = err.code === 'DUPLICATE_KEY';
        return {
          file: src.file,
          path: `line ${pos.line}, column ${pos.col}`,
          message: duplicate ? 'duplicate key (each key may appear once in a mapping)' : `invalid YAML: ${firstLine(err.message)}`,
          hint: duplicate ? 'remove or merge the repeated key' : 'fix the YAML syntax at that position',
        };
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
