/**
 * MLIP-2 `.mtp` files (MTP version 1.1.0, RBChebyshev radial basis), read and written without loss.
 * The format is `key = value` lines in a fixed order (see test/fixtures/mtp/SPEC.md); list values are brace lists such as
 * `{{0, 0, 0, 0}, {0, 1, 0, 0}}`. Indentation differs between MLIP's own files and is ignored.
 */
import { formatExact, ParseError, parseFiniteNumber, parseInteger } from './errors.ts';

/**
 * Bounds on what a file may declare, checked as each count is read and before anything of that size is made: far
 * above any potential MLIP fits (level 28 has 17,000 moments, radial bases of 8-16, tensor rank 13, cutoffs 5-8 A),
 * far below what would exhaust memory or a neighbour list (a 1000 A cutoff).
 */
export const MTP_LIMITS = {
  speciesCount: 32,
  radialBasisSize: 64,
  radialFuncsCount: 64,
  maxDist: 20,
  alphaMomentsCount: 100_000,
  basicCount: 100_000,
  timesCount: 1_000_000,
  scalarMoments: 100_000,
  tensorRank: 32,
} as const;

export interface MtpFile {
  version: string;
  potentialName: string;
  /** Multiplies every radial basis function; 1 when the file has no `scaling` line. */
  scaling: number;
  /** Whether the file wrote `scaling` explicitly (kept so a saved file reads like the loaded one). */
  scalingWritten: boolean;
  speciesCount: number;
  potentialTag: string;
  radialBasisType: 'RBChebyshev';
  minDist: number;
  maxDist: number;
  radialBasisSize: number;
  radialFuncsCount: number;
  /** radialCoeffs[a][b][mu][q], or null for an untrained template. */
  radialCoeffs: number[][][][] | null;
  alphaMomentsCount: number;
  /** {mu, p, q, t} per basic moment. */
  alphaIndexBasic: [number, number, number, number][];
  /** {i0, i1, multiplicity, target} per contraction step, in evaluation order. */
  alphaIndexTimes: [number, number, number, number][];
  alphaMomentMapping: number[];
  speciesCoeffs: number[] | null;
  momentCoeffs: number[] | null;
}

export function isTrained(m: MtpFile): boolean {
  return m.radialCoeffs !== null && m.speciesCoeffs !== null && m.momentCoeffs !== null;
}

type Nested = number | Nested[];

interface Line {
  no: number;
  text: string;
}

/** Parses `{...}` brace lists of numbers; `where` names the key for messages. */
function parseBraces(src: string, file: string, line: number, where: string): Nested[] {
  let pos = 0;
  const skip = () => {
    while (pos < src.length && /\s/.test(src[pos])) pos++;
  };
  const fail = (msg: string): never => {
    throw new ParseError(file, line, `${where}: ${msg} at column ${pos + 1}`);
  };
  const list = (): Nested[] => {
    skip();
    if (src[pos] !== '{') fail(`expected '{'`);
    pos++;
    const items: Nested[] = [];
    skip();
    if (src[pos] === '}') {
      pos++;
      return items;
    }
    for (;;) {
      skip();
      if (src[pos] === '{') items.push(list());
      else {
        const start = pos;
        while (pos < src.length && !/[\s,{}]/.test(src[pos])) pos++;
        if (start === pos) fail('expected a number');
        items.push(parseFiniteNumber(src.slice(start, pos), file, line, where));
      }
      skip();
      if (src[pos] === ',') {
        pos++;
        continue;
      }
      if (src[pos] === '}') {
        pos++;
        return items;
      }
      fail(`expected ',' or '}'${pos >= src.length ? ' (list cut short)' : ''}`);
    }
  };
  const value = list();
  skip();
  if (pos !== src.length) fail('unexpected text after the list');
  return value;
}

function flatNumbers(v: Nested[], file: string, line: number, where: string): number[] {
  return v.map((x) => {
    if (typeof x !== 'number') throw new ParseError(file, line, `${where}: expected a flat list of numbers`);
    return x;
  });
}

function tuples4(v: Nested[], file: string, line: number, where: string): [number, number, number, number][] {
  return v.map((x, k) => {
    if (!Array.isArray(x) || x.length !== 4 || x.some((y) => typeof y !== 'number' || !Number.isInteger(y))) {
      throw new ParseError(file, line, `${where}: entry ${k + 1} must be {a, b, c, d} of 4 integers`);
    }
    return x as [number, number, number, number];
  });
}

