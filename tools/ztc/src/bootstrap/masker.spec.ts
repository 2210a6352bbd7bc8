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

/** A secret with every character the common encoders escape: quotes, space, slash, plus, &, =, é, %, \\. */
const SPECIAL = `tok'en "q" a/b+c&d=e é%\\z`;
/** Output of a bash snippet that prints $S in some encoding (real tools: jq, xxd, basenc, printf %q). */
const sh = (script: string, secret = SPECIAL): string =>
  execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH, LANG: 'C.UTF-8', S: secret } })
    .toString()
    .replace(/\n$/, '');
const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

describe('Masker: encoded forms', () => {
  const m = new Masker([SPECIAL]);
  it.each([
    ['JSON-escaped (jq --arg)', `jq -cn --arg v "$S" '{token: $v}'`, '{"token":"***"}'],
    ['JSON-escaped to ASCII (jq -a)', `jq -acn --arg v "$S" '{token: $v}'`, '{"token":"***"}'],
    ['URL-encoded (jq @uri, as in a curl URL)', `jq -rn --arg v "$S" '"https://api/x?token=" + ($v|@uri) + "&y=1"'`, 'https://api/x?token=***&y=1'],
    ['form-encoded (+ for space)', `python3 -c 'import os, urllib.parse as u; print(u.quote_plus(os.environ["S"]))'`, '***'],
    ['URL-encoded, slashes kept', `python3 -c 'import os, urllib.parse as u; print(u.quote(os.environ["S"]))'`, '***'],
    ['hex, lower case (xxd -p)', 'printf %s "$S" | xxd -p -c 256', '***'],
    ['hex, upper case', 'printf %s "$S" | xxd -p -u -c 256', '***'],
    ['hex of `echo` output', 'echo "$S" | xxd -p -c 256', '***'],
    ['base64url (basenc, padded)', 'printf %s "$S" | basenc --base64url -w0', '***'],
    ['shell-escaped (printf %q)', `printf 'export T=%q' "$S"`, 'export T=***'],
    ['shell-escaped with octal escapes (printf %q, C locale)', `LANG=C printf 'T=%q' "$S"`, "T=$'***'"],
    ['shell-quoted (${S@Q})', `printf 'T=%s' "\${S@Q}"`, "T='***'"],
    ['shell-quoted (shlex.quote)', `python3 -c 'import os, shlex; print("T=" + shlex.quote(os.environ["S"]))'`, "T='***'"],
  ])('masks the value %s', (_n, script, expected) => {
    const printed = sh(script);
    expect(printed).not.toContain('***');
    expect(m.mask(printed)).toBe(expected);
  });

  it('masks URL encoding with lower-case hex and base64url without padding', () => {
    expect(m.mask(lowerHex(sh(`jq -rn --arg v "$S" '$v|@uri'`)))).toBe('***');
    expect(m.mask(`t=${Buffer.from(SPECIAL).toString('base64url')}.`)).toBe('t=***.');
    expect(m.mask(Buffer.from(`${SPECIAL}\n`).toString('base64url'))).toBe('***');
  });

  it('finds every form, so the state guard and the context check catch them too', () => {
    for (const script of ['printf %s "$S" | xxd -p -c 256', `jq -rn --arg v "$S" '$v|@uri'`, `jq -cn --arg v "$S" '$v'`]) expect(m.finds(sh(script))).toBe(true);
    expect(m.finds('nothing to see: tok en q')).toBe(false);
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

  it('masks a value split across two lines at any position (only a 1-character first piece can show)', () => {
    for (let i = 1; i < SECRET.length; i++) {
      const lines = collect(masker, [`key: ${SECRET.slice(0, i)}\n  ${SECRET.slice(i)} (end)\n`]);
      expect(lines).toEqual([i === 1 ? `key: ${SECRET[0]}` : `key: ${MASK}`, `  ${MASK} (end)`]);
    }
  });

  it('masks a hex value split across lines by xxd -p (60 columns)', () => {
    const long = `${SECRET}${SECRET}`; // 100 hex digits: two lines of xxd -p output
    const printed = execFileSync('xxd', ['-p'], { input: long }).toString().trimEnd().split('\n');
    expect(printed).toHaveLength(2);
    expect(collect(new Masker([long]), [`${printed.join('\n')}\n`])).toEqual([MASK, MASK]);
  });

  it('does not hold back lines that only look like the start of a value', () => {
    const lines: string[] = [];
    const stream = new MaskedLines(masker, (l) => lines.push(l));
    stream.write('ordinary line\nanother one x\n');
    expect(lines).toEqual(['ordinary line', 'another one x']);
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
