/**
 * JSON with comments and trailing commas, as Nx accepts in nx.json and project.json: parsed by
 * `jsonc-parser`, the parser Nx itself uses. The first error is thrown with its line and column.
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** "ValueExpected" → "a value expected"; "InvalidSymbol" → "invalid symbol". */
function describeError(e: ParseError): string {
  const words = printParseErrorCode(e.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.endsWith(' expected') ? `a ${words}` : words;
}

/** `offset` in `text` as a 1-based line and column. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/** The value of `text`; throws `line L, column C: <what is wrong>` at the first error. */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = position(text, first.offset);
    throw new SyntaxError(`line ${line}, column ${column}: ${describeError(first)}`);
  }
  return value;
}