export function parseMtp(text: string, file = 'potential.mtp'): MtpFile {
  const lines: Line[] = text.split(/\r?\n/).map((t, i) => ({ no: i + 1, text: t.trim() }));
  let idx = 0;
  const lastLine = lines.length;
  const next = (): Line | undefined => {
    while (idx < lines.length && lines[idx].text === '') idx++;
    return idx < lines.length ? lines[idx++] : undefined;
  };
  const peek = (): Line | undefined => {
    let j = idx;
    while (j < lines.length && lines[j].text === '') j++;
    return j < lines.length ? lines[j] : undefined;
  };
  /** Reads `key = value`; a brace value may continue over following lines until its braces balance. */
  const expectKey = (key: string): { value: string; line: number } => {
    const l = next();
    if (!l) throw new ParseError(file, lastLine, `file ends early: expected '${key} = ...'`);
    const m = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(l.text);
    if (!m || m[1] !== key) throw new ParseError(file, l.no, `expected '${key} = ...', found '${l.text.slice(0, 60)}'`);
    let value = m[2];
    if (value.startsWith('{')) {
      let depth = 0;
      const balance = (s: string) => {
        for (const c of s) depth += c === '{' ? 1 : c === '}' ? -1 : 0;
      };
      balance(value);
      while (depth > 0) {
        const more = next();
        if (!more)
          throw new ParseError(file, lastLine, `file ends inside the list of '${key}' (started on line ${l.no})`);
        value += ` ${more.text}`;
        balance(more.text);
      }
    }
    return { value, line: l.no };
  };
  const optionalKey = (key: string) => (peek()?.text.match(new RegExp(`^${key}\\s*=`)) ? expectKey(key) : undefined);
  const int = (key: string, min = 0, max = Number.MAX_SAFE_INTEGER) => {
    const { value, line } = expectKey(key);
    const v = parseInteger(value, file, line, key, min);
    if (v > max) throw new ParseError(file, line, `${key} = ${v} is beyond this reader's limit of ${max}`);
    return { v, line };
  };
  const num = (key: string) => {
    const { value, line } = expectKey(key);
    return parseFiniteNumber(value, file, line, key);
  };
  const list = (key: string) => {
    const { value, line } = expectKey(key);
    return { v: parseBraces(value, file, line, key), line };
  };

  const head = next();
  if (head?.text !== 'MTP') {
    throw new ParseError(file, head?.no ?? 1, `expected the first line to be 'MTP' (is this an MLIP .mtp file?)`);
  }
  const version = expectKey('version');
  if (version.value !== '1.1.0') {
    throw new ParseError(file, version.line, `unsupported MTP version '${version.value}' (this reader knows 1.1.0)`);
  }
  const potentialName = expectKey('potential_name').value;
  const scalingKey = optionalKey('scaling');
  const scaling = scalingKey ? parseFiniteNumber(scalingKey.value, file, scalingKey.line, 'scaling') : 1;
  const speciesCount = int('species_count', 1, MTP_LIMITS.speciesCount).v;
  const tag = optionalKey('potential_tag');
  const rbt = expectKey('radial_basis_type');
  if (rbt.value !== 'RBChebyshev') {
    throw new ParseError(file, rbt.line, `unsupported radial_basis_type '${rbt.value}' (expected RBChebyshev)`);
  }
  const minDist = num('min_dist');
  const maxDistLine = peek()?.no ?? lastLine;
  const maxDist = num('max_dist');
  if (maxDist > MTP_LIMITS.maxDist)
    throw new ParseError(
      file,
      maxDistLine,
      `max_dist = ${maxDist} A is beyond this reader's limit of ${MTP_LIMITS.maxDist} A`,
    );
  if (!(maxDist > minDist) || minDist < 0) {
    throw new ParseError(
      file,
      maxDistLine,
      `need 0 <= min_dist < max_dist, found min_dist = ${minDist}, max_dist = ${maxDist}`,
    );
  }
  const radialBasisSize = int('radial_basis_size', 1, MTP_LIMITS.radialBasisSize).v;
  const radialFuncsCount = int('radial_funcs_count', 1, MTP_LIMITS.radialFuncsCount).v;

  let radialCoeffs: number[][][][] | null = null;
  if (peek()?.text === 'radial_coeffs') {
    next();
    radialCoeffs = [];
    for (let a = 0; a < speciesCount; a++) {
      const row: number[][][] = [];
      for (let b = 0; b < speciesCount; b++) {
        const pairLine = next();
        const want = `${a}-${b}`;
        if (!pairLine || pairLine.text !== want) {
          throw new ParseError(
            file,
            pairLine?.no ?? lastLine,
            `expected the radial_coeffs block '${want}' (species_count = ${speciesCount}), found '${pairLine?.text ?? 'end of file'}'`,
          );
        }
        const funcs: number[][] = [];
        for (let mu = 0; mu < radialFuncsCount; mu++) {
          const l = next();
          if (!l?.text.startsWith('{')) {
            throw new ParseError(
              file,
              l?.no ?? lastLine,
              `radial_coeffs ${want}: expected ${radialFuncsCount} lines of {...} (radial_funcs_count), found ${mu}`,
            );
          }
          const coeffs = flatNumbers(
            parseBraces(l.text, file, l.no, `radial_coeffs ${want}`),
            file,
            l.no,
            `radial_coeffs ${want}`,
          );
          if (coeffs.length !== radialBasisSize) {
            throw new ParseError(
              file,
              l.no,
              `radial_coeffs ${want}: ${coeffs.length} numbers, but radial_basis_size = ${radialBasisSize}`,
            );
          }
          funcs.push(coeffs);
        }
        row.push(funcs);
      }
      radialCoeffs.push(row);
    }
  }

  const alphaMomentsCount = int('alpha_moments_count', 1, MTP_LIMITS.alphaMomentsCount).v;
  const basicCount = int('alpha_index_basic_count', 1, MTP_LIMITS.basicCount);
  const basicList = list('alpha_index_basic');
  const alphaIndexBasic = tuples4(basicList.v, file, basicList.line, 'alpha_index_basic');
  if (alphaIndexBasic.length !== basicCount.v) {
    throw new ParseError(
      file,
      basicList.line,
      `alpha_index_basic has ${alphaIndexBasic.length} entries, but alpha_index_basic_count = ${basicCount.v} (line ${basicCount.line})`,
    );
  }
  alphaIndexBasic.forEach(([mu, p, q, t], k) => {
    if (mu < 0 || mu >= radialFuncsCount || p < 0 || q < 0 || t < 0 || p + q + t > MTP_LIMITS.tensorRank) {
      throw new ParseError(
        file,
        basicList.line,
        `alpha_index_basic entry ${k + 1} {${mu}, ${p}, ${q}, ${t}}: mu must be in 0..${radialFuncsCount - 1}, powers >= 0 ` +
          `and their sum (the tensor rank) at most ${MTP_LIMITS.tensorRank}`,
      );
    }
  });
  const timesCount = int('alpha_index_times_count', 0, MTP_LIMITS.timesCount);
  const timesList = list('alpha_index_times');
  const alphaIndexTimes = tuples4(timesList.v, file, timesList.line, 'alpha_index_times');
  if (alphaIndexTimes.length !== timesCount.v) {
    throw new ParseError(
      file,
      timesList.line,
      `alpha_index_times has ${alphaIndexTimes.length} entries, but alpha_index_times_count = ${timesCount.v} (line ${timesCount.line})`,
    );
  }
  alphaIndexTimes.forEach(([i0, i1, , k], n) => {
    if ([i0, i1, k].some((v) => v < 0 || v >= alphaMomentsCount) || k < basicCount.v) {
      throw new ParseError(
        file,
        timesList.line,
        `alpha_index_times entry ${n + 1}: moment indices must be in 0..${alphaMomentsCount - 1}, and the target must not be a basic moment`,
      );
    }
  });
  // every moment must be computed before it is used: a basic one, or the target of an earlier product (MLIP's order);
  // an undefined one would enter the energy as garbage
  const defined = new Uint8Array(alphaMomentsCount);
  defined.fill(1, 0, Math.min(basicCount.v, alphaMomentsCount));
  alphaIndexTimes.forEach(([i0, i1, , k], n) => {
    if (!defined[i0] || !defined[i1])
      throw new ParseError(
        file,
        timesList.line,
        `alpha_index_times entry ${n + 1} multiplies moment ${defined[i0] ? i1 : i0} before any entry computes it`,
      );
    defined[k] = 1;
  });
  const undefinedMoment = defined.indexOf(0);
  if (undefinedMoment >= 0)
    throw new ParseError(
      file,
      timesList.line,
      `alpha_moments_count = ${alphaMomentsCount}, but moment ${undefinedMoment} is neither basic nor computed by alpha_index_times`,
    );
  const scalarCount = int('alpha_scalar_moments', 1, MTP_LIMITS.scalarMoments);
  const mappingList = list('alpha_moment_mapping');
  const alphaMomentMapping = flatNumbers(mappingList.v, file, mappingList.line, 'alpha_moment_mapping');
  if (alphaMomentMapping.length !== scalarCount.v) {
    throw new ParseError(
      file,
      mappingList.line,
      `alpha_moment_mapping has ${alphaMomentMapping.length} entries, but alpha_scalar_moments = ${scalarCount.v} (line ${scalarCount.line})`,
    );
  }
  if (alphaMomentMapping.some((v) => !Number.isInteger(v) || v < 0 || v >= alphaMomentsCount)) {
    throw new ParseError(
      file,
      mappingList.line,
      `alpha_moment_mapping entries must be moment indices 0..${alphaMomentsCount - 1}`,
    );
  }

  let speciesCoeffs: number[] | null = null;
  let momentCoeffs: number[] | null = null;
  const sc = optionalKey('species_coeffs');
  if (sc) {
    speciesCoeffs = flatNumbers(
      parseBraces(sc.value, file, sc.line, 'species_coeffs'),
      file,
      sc.line,
      'species_coeffs',
    );
    if (speciesCoeffs.length !== speciesCount) {
      throw new ParseError(
        file,
        sc.line,
        `species_coeffs has ${speciesCoeffs.length} numbers, but species_count = ${speciesCount}`,
      );
    }
    const mc = list('moment_coeffs');
    momentCoeffs = flatNumbers(mc.v, file, mc.line, 'moment_coeffs');
    if (momentCoeffs.length !== scalarCount.v) {
      throw new ParseError(
        file,
        mc.line,
        `moment_coeffs has ${momentCoeffs.length} numbers, but alpha_scalar_moments = ${scalarCount.v}`,
      );
    }
  }
  const rest = next();
  if (rest) throw new ParseError(file, rest.no, `unexpected line after the potential: '${rest.text.slice(0, 60)}'`);
  if ((speciesCoeffs === null) !== (radialCoeffs === null)) {
    throw new ParseError(
      file,
      sc?.line ?? lastLine,
      radialCoeffs
        ? 'radial_coeffs present but species_coeffs/moment_coeffs missing'
        : 'species_coeffs present but radial_coeffs missing',
    );
  }

  return {
    version: version.value,
    potentialName,
    scaling,
    scalingWritten: scalingKey !== undefined,
    speciesCount,
    potentialTag: tag?.value ?? '',
    radialBasisType: 'RBChebyshev',
    minDist,
    maxDist,
    radialBasisSize,
    radialFuncsCount,
    radialCoeffs,
    alphaMomentsCount,
    alphaIndexBasic,
    alphaIndexTimes,
    alphaMomentMapping,
    speciesCoeffs,
    momentCoeffs,
  };
}

