import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCfg, writeCfg } from '../src/io/cfg.ts';
import { ParseError } from '../src/io/errors.ts';
import { isTrained, parseMtp, writeMtp } from '../src/io/mtp.ts';
import { compileMtp, UntrainedPotentialError } from '../src/potential/mtp/model.ts';
import { VECTOR_POTENTIALS, VECTORS } from './support.ts';

const l08 = readFileSync(`${VECTORS}l08.mtp`, 'utf8');

function expectParseError(fn: () => unknown, line: number, text: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    const e = err as ParseError;
    expect(e.line).toBe(line);
    expect(e.message).toMatch(text);
    return;
  }
  throw new Error('expected a ParseError');
}

describe('.mtp files', () => {
  for (const name of VECTOR_POTENTIALS) {
    it(`${name}: write then read gives the same model to the last bit`, () => {
      const m = parseMtp(readFileSync(`${VECTORS}${name}.mtp`, 'utf8'), `${name}.mtp`);
      const again = parseMtp(writeMtp(m), 'again.mtp');
      expect(again).toEqual(m);
      // Object.is distinguishes -0 and compares bits of every coefficient
      const flat = (x: typeof m) => [x.radialCoeffs!.flat(3), x.speciesCoeffs!, x.momentCoeffs!].flat();
      const before = flat(m);
      expect(flat(again).every((v, i) => Object.is(v, before[i]))).toBe(true);
    });
  }

  it('reads the scaling line and keeps it', () => {
    const m = parseMtp(readFileSync(`${VECTORS}l06-1sp-scaled.mtp`, 'utf8'));
    expect(m.scaling).toBe(1.37);
    expect(writeMtp(m)).toContain('scaling = 1.37');
  });

  it('loads an untrained template (no coefficients) and refuses to evaluate it', () => {
    const lines = l08.split('\n');
    const start = lines.findIndex((l) => l.trim() === 'radial_coeffs');
    const end = lines.findIndex((l) => l.startsWith('alpha_moments_count'));
    const template = [...lines.slice(0, start), ...lines.slice(end)]
      .filter((l) => !/^(species|moment)_coeffs/.test(l))
      .join('\n');
    const m = parseMtp(template, 'template.mtp');
    expect(isTrained(m)).toBe(false);
    expect(m.alphaIndexBasic.length).toBe(11);
    expect(parseMtp(writeMtp(m))).toEqual(m);
    expect(() => compileMtp(m)).toThrow(UntrainedPotentialError);
  });

  const lineOf = (key: string) => l08.split('\n').findIndex((l) => l.trim().startsWith(key)) + 1;

  it('refuses a truncated file with the line where it ends', () => {
    const cut = l08.split('\n').slice(0, 20).join('\n');
    expect(() => parseMtp(cut, 'cut.mtp')).toThrow(/cut\.mtp:\d+: .*radial_coeffs/);
  });

  it('refuses counts that disagree with lists', () => {
    const bad = l08.replace('alpha_index_basic_count = 11', 'alpha_index_basic_count = 12');
    expectParseError(
      () => parseMtp(bad, 'bad.mtp'),
      lineOf('alpha_index_basic ='),
      /11 entries, but alpha_index_basic_count = 12/,
    );
    const badScalar = l08.replace('alpha_scalar_moments = 9', 'alpha_scalar_moments = 8');
    expectParseError(() => parseMtp(badScalar, 'bad.mtp'), lineOf('alpha_moment_mapping'), /alpha_scalar_moments = 8/);
  });

  it('refuses declared sizes beyond its limits before making anything of that size, naming the limit', () => {
    const huge = l08.replace('alpha_moments_count = 18', 'alpha_moments_count = 1000000000');
    expectParseError(
      () => parseMtp(huge, 'huge.mtp'),
      lineOf('alpha_moments_count'),
      /1000000000 is beyond this reader's limit of 100000/,
    );
    const far = l08.replace(/max_dist = \S+/, 'max_dist = 1000');
    expectParseError(
      () => parseMtp(far, 'far.mtp'),
      lineOf('max_dist'),
      /max_dist = 1000 A is beyond this reader's limit of 20 A/,
    );
    const power = l08.replace(/alpha_index_basic = \{\{0, 0, 0, 0\}/, 'alpha_index_basic = {{0, 1000000000, 0, 0}');
    expect(power).not.toBe(l08);
    expectParseError(() => parseMtp(power, 'power.mtp'), lineOf('alpha_index_basic ='), /tensor rank\) at most 32/);
  });

  it('refuses moments that are counted but never computed (they would enter the energy as garbage)', () => {
    const more = l08.replace('alpha_moments_count = 18', 'alpha_moments_count = 19');
    expectParseError(
      () => parseMtp(more, 'more.mtp'),
      lineOf('alpha_index_times ='),
      /moment 18 is neither basic nor computed/,
    );
  });

  it('refuses a radial_coeffs line of the wrong length, NaN, and unknown species blocks', () => {
    const lines = l08.split('\n');
    const k = lines.findIndex((l) => l.trim() === '0-0') + 1;
    const short = [...lines];
    short[k] = short[k].replace(/, [^,]+\}$/, '}');
    expectParseError(() => parseMtp(short.join('\n'), 'short.mtp'), k + 1, /7 numbers, but radial_basis_size = 8/);
    const nan = [...lines];
    nan[k] = nan[k].replace(/^(\s*\{)[^,]+/, '$1nan');
    expectParseError(() => parseMtp(nan.join('\n'), 'nan.mtp'), k + 1, /expected a number .* found 'nan'/);
    const species = l08.replace('species_count = 3', 'species_count = 4');
    expect(() => parseMtp(species, 'sp.mtp')).toThrow(/expected the radial_coeffs block '0-3'/);
  });

  it('refuses a file that is not an MTP, and an unsupported radial basis', () => {
    expectParseError(() => parseMtp('hello\n', 'x.mtp'), 1, /first line to be 'MTP'/);
    expectParseError(
      () => parseMtp(l08.replace('RBChebyshev', 'RBShapeev'), 'x.mtp'),
      6,
      /unsupported radial_basis_type/,
    );
  });
});

