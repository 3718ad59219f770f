/** An input file that cannot be read: names the file and the 1-based line, says what was expected. */
export class ParseError extends Error {
  override name = 'ParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
  }
}

/** Parses a number the way C's strtod would for these files, but refuses NaN, infinities and junk. */
export function parseFiniteNumber(token: string, file: string, line: number, what: string): number {
  const t = token.trim();
  // Number('') is 0 and Number('0x10') is 16: neither is a number in these formats.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(t)) {
    throw new ParseError(file, line, `expected a number for ${what}, found '${token}'`);
  }
  // Fortran-style exponents (1.0D-3) appear in files from older codes.
  const v = Number(t.replace(/[dD]/, 'e'));
  if (!Number.isFinite(v)) throw new ParseError(file, line, `${what} is not finite: '${token}'`);
  return v;
}

export function parseInteger(token: string, file: string, line: number, what: string, min = 0): number {
  const t = token.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new ParseError(file, line, `expected an integer for ${what}, found '${token}'`);
  const v = Number(t);
  if (v < min) throw new ParseError(file, line, `${what} must be at least ${min}, found ${v}`);
  return v;
}

/** Shortest decimal that reads back to the same double: what `save` writes so a round trip is bit-exact. */
export function formatExact(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toFixed(1).replace(/\.0$/, '') : String(v);
}