const braces = (v: number[]) => `{${v.map(formatExact).join(', ')}}`;
const braces4 = (v: number[][]) => `{${v.map((t) => `{${t.join(', ')}}`).join(', ')}}`;

/** Writes the file as MLIP does (same keys, order and indentation); numbers in shortest exact form. */
export function writeMtp(m: MtpFile): string {
  const out: string[] = ['MTP', `version = ${m.version}`, `potential_name = ${m.potentialName}`];
  if (m.scalingWritten || m.scaling !== 1) out.push(`scaling = ${formatExact(m.scaling)}`);
  out.push(`species_count = ${m.speciesCount}`);
  out.push(`potential_tag = ${m.potentialTag}`.trimEnd());
  out.push(`radial_basis_type = ${m.radialBasisType}`);
  out.push(`\tmin_dist = ${formatExact(m.minDist)}`, `\tmax_dist = ${formatExact(m.maxDist)}`);
  out.push(`\tradial_basis_size = ${m.radialBasisSize}`, `\tradial_funcs_count = ${m.radialFuncsCount}`);
  if (m.radialCoeffs) {
    out.push('\tradial_coeffs');
    m.radialCoeffs.forEach((row, a) => {
      row.forEach((funcs, b) => {
        out.push(`\t\t${a}-${b}`);
        for (const f of funcs) out.push(`\t\t\t${braces(f)}`);
      });
    });
  }
  out.push(`alpha_moments_count = ${m.alphaMomentsCount}`);
  out.push(`alpha_index_basic_count = ${m.alphaIndexBasic.length}`);
  out.push(`alpha_index_basic = ${braces4(m.alphaIndexBasic)}`);
  out.push(`alpha_index_times_count = ${m.alphaIndexTimes.length}`);
  out.push(`alpha_index_times = ${braces4(m.alphaIndexTimes)}`);
  out.push(`alpha_scalar_moments = ${m.alphaMomentMapping.length}`);
  out.push(`alpha_moment_mapping = ${braces(m.alphaMomentMapping)}`);
  if (m.speciesCoeffs && m.momentCoeffs) {
    out.push(`species_coeffs = ${braces(m.speciesCoeffs)}`);
    out.push(`moment_coeffs = ${braces(m.momentCoeffs)}`);
  }
  return `${out.join('\n')}\n`;
}
