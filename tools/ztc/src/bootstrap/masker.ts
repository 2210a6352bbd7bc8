/**
 * Secret masking (CONTRACT §6: "every secret value is masked in everything ZTC prints or stores").
 *
 * `Masker` knows the forms a secret takes in output (docs/bootstrap.md lists them and what stays out of
 * reach):
 * - literal forms: the value; each line of a multi-line value (PEM keys are printed line by line); its
 *   base64 and base64url encodings (`… | base64` at any of the three byte alignments, whole with or
 *   without padding, and wrapped at 64 or 76 columns); its hex encoding in lower and upper case (also
 *   wrapped at 60 columns, as `xxd -p` prints it);
 * - each literal form is matched however its characters are escaped, character by character: URL /
 *   percent-encoding (either hex case, `+` for a space), JSON escapes (`\"`, `\\`, `\/`, `\n`, `\u00e9`),
 *   shell escapes (`\ `, `\'`, octal `\303`, a quote closed and reopened as `'\''` or `'"'"'`).
 *
 * `MaskedLines` turns a byte stream into masked lines: it buffers up to each newline, so a value split
 * across chunks is still found, flushes very long lines without ever cutting through a secret, and
 * masks a literal form split across two consecutive lines (it holds a line back, briefly, when its end
 * looks like the start of a secret).
 */
import { StringDecoder } from 'node:string_decoder';

export const MASK = '***';
/** Lines of a multi-line secret shorter than this are too generic to mask on their own ("", "}"). */
const MIN_LINE_PART = 8;
/** Shortest base64 fragment worth masking; shorter ones would hit ordinary text. */
const MIN_BASE64 = 8;
/** Line widths of coreutils `base64` and of openssl / PEM. */
const BASE64_WRAPS = [76, 64];
/** Line width of `xxd -p` (hex digits). */
const HEX_WRAP = 60;
/** A line is held back when it ends with at least this much of the start of a secret form (≥ 2: see pair). */
const MIN_HELD_PIECE = 2;
/** A piece of a form at the start or end of a line is masked on its own from this length on. */
const MIN_EDGE_PIECE = 8;
/** Longest a line is held back waiting for the rest of a split secret. */
const HOLD_MS = 200;
/** Pieces of a form split across lines are looked for within this many characters of the break. */
const MAX_PIECE = 4096;
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
function literalForms(value: string): string[] {
  const forms = [value];
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) forms.push(...lines.filter((l) => l.length >= MIN_LINE_PART));
  forms.push(...base64Forms(value), ...hexForms(value));
  return forms;
}