describe('.cfg files', () => {
  it('round-trips every shared configuration exactly', () => {
    const configs = parseCfg(readFileSync(`${VECTORS}l08.out.cfg`, 'utf8'));
    expect(configs.length).toBe(7);
    const again = parseCfg(writeCfg(configs));
    expect(again.length).toBe(configs.length);
    again.forEach((c, k) => {
      expect(Array.from(c.positions)).toEqual(Array.from(configs[k].positions));
      expect(Array.from(c.forces!)).toEqual(Array.from(configs[k].forces!));
      expect(c.energy).toBe(configs[k].energy);
      expect(Array.from(c.plusStress!)).toEqual(Array.from(configs[k].plusStress!));
      expect(c.features).toEqual(configs[k].features);
      expect(c.cell === null).toBe(configs[k].cell === null);
    });
  });

  it('reads a non-periodic configuration (no Supercell) as a cluster', () => {
    const configs = parseCfg(readFileSync(`${VECTORS}l08.in.cfg`, 'utf8'));
    const cluster = configs.find((c) => c.features.some(([, v]) => v === 'cluster_nonperiodic'))!;
    expect(cluster.cell).toBeNull();
  });

  it('reads direct coordinates and extra per-atom columns', () => {
    const text = [
      'BEGIN_CFG',
      ' Size',
      '  2',
      ' Supercell',
      '  4 0 0',
      '  0 5 0',
      '  0 0 6',
      ' AtomData: id type direct_x direct_y direct_z charge',
      '  1 0 0.5 0.5 0.5 0.25',
      '  2 1 0 0.1 0 -0.25',
      ' Energy',
      '  -1.5',
      'END_CFG',
    ].join('\n');
    const [c] = parseCfg(text);
    expect(Array.from(c.positions)).toEqual([2, 2.5, 3, 0, 0.5, 0]);
    expect(c.extraColumns[0].name).toBe('charge');
    expect(parseCfg(writeCfg([c]))[0].extraColumns[0].values[1]).toBe(-0.25);
  });

  it('refuses malformed input with file and line', () => {
    const good = readFileSync(`${VECTORS}l08.in.cfg`, 'utf8').split('\n');
    const missingAtom = good.filter((_, i) => i !== 39).join('\n'); // drops the last atom line of the first config
    expect(() => parseCfg(missingAtom, 'm.cfg')).toThrow(/m\.cfg:\d+: AtomData: expected 32 atom lines/);
    const nan = [...good];
    nan[9] = nan[9].replace(/\s\S+$/, ' NaN');
    expectParseError(() => parseCfg(nan.join('\n'), 'n.cfg'), 10, /expected a number for cartes_z/);
    const noEnd = good.slice(0, 40).join('\n');
    expect(() => parseCfg(noEnd, 'e.cfg')).toThrow(/e\.cfg:\d+: file ends early: expected END_CFG/);
    const unknown = [...good];
    unknown.splice(1, 0, ' Magic 3');
    expectParseError(() => parseCfg(unknown.join('\n'), 'u.cfg'), 2, /unknown entry 'Magic'/);
    const negType = [...good];
    negType[8] = negType[8].replace(/^(\s*\d+\s+)0/, '$1-1');
    expectParseError(() => parseCfg(negType.join('\n'), 't.cfg'), 9, /atom type must be at least 0/);
  });
});
