/**
 * The forms a secret value takes in output, for the masker: literal forms (the value, its lines, base64 /
 * base64url / hex encodings, whole and wrapped as common tools wrap them) and, for each, a regular
 * expression that also matches it with any of its characters escaped (URL, JSON, shell). docs/bootstrap.md
 * lists them and what stays out of reach.
 */

/** Lines of a multi-line secret shorter than this are too generic to mask on their own ("", "}"). */
const MIN_LINE_PART = 8;
/** Shortest base64 fragment worth masking; shorter ones would hit ordinary text. */
const MIN_BASE64 = 8;
/** Line widths of coreutils `base64` and of openssl / PEM. */
const BASE64_WRAPS = [76, 64];
/** Line width of `xxd -p` (hex digits). */
const HEX_WRAP = 60;
/** Length of the literal run every match must contain (see anchorsOf). */
const ANCHOR_LENGTH = 12;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The parts of an encoding of x + value + y that depend on `value` alone, for each byte alignment. */
function stableParts(bytes: Buffer, encoding: 'base64' | 'base64url'): string[] {
  const parts: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const end = Math.floor(padded.length / 3) * 4;
    parts.push(padded.toString(encoding).slice(offset === 0 ? 0 : 4, end));
  }
  return parts;
}

/** Lines of `text` wrapped at `width`, when it needs wrapping. */
function wrapped(text: string, width: number): string[] {
  if (text.length <= width) return [];
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
}

/**
 * The parts of base64(x + value + y) that depend on `value` alone, for each alignment of `value` in
 * the encoded bytes: characters that also cover unknown neighbouring bytes are left out.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: string[] = [];
  // Whole encodings of `printf %s "$v" | base64` and `echo "$v" | base64`, padding included or not.
  for (const b of [bytes, Buffer.from(`${value}\n`)]) {
    forms.push(b.toString('base64'), b.toString('base64url'), b.toString('base64url').padEnd(Math.ceil(b.length / 3) * 4, '='));
  }
  forms.push(...stableParts(bytes, 'base64'), ...stableParts(bytes, 'base64url'));
  const std = bytes.toString('base64');
  for (const width of BASE64_WRAPS) forms.push(...wrapped(std, width));
  return [...new Set(forms)].filter((f) => f.length >= MIN_BASE64);
}

/** Hex of the value (and of `echo`'s output), both cases, and the lines `xxd -p` wraps it into. */
function hexForms(value: string): string[] {
  const forms: string[] = [];
  for (const text of [value, `${value}\n`]) {
    const hex = Buffer.from(text, 'utf8').toString('hex');
    for (const h of [hex, hex.toUpperCase()]) forms.push(h, ...wrapped(h, HEX_WRAP));
  }
  return forms.filter((f) => f.length >= MIN_BASE64);
}

/** Every literal form of one secret value. */
export function literalForms(value: string): string[] {
  const forms = [value];
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) forms.push(...lines.filter((l) => l.length >= MIN_LINE_PART));
  forms.push(...base64Forms(value), ...hexForms(value));
  return forms;
}

/** `4e` → `4[eE]`: hex digits in either case. */
const hexCI = (n: number, width: number): string =>
  n
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);

const JSON_SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A regular expression for one character, written as it is or escaped in any common way. */
function charPattern(ch: string): { source: string; maxLength: number } {
  if (/^[A-Za-z0-9]$/.test(ch)) return { source: ch, maxLength: 1 };
  const bytes = [...Buffer.from(ch, 'utf8')];
  const units = Array.from({ length: ch.length }, (_, i) => ch.charCodeAt(i));
  const alts = new Set<string>([escapeRegExp(ch)]);
  alts.add(bytes.map((b) => `%${hexCI(b, 2)}`).join('')); // URL / percent-encoding
  alts.add(units.map((u) => `\\\\u${hexCI(u, 4)}`).join('')); // JSON \u escapes
  if (JSON_SHORT[ch]) alts.add(escapeRegExp(JSON_SHORT[ch]));
  if (ch === ' ') alts.add('\\+'); // form encoding
  alts.add(`\\\\${escapeRegExp(ch)}`); // shell backslash escape
  alts.add(bytes.map((b) => `\\\\${b.toString(8).padStart(3, '0')}`).join('')); // $'…' octal escapes
  if (ch === "'") alts.add("'\\\\''").add(`'"'"'`); // a single quote closed and reopened
  const maxLength = Math.max(ch.length, 3 * bytes.length, 6 * units.length, 4 * bytes.length, 5);
  return { source: `(?:${[...alts].join('|')})`, maxLength };
}

/** One literal form as a pattern that also matches its escaped spellings. */
export function tolerantPattern(form: string): { source: string; maxLength: number } {
  let source = '';
  let maxLength = 0;
  for (const ch of form) {
    const p = charPattern(ch);
    source += p.source;
    maxLength += p.maxLength;
  }
  return { source, maxLength };
}

/**
 * A necessary condition for any match: letters and digits are never escaped, so every occurrence of a
 * form contains its longest run of them literally. Testing a short literal alternation of those runs
 * first keeps the character-by-character pattern off the lines that cannot hold a secret (most).
 */
export function anchorsOf(forms: readonly string[]): RegExp | undefined {
  const anchors = new Set<string>();
  for (const form of forms) {
    const runs = form.match(/[A-Za-z0-9]+/g);
    if (!runs) return undefined; // nothing literal to look for: always run the full pattern
    anchors.add(runs.reduce((a, b) => (b.length > a.length ? b : a)).slice(0, ANCHOR_LENGTH));
  }
  return new RegExp([...anchors].map(escapeRegExp).join('|'));
}
