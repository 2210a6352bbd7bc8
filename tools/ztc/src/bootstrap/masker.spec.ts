import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { base64Forms, MASK, Masker, MaskedLines } from './masker';

const SECRET = 'hunter2-Sup3rSecret-Value';
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  '-----END PRIVATE KEY-----',
].join('\n');

function collect(masker: Masker, chunks: (string | Buffer)[], maxLine?: number): string[] {
  const lines: string[] = [];
  const stream = new MaskedLines(masker, (l) => lines.push(l), maxLine);
  for (const c of chunks) stream.write(c);
  stream.end();
  return lines;
}

/** Every way of cutting `text` into two chunks. */
function allSplits(text: string): [string, string][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)] as [string, string]);
}

describe('Masker', () => {
  it('masks the value wherever it appears, also several times in one line', () => {
    const m = new Masker([SECRET]);
    expect(m.mask(`token=${SECRET}; again ${SECRET}!`)).toBe(`token=${MASK}; again ${MASK}!`);
  });

  it('masks the base64 form as printed by `base64`, with or without a trailing newline, and embedded', () => {
    const m = new Masker([SECRET]);
    for (const input of [SECRET, `${SECRET}\n`, `user:${SECRET}`, `ab:${SECRET}:cd`]) {
      const encoded = execFileSync('base64', ['-w0'], { input }).toString();
      expect(m.mask(encoded)).not.toContain(encoded.slice(8, 24));
      expect(m.mask(encoded)).toContain(MASK);
    }
  });

  it('masks a whole standalone encoding, padding included, so no trailing byte shows', () => {
    const m = new Masker([SECRET]);
    for (const input of [SECRET, `${SECRET}\n`]) {
      expect(m.mask(execFileSync('base64', ['-w0'], { input }).toString())).toBe(MASK);
    }
  });

  it('masks each line of a long value wrapped by `base64` at 76 columns', () => {
    const m = new Masker([PEM]);
    const wrapped = execFileSync('base64', { input: PEM }).toString().trimEnd().split('\n');
    expect(wrapped.length).toBeGreaterThan(1);
    for (const line of wrapped.slice(0, -1)) expect(m.mask(line)).toBe(MASK);
  });

  it('masks each line of a multi-line secret, so a PEM key printed line by line leaks nothing', () => {
    const m = new Masker([PEM]);
    const printed = PEM.split('\n').map((l) => m.mask(l));
    expect(printed.join('\n')).not.toMatch(/MIIE|MzEf/);
    expect(m.mask(PEM)).toBe(MASK);
  });

  it('leaves text alone without secrets and ignores empty values', () => {
    expect(new Masker([]).mask('plain')).toBe('plain');
    expect(new Masker(['']).mask('plain')).toBe('plain');
  });

  it('finds secrets for the state-dir guard', () => {
    const m = new Masker([SECRET]);
    expect(m.finds(`x${SECRET}x`)).toBe(true);
    expect(m.finds(`x${SECRET}x`)).toBe(true);
    expect(m.finds('nothing here')).toBe(false);
  });

  it('skips base64 forms of very short values (they would match ordinary text)', () => {
    expect(base64Forms('ab')).toEqual([]);
  });
});

describe('MaskedLines', () => {
  const masker = new Masker([SECRET]);

  it('masks a secret split across two chunks at every possible position', () => {
    const text = `before ${SECRET} after\nsecond line\n`;
    for (const [a, b] of allSplits(text)) {
      expect(collect(masker, [a, b])).toEqual([`before ${MASK} after`, 'second line']);
    }
  });

  it('masks a secret delivered one byte at a time, including multi-byte UTF-8 around it', () => {
    const text = `é ${SECRET} ✓`;
    const bytes = Buffer.from(text);
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    expect(collect(masker, chunks)).toEqual([`é ${MASK} ✓`]);
  });

  it('flushes the last partial line at the end and strips CR of CRLF lines', () => {
    expect(collect(masker, ['one\r\ntwo', ` ${SECRET}`])).toEqual(['one', `two ${MASK}`]);
  });

  it('emits an over-long line in pieces without cutting through a secret', () => {
    const long = `${'x'.repeat(90)}${SECRET}${'y'.repeat(90)}`;
    for (const [a, b] of allSplits(long)) {
      const pieces = collect(masker, [a, b], 40);
      expect(pieces.join('')).toBe(`${'x'.repeat(90)}${MASK}${'y'.repeat(90)}`);
      expect(pieces.join('')).not.toContain(SECRET.slice(0, 6));
    }
  });
});
