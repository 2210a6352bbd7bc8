/**
 * Secret masking (CONTRACT §6: "every secret value is masked in everything ZTC prints or stores").
 *
 * `Masker` knows the forms a secret can take in output: the value itself, each line of a multi-line
 * value (PEM keys are printed line by line), and its base64 encodings (`… | base64`, at any of the three
 * byte alignments, also as the 76-column lines `base64` wraps into). `MaskedLines` turns a byte stream
 * into masked lines: it buffers up to each newline, so a value split across chunks is still found, and
 * flushes very long lines without ever cutting through a secret.
 */
import { StringDecoder } from 'node:string_decoder';

export const MASK = '***';
/** Lines of a multi-line secret shorter than this are too generic to mask on their own ("", "}"). */
const MIN_LINE_PART = 8;
/** Shortest base64 fragment worth masking; shorter ones would hit ordinary text. */
const MIN_BASE64 = 8;
/** Line width of coreutils `base64`. */
const BASE64_WRAP = 76;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The parts of base64(x + value + y) that depend on `value` alone, for each alignment of `value` in
 * the encoded bytes: characters that also cover unknown neighbouring bytes are left out.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  // Whole encodings of `printf %s "$v" | base64` and `echo "$v" | base64`, padding included.
  const forms = [bytes, Buffer.from(`${value}\n`)].map((b) => b.toString('base64')).filter((f) => f.length >= MIN_BASE64);
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const end = Math.floor(padded.length / 3) * 4;
    const start = offset === 0 ? 0 : 4;
    for (const encoded of [padded.toString('base64'), padded.toString('base64url')]) {
      const stable = encoded.slice(start, end);
      if (stable.length >= MIN_BASE64) forms.push(stable);
    }
    if (offset === 0) {
      const std = padded.toString('base64').slice(0, end);
      for (let i = 0; i < end; i += BASE64_WRAP) {
        const line = std.slice(i, Math.min(i + BASE64_WRAP, end));
        if (line.length >= MIN_BASE64 && std.length > BASE64_WRAP) forms.push(line);
      }
    }
  }
  return forms;
}

/** Replaces every known form of every secret value with `***`. */
export class Masker {
  private readonly pattern: RegExp | undefined;
  /** Length of the longest form masked (0 without secrets). */
  readonly maxLength: number;

  constructor(secretValues: Iterable<string>) {
    const forms = new Set<string>();
    for (const value of secretValues) {
      if (!value) continue;
      forms.add(value);
      const lines = value.split(/\r?\n/).map((l) => l.trim());
      if (lines.length > 1) for (const l of lines) if (l.length >= MIN_LINE_PART) forms.add(l);
      for (const f of base64Forms(value)) forms.add(f);
    }
    // Longest first, so a value is masked whole before any shorter form inside it is tried.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    this.maxLength = sorted[0]?.length ?? 0;
    this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** True when `text` holds any form of a secret. */
  finds(text: string): boolean {
    if (!this.pattern) return false;
    this.pattern.lastIndex = 0;
    return this.pattern.test(text);
  }

  /** [start, end) of each occurrence in `text`, left to right. */
  *occurrences(text: string): Generator<[number, number]> {
    if (!this.pattern) return;
    const re = new RegExp(this.pattern.source, 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) yield [m.index, m.index + m[0].length];
  }
}

/** Splits a byte stream into lines and hands each one, masked, to `emit`. */
export class MaskedLines {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');

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
      this.emitLine(this.buffer.slice(start, nl));
      start = nl + 1;
    }
    this.buffer = this.buffer.slice(start);
    while (this.buffer.length > this.maxLine && this.flushLongLine());
  }

  /** Flush the last, unterminated line (call when the stream ends). */
  end(): void {
    this.buffer += this.decoder.end();
    if (this.buffer.length > 0) this.emitLine(this.buffer);
    this.buffer = '';
  }

  private emitLine(line: string): void {
    this.emit(this.masker.mask(line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  /**
   * Emit the head of an over-long line. An occurrence not yet complete starts within the last
   * maxLength-1 characters, so those stay buffered; the cut never falls inside a complete one.
   */
  private flushLongLine(): boolean {
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