/** `4e` → `4[eE]`: hex digits in either case. */
const hexCI = (n: number, width: number): string =>
  n.toString(16).padStart(width, '0').replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);

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
function tolerantPattern(form: string): { source: string; maxLength: number } {
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
function anchorsOf(forms: readonly string[]): RegExp | undefined {
  const anchors = new Set<string>();
  for (const form of forms) {
    const runs = form.match(/[A-Za-z0-9]+/g);
    if (!runs) return undefined; // nothing literal to look for: always run the full pattern
    anchors.add(runs.reduce((a, b) => (b.length > a.length ? b : a)).slice(0, ANCHOR_LENGTH));
  }
  return new RegExp([...anchors].map(escapeRegExp).join('|'));
}

/** Where pieces of forms start: the forms by their first characters, and every later MIN_EDGE_PIECE-gram. */
interface PieceIndex {
  /** First two UTF-16 units (as one number, see pair) → forms starting with them. */
  leads: Map<number, string[]>;
  /** MIN_EDGE_PIECE characters → [form, offset > 0] where they occur. */
  grams: Map<string, [string, number][]>;
}

/** The UTF-16 units at i and i + 1 as one number: a map key that costs no string. */
const pair = (text: string, i: number): number => text.charCodeAt(i) * 0x10000 + text.charCodeAt(i + 1);

function pieceIndex(forms: readonly string[]): PieceIndex {
  const leads = new Map<number, string[]>();
  const grams = new Map<string, [string, number][]>();
  for (const form of forms) {
    const lead = pair(form, 0);
    leads.set(lead, [...(leads.get(lead) ?? []), form]);
    for (let j = Math.max(1, form.length - MAX_PIECE); j + MIN_EDGE_PIECE < form.length; j++) {
      const gram = form.slice(j, j + MIN_EDGE_PIECE);
      const list = grams.get(gram) ?? [];
      list.push([form, j]);
      grams.set(gram, list);
    }
  }
  return { leads, grams };
}

/** Replaces every known form of every secret value with `***`. */
export class Masker {
  private readonly pattern: RegExp | undefined;
  private readonly anchors: RegExp | undefined;
  private readonly index: PieceIndex;
  /** Length of the longest text one match can cover (0 without secrets). */
  readonly maxLength: number;
  /** Literal single-line forms, longest first (for pieces split across lines). */
  readonly forms: readonly string[];
  private readonly formSet: ReadonlySet<string>;

  constructor(secretValues: Iterable<string>) {
    const forms = new Set<string>();
    for (const value of secretValues) if (value) for (const f of literalForms(value)) forms.add(f);
    // Longest first, so a value is masked whole before any shorter form inside it is tried.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    const patterns = sorted.map(tolerantPattern);
    this.maxLength = Math.max(0, ...patterns.map((p) => p.maxLength));
    this.pattern = patterns.length ? new RegExp(patterns.map((p) => p.source).join('|'), 'g') : undefined;
    this.anchors = anchorsOf(sorted);
    this.forms = sorted.filter((f) => !/[\r\n]/.test(f));
    this.formSet = new Set(this.forms);
    this.index = pieceIndex(this.forms);
  }

  /** False only when `text` certainly holds no form. */
  private mayHold(text: string): boolean {
    return this.pattern !== undefined && (this.anchors === undefined || this.anchors.test(text));
  }

  mask(text: string): string {
    return this.mayHold(text) ? text.replace(this.pattern!, MASK) : text;
  }

  /** True when `text` holds any form of a secret (also when a line break splits it: files are joined). */
  finds(text: string): boolean {
    const test = (t: string): boolean => {
      if (!this.mayHold(t)) return false;
      this.pattern!.lastIndex = 0;
      return this.pattern!.test(t);
    };
    if (test(text)) return true;
    const joined = text.replace(/\r?\n[ \t]*/g, '');
    return joined !== text && test(joined);
  }

  /** [start, end) of each occurrence in `text`, left to right. */
  *occurrences(text: string): Generator<[number, number]> {
    if (!this.mayHold(text)) return;
    const re = new RegExp(this.pattern!.source, 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) yield [m.index, m.index + m[0].length];
  }

  /**
   * The forms whose first k characters (k ≥ min ≥ MIN_HELD_PIECE, less than the whole form) end `text`,
   * with k; longest first. Only the last MAX_PIECE characters of `text` are looked at.
   */
  startsOfFormsAtEnd(text: string, min: number): { form: string; length: number }[] {
    const found = new Map<string, number>();
    const longest = Math.min(MAX_PIECE, (this.forms[0]?.length ?? 1) - 1);
    for (let i = Math.max(0, text.length - longest); i <= text.length - min; i++) {
      const forms = this.index.leads.get(pair(text, i));
      if (!forms) continue;
      const piece = text.slice(i);
      for (const form of forms) if (!found.has(form) && piece.length < form.length && form.startsWith(piece)) found.set(form, piece.length);
    }
    return [...found].map(([form, length]) => ({ form, length })).sort((a, b) => b.length - a.length);
  }

  /** Length of the longest last piece (≥ MIN_EDGE_PIECE characters, less than the whole form) of a form that `text` starts with, or 0. */
  endOfFormAtStart(text: string): number {
    let best = 0;
    for (const [form, j] of this.index.grams.get(text.slice(0, MIN_EDGE_PIECE)) ?? []) {
      if (form.length - j > best && text.startsWith(form.slice(j))) best = form.length - j;
    }
    return best;
  }

  /** True when `text` is exactly one literal form. */
  isForm(text: string): boolean {
    return this.formSet.has(text);
  }
}

/** A complete line waiting to see whether the next line completes a secret that its end starts. */
interface Held {
  line: string;
  /** The secret forms whose start the line ends with, and how much of each. */
  starts: { form: string; length: number }[];
}

/** Splits a byte stream into lines and hands each one, masked, to `emit`. */
export class MaskedLines {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');
  private held: Held | undefined;
  private holdTimer: NodeJS.Timeout | undefined;

  /** @param maxLine a line longer than this is emitted in pieces @default 65536 */
  constructor(
    private readonly masker: Masker,
    private readonly emit: (line: string) => void,
    private readonly maxLine = 64 * 1024,
  ) {}

  write(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n', start)) {
      this.line(this.buffer.slice(start, nl));
      start = nl + 1;
    }
    this.buffer = this.buffer.slice(start);
    while (this.buffer.length > this.maxLine && this.flushLongLine());
  }

  /** Flush the last, unterminated line (call when the stream ends). */
  end(): void {
    this.buffer += this.decoder.end();
    if (this.buffer.length > 0) this.line(this.buffer);
    this.buffer = '';
    this.release();
  }

  private line(raw: string): void {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const held = this.held;
    if (held) {
      this.held = undefined;
      clearTimeout(this.holdTimer);
      const indent = /^[ \t]*/.exec(line)![0];
      const rest = line.slice(indent.length);
      const joined = held.starts.find(({ form, length }) => rest.startsWith(form.slice(length)));
      if (joined) {
        this.emitMasked(`${held.line.slice(0, held.line.trimEnd().length - joined.length)}${MASK}`, []);
        line = `${indent}${MASK}${rest.slice(joined.form.length - joined.length)}`;
      } else {
        this.emitMasked(held.line, held.starts);
      }
    }
    const starts = this.masker.forms.length ? this.masker.startsOfFormsAtEnd(line.trimEnd(), MIN_HELD_PIECE) : [];
    if (starts.length > 0 && !this.masker.isForm(line.trim())) {
      this.held = { line, starts };
      this.holdTimer = setTimeout(() => this.release(), HOLD_MS);
      this.holdTimer.unref?.();
      return;
    }
    this.emitMasked(line, starts);
  }

  /** Emit the held line, if any, as it is. */
  private release(): void {
    clearTimeout(this.holdTimer);
    const held = this.held;
    this.held = undefined;
    if (held) this.emitMasked(held.line, held.starts);
  }

  /**
   * Mask a line, including a long enough piece of a secret at its very start, or at its very end
   * (`starts`: the form starts its end holds, as found by startsOfFormsAtEnd).
   */
  private emitMasked(line: string, starts: readonly { form: string; length: number }[]): void {
    let text = this.masker.mask(line);
    if (this.masker.forms.length) {
      const indent = /^[ \t]*/.exec(text)![0];
      const head = this.masker.endOfFormAtStart(text.slice(indent.length));
      if (head > 0) text = `${indent}${MASK}${text.slice(indent.length + head)}`;
      const body = text.trimEnd();
      const tail = starts.find((s) => s.length >= MIN_EDGE_PIECE && body.endsWith(s.form.slice(0, s.length)));
      if (tail) text = `${body.slice(0, body.length - tail.length)}${MASK}${text.slice(body.length)}`;
    }
    this.emit(text);
  }

  /**
   * Emit the head of an over-long line. An occurrence not yet complete starts within the last
   * maxLength-1 characters, so those stay buffered; the cut never falls inside a complete one.
   */
  private flushLongLine(): boolean {
    this.release();
    let cut = this.buffer.length - Math.max(this.masker.maxLength - 1, 0);
    for (const [start, end] of this.masker.occurrences(this.buffer)) {
      if (start >= cut) break;
      if (end > cut) {
        cut = end;
        break;
      }
    }
    if (cut <= 0) return false;
    this.emit(this.masker.mask(this.buffer.slice(0, cut)));
    this.buffer = this.buffer.slice(cut);
    return true;
  }
}
