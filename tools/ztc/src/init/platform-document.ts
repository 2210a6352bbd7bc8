/**
 * platform.yaml as init writes it, through the `yaml` Document API: on an existing file only the values
 * that changed are replaced, so comments, key order and the style of untouched values stay as they are;
 * a new key goes where the adapter's schema puts it. A new file gets `version`, `platform`, `adapters` in
 * that order, the adapters in render order. Lists of scalars and the items of lists are written in flow
 * style (`[a, b]`, `- { name: x, ip: y }`), like the example platform. The first line is the
 * yaml-language-server modeline that points editors at `ztc schema`'s output.
 */
import type { Document, Node, YAMLMap } from 'yaml';

/** The yaml package, loaded when a document is edited (every ztc command loads this module; few edit). */
const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');
import { lines, ops } from '../util/diff';
import { sameValue } from './fields';
import type { InitResult } from './types';

export const SCHEMA_FILE = 'platform.schema.json';
export const MODELINE = `# yaml-language-server: $schema=./${SCHEMA_FILE}`;

function styled(doc: Document, value: unknown): Node {
  const node = doc.createNode(value) as Node;
  const visit = (n: unknown, inSeq: boolean): void => {
    if (yaml().isSeq(n)) {
      n.flow = n.items.every((i) => yaml().isScalar(i));
      n.items.forEach((i) => visit(i, true));
    } else if (yaml().isMap(n)) {
      n.flow = inSeq || n.items.length === 0;
      n.items.forEach((p) => visit(p.value, false));
    }
  };
  visit(node, false);
  return node;
}

/** `map.key = value`, keeping the node when the value is unchanged; a new key goes after its schema predecessor. */
function setKey(doc: Document, map: YAMLMap, key: string, value: unknown, order: readonly string[]): void {
  const pair = map.items.find((p) => (yaml().isScalar(p.key) ? p.key.value : p.key) === key);
  if (pair) {
    const current: unknown = pair.value && typeof (pair.value as Node).toJSON === 'function' ? (pair.value as Node).toJSON() : pair.value;
    if (!sameValue(current, value)) pair.value = styled(doc, value);
    return;
  }
  const newPair = doc.createPair(key, null);
  newPair.value = styled(doc, value);
  const rank = order.indexOf(key);
  let at = map.items.length;
  if (rank >= 0) {
    const after = map.items.findIndex((p) => {
      const r = order.indexOf(String(yaml().isScalar(p.key) ? p.key.value : p.key));
      return r > rank;
    });
    if (after >= 0) at = after;
  }
  map.items.splice(at, 0, newPair);
}

function childMap(doc: Document, parent: YAMLMap, key: string, flow = false): YAMLMap {
  const existing = parent.get(key, true);
  if (yaml().isMap(existing)) return existing;
  const map = new (yaml().YAMLMap)(doc.schema);
  map.flow = flow;
  parent.set(key, map);
  return map;
}

/** The text of platform.yaml after init: `existing` edited in place, or a new file. */
export function platformYaml(existing: string | undefined, result: InitResult, fieldOrder: (adapter: string) => string[]): string {
  const doc = existing !== undefined ? yaml().parseDocument(existing) : new (yaml().Document)({ version: '1.0', platform: {}, adapters: {} });
  if (!yaml().isMap(doc.contents)) doc.contents = doc.createNode({});
  const top = doc.contents as YAMLMap;
  setKey(doc, top, 'version', '1.0', ['version', 'platform', 'adapters']);
  const platform = childMap(doc, top, 'platform');
  for (const [k, v] of Object.entries(result.meta)) if (v !== undefined) setKey(doc, platform, k, v, Object.keys(result.meta));
  const adapters = childMap(doc, top, 'adapters');
  for (const p of [...adapters.items]) {
    const name = String(yaml().isScalar(p.key) ? p.key.value : p.key);
    if (!result.sections.has(name)) adapters.delete(name);
  }
  for (const name of result.order) {
    const desired = result.sections.get(name) ?? new Map<string, unknown>();
    const node = adapters.get(name, true);
    if ((node === null || node === undefined || (yaml().isScalar(node) && node.value === null)) && adapters.has(name) && desired.size === 0) continue;
    const section = yaml().isMap(node) ? node : childMap(doc, adapters, name, desired.size === 0);
    for (const p of [...section.items]) {
      const key = String(yaml().isScalar(p.key) ? p.key.value : p.key);
      if (!desired.has(key)) section.delete(key);
    }
    const order = fieldOrder(name);
    for (const [k, v] of desired) setKey(doc, section, k, v, order);
  }
  const printed = doc.toString({ lineWidth: 0 });
  const text = existing === undefined ? printed : keepLineFormatting(existing, printed);
  return text.startsWith(`${MODELINE}\n`) ? text : `${MODELINE}\n${text}`;
}

/** A line compared without the spacing the YAML printer normalises (inside flow collections, before a comment). */
function spacingFree(line: string): string {
  return line
    .replace(/([[{])\s+/g, '$1')
    .replace(/\s+([\]}])/g, '$1')
    .replace(/\s+#/g, ' #')
    .trimEnd();
}

/**
 * The printer re-spaces lines it did not change (`[a]` → `[ a ]`, the gap before a comment). Where a
 * printed line differs from the original line it replaces only in such spacing, keep the original line.
 * The result must parse to the same data as the printed text, else the printed text is used.
 */
export function keepLineFormatting(original: string, printed: string): string {
  const out: string[] = [];
  const edits = ops(lines(original), lines(printed));
  for (let i = 0; i < edits.length;) {
    if (edits[i]!.kind === ' ') {
      out.push(edits[i++]!.line);
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (i < edits.length && edits[i]!.kind === '-') removed.push(edits[i++]!.line);
    while (i < edits.length && edits[i]!.kind === '+') added.push(edits[i++]!.line);
    added.forEach((line, k) => out.push(k < removed.length && spacingFree(removed[k]!) === spacingFree(line) ? removed[k]! : line));
  }
  const text = `${out.join('\n')}\n`;
  try {
    const same = sameValue(yaml().parseDocument(text).toJS(), yaml().parseDocument(printed).toJS()) && yaml().parseDocument(text).errors.length === 0;
    return same ? text : printed;
  } catch {
    return printed;
  }
}
