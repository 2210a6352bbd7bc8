/**
 * Secret masking (CONTRACT §6: "every secret value is masked in everything ZTC prints or stores").
 *
 * `Masker` replaces every form of every secret value (secret-forms.ts; docs/bootstrap.md lists them and
 * what stays out of reach):
 * - literal forms: the value; each line of a multi-line value (PEM keys are printed line by line); its
 *   base64 and base64url encodings (`… | base64` at any of the three byte alignments, whole with or
 *   without padding, and wrapped at 64 or 76 columns); its hex encoding in lower and upper case (also
 *   wrapped at 60 columns, as `xxd -p` prints it);
 * - each literal form is matched however its characters are escaped, character by character: URL /
 *   percent-encoding (either hex case, `+` for a space), JSON escapes (`\"`, `\\`, `\/`, `\n`, `\u00e9`),
 *   shell escapes (`\ `, `\'`, octal `\303`, a quote closed and reopened as `'\''` or `'"'"'`).
 * A short literal alternation (anchorsOf) is tested first, so most lines never reach the full pattern.
 *
 * `MaskedLines` turns a byte stream into masked lines: it buffers up to each newline, so a value split
 * across chunks is still found, flushes very long lines without ever cutting through a secret, and
 * masks a literal form split across two consecutive lines (it holds a line back, briefly, when its end
 * looks like the start of a secret).
 */
import { StringDecoder } from 'node:string_decoder';
import { anchorsOf, literalForms, tolerantPattern } from './secret-forms';

export { base64Forms } from './secret-forms';

export const MASK = '***';
/** A line is held back when it ends with at least this much of the start of a secret form (≥ 2: see pair). */
const MIN_HELD_PIECE = 2;
/** A piece of a form at the start or end of a line is masked on its own from this length on. */
const MIN_EDGE_PIECE = 8;
/** Longest a line is held back waiting for the rest of a split secret. */
const HOLD_MS = 200;
/** Pieces of a form split across lines are looked for within this many characters of the break. */
const MAX_PIECE = 4096;

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
