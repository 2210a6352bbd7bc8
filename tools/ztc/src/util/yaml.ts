/**
 * YAML reading with errors that name the file and line. Duplicate keys, aliases to nowhere, alias
 * bombs, tags other than the plain core types, bytes that are not UTF-8 and multiple documents are
 * errors (exit 3), never silently resolved, dropped or turned into U+FFFD.
 *
 * A text that parsed once is remembered by content (content-cache.ts) as the JSON of its value, when
 * JSON carries that value exactly: a warm start reads platform.yaml and every adapter.yaml without
 * loading the parser (~40 ms in a fresh process). Problems are never cached; such a text is parsed,
 * and reported, every time.
 */
import { readFileSync } from 'node:fs';
import type { Document } from 'yaml';
import { ConfigError, type Issue } from '../errors';
import { ContentCache } from './content-cache';
import { jsonExact } from './json-safety';

export interface YamlSource {
  /** Workspace-relative name used in messages. */
  file: string;
  text: string;
}

/** Aliases one document may expand; a few hundred nested ones can make gigabytes (an "alias bomb"). */
const MAX_ALIAS_COUNT = 100;
/** Explicit tags that only restate what plain YAML means; anything else (`!vault`, `!!binary`) is refused. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

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
  return { raw, value: parseYaml({ file: displayName, text: decodeUtf8(raw, displayName) }) };
}

/** The text of `raw`, or a ConfigError naming the first byte that is not UTF-8 (never a silent U+FFFD). */
export function decodeUtf8(raw: Buffer, file: string): string {
  const text = raw.toString('utf8');
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    const offset = Buffer.byteLength(text.slice(0, i));
    if (raw[offset] === 0xef && raw[offset + 1] === 0xbf && raw[offset + 2] === 0xbd) continue; // a real U+FFFD
    const line = raw.subarray(0, offset).toString('latin1').split('\n').length;
    throw ConfigError.one({
      file,
      path: `byte ${offset} (line ${line})`,
      message: `not valid UTF-8 (0x${raw[offset]!.toString(16).padStart(2, '0')})`,
      hint: 'save the file as UTF-8',
    });
  }
  return text;
}

/** Bump when the parse options or the checks below change. */
const parsed = new ContentCache('yaml', `yaml-${(require('yaml/package.json') as { version: string }).version}-strict-1`);

export function parseYaml(src: YamlSource): unknown {
  const hit = parsed.get(src.text);
  if (hit !== undefined) return JSON.parse(hit);
  const value = parseFresh(src);
  if (jsonExact(value)) parsed.set(src.text, JSON.stringify(value));
  return value;
}

function parseFresh(src: YamlSource): unknown {
  const { LineCounter, parseDocument } = require('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(src.text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): string => {
    const pos = lineCounter.linePos(offset);
    return `line ${pos.line}, column ${pos.col}`;
  };
  const problems: Issue[] = doc.errors.map((err) => {
    const duplicate = err.code === 'DUPLICATE_KEY';
    return {
      file: src.file,
      path: at(err.pos[0]),
      message: duplicate ? 'duplicate key (each key may appear once in a mapping)' : `invalid YAML: ${firstLine(err.message)}`,
      hint: duplicate ? 'remove or merge the repeated key' : 'fix the YAML syntax at that position',
    };
  });
  if (problems.length === 0) problems.push(...unsupportedNodes(doc, src.file, at));
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package throws a plain error for an alias bomb; it is bad input, not a bug of ours.
    throw ConfigError.one({
      file: src.file,
      path: '',
      message: `too many aliases (${firstLine((e as Error).message)})`,
      hint: `expand anchors and aliases (&x / *x): at most ${MAX_ALIAS_COUNT} alias expansions are allowed`,
    });
  }
}

/** Tags outside the core schema and aliases without an anchor, with their positions. */
function unsupportedNodes(doc: Document, file: string, at: (offset: number) => string): Issue[] {
  const { isAlias, isNode, visit } = require('yaml') as typeof import('yaml');
  const issues: Issue[] = [];
  const anchors = new Set<string>();
  visit(doc, (_key, node) => {
    if (!isNode(node)) return;
    const where = at(node.range?.[0] ?? 0);
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        issues.push({
          file,
          path: where,
          message: `alias "*${node.source}" refers to no anchor defined before it`,
          hint: `define "&${node.source}" earlier in the file, or write the value out`,
        });
      }
      return;
    }
    if (node.anchor) anchors.add(node.anchor);
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      const shown = node.tag.startsWith('tag:yaml.org,2002:') ? `!!${node.tag.slice('tag:yaml.org,2002:'.length)}` : node.tag;
      issues.push({
        file,
        path: where,
        message: `unsupported YAML tag "${shown}"`,
        hint: 'remove the tag: ZTC reads plain YAML (strings, numbers, booleans, null, lists, mappings); secrets come from env vars, never from the file',
      });
    }
  });
  return issues;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
