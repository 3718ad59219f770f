import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svgFigure } from '../src/analysis/figures.ts';
import type { StudyResults } from '../src/analysis/study.ts';
import { type StudyRun, sigma300, studyArrhenius, studyIsotropy, summariseEntry } from '../src/analysis/study.ts';
import { msdCsv, parseMsdCsv } from '../src/analysis/study-report.ts';
import { main } from '../src/cli/main.ts';
import { KB } from '../src/model/units.ts';

/** Runs whose D follow D0 exp(-Ea / kT) exactly, per axis, with 5 % errors. */
function arrheniusRuns(ea: { x: number; y: number; z: number }, d0 = 1e-3): StudyRun[] {
  return [600, 800, 1000].map((T) => {
    const d = (e: number) => d0 * Math.exp(-e / (KB * T));
    const D = { x: d(ea.x), y: d(ea.y), z: d(ea.z), total: (d(ea.x) + d(ea.y) + d(ea.z)) / 3 };
    const S = { x: 0.05 * D.x, y: 0.05 * D.y, z: 0.05 * D.z, total: 0.05 * D.total };
    return {
      temperature_K: T,
      ps: 100,
      region: 'boundary',
      atoms: 40,
      mean_temperature_K: T,
      D_cm2_s: D,
      D_sigma_cm2_s: S,
      fit_window_ps: [10, 50],
      msd_csv: `msd/x-${T}K-boundary.csv`,
    };
  });
}

describe('the study: Arrhenius per axis, isotropy, conductivity, report', () => {
  it('recovers each axis activation energy and D(300 K) from exact Arrhenius runs', () => {
    const runs = arrheniusRuns({ x: 0.2, y: 0.25, z: 0.35 });
    const a = studyArrhenius(runs, 'boundary')!;
    expect(a.Ea_eV.x).toBeCloseTo(0.2, 10);
    expect(a.Ea_eV.y).toBeCloseTo(0.25, 10);
    expect(a.Ea_eV.z).toBeCloseTo(0.35, 10);
    expect(a.D300_cm2_s.z! / (1e-3 * Math.exp(-0.35 / (KB * 300)))).toBeCloseTo(1, 8);
    // 5 % errors on D over 600-1000 K grow by extrapolation, but stay finite and positive
    for (const axis of ['x', 'y', 'z', 'total'] as const) {
      expect(a.Ea_sigma_eV[axis]!).toBeGreaterThan(0);
      expect(a.D300_sigma_cm2_s[axis]!).toBeGreaterThan(0);
    }
    expect(studyArrhenius(runs.slice(0, 1), 'boundary')).toBeNull();
    expect(studyArrhenius(runs, 'bulk-like')).toBeNull();
  });

  it('defines isotropy as D_normal over the mean in-plane D, with its error propagated', () => {
    const iso = studyIsotropy({ x: 2, y: 4, z: 1.5 }, { x: 0.2, y: 0.4, z: 0.15 }, 'z');
    expect(iso.value).toBeCloseTo(0.5, 12);
    expect(iso.sigma).toBeCloseTo(0.5 * Math.hypot(0.1, Math.hypot(0.2, 0.4) / 2 / 3), 12);
    expect(studyIsotropy({ x: 1, y: 1, z: -1 }, { x: 0, y: 0, z: 0 }, 'z').value).toBeNull();
  });

  it('gives the Nernst-Einstein conductivity at 300 K (1e-8 cm^2/s in Li3PS4 is about 1e-3 S/cm)', () => {
    // n = 96 Li in 2 x 2 x 2 cells of 6.12 x 8.22 x 12.82 A; sigma = n e^2 D / kT
    const v = 8 * 6.1236 * 8.2195 * 12.819;
    const n = 96 / (v * 1e-30);
    const expected = (n * 1.602176634e-19 ** 2 * 1e-12) / (1.380649e-23 * 300) / 100;
    expect(sigma300(1e-8, 96, v)).toBeCloseTo(expected, 12);
    expect(expected).toBeGreaterThan(5e-4);
    expect(expected).toBeLessThan(5e-3);
  });

  it('summarises a boundary: headline region, isotropy and conductivity from the fits', () => {
    const e = summariseEntry({
      id: 'sigma5-001-120',
      label: 'S5 [001]/(120) tilt',
      atoms: 320,
      li_atoms: 120,
      volume_A3: 4600,
      normal: 'z',
      runs: arrheniusRuns({ x: 0.2, y: 0.2, z: 0.3 }),
    });
    expect(e.arrhenius?.region).toBe('boundary');
    expect(e.isotropy!).toBeCloseTo(Math.exp(-0.1 / (KB * 300)), 6);
    expect(e.sigma300_S_cm!).toBeCloseTo(sigma300(e.arrhenius!.D300_cm2_s.total!, 120, 4600), 12);
  });

  it('writes MSD curves that read back, and refuses a damaged one by line', () => {
    const t = { lag_fs: [0, 10, 20], x: [0, 1, 2], y: [0, 1.5, 3], z: [0, 0.5, 1], total: [0, 3, 6] };
    expect(parseMsdCsv(msdCsv(t), 'm.csv')).toEqual(t);
    expect(() => parseMsdCsv(msdCsv(t).replace('1.5', 'x'), 'm.csv')).toThrow(/m.csv: line 3/);
  });

  it('draws SVG figures with axes, legend and error bars, leaving out what log axes cannot show', () => {
    const svg = svgFigure({
      title: 'T',
      xLabel: 'x',
      yLabel: 'D',
      yLog: true,
      series: [
        {
          label: 'D x',
          color: '#000',
          points: [
            { x: 1, y: 1e-5, yError: 2e-6 },
            { x: 2, y: -1 },
            { x: 3, y: 1e-6 },
          ],
        },
      ],
    });
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('log10 D');
    expect(svg).toContain('>D x<');
    expect((svg.match(/<line /g) ?? []).length).toBeGreaterThan(6);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('runs end to end on a small boundary: results.json in the schema, finite, with figures and report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lilab-study-'));
    const args = ['study', '--out', out, '--no-bulk', '--boundaries', 'sigma3-110-111', '--temperatures', '1000,1300'];
    const quiet = [console.log, console.error];
    console.log = () => {};
    console.error = () => {};
    let rc: number;
    try {
      rc = await main([...args, '--ps', '0.6', '--equilibrate-ps', '0.1', '--ps-300', '0.3']);
    } finally {
      [console.log, console.error] = quiet;
    }
    expect(rc).toBe(0);
    const text = readFileSync(join(out, 'results.json'), 'utf8');
    expect(text).not.toMatch(/NaN|Infinity/);
    const r = JSON.parse(text) as StudyResults;
    expect(r.bulk).toBeNull();
    const b = r.boundaries[0];
    expect(b.id).toBe('sigma3-110-111');
    expect(b.gb_energy_J_m2!).toBeGreaterThan(0.05);
    expect(b.gb_energy_J_m2!).toBeLessThan(2);
    expect(b.runs.map((x) => `${x.temperature_K} ${x.region}`).sort()).toEqual(
      ['1000 all', '1000 boundary', '1000 bulk-like', '1300 all', '1300 boundary', '1300 bulk-like'].sort(),
    );
    for (const run of b.runs) {
      for (const a of ['x', 'y', 'z', 'total'] as const) {
        expect(Number.isFinite(run.D_cm2_s[a])).toBe(true);
        expect(run.D_sigma_cm2_s[a]!).toBeGreaterThan(0);
      }
      expect(Math.abs(run.mean_temperature_K - run.temperature_K)).toBeLessThan(0.25 * run.temperature_K);
      expect(existsSync(join(out, run.msd_csv))).toBe(true);
    }
    expect(b.arrhenius?.region).toBe('boundary');
    expect(b.msd300?.[0].region).toBe('boundary');
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Against the literature');
    for (const f of ['isotropy', 'gb-energy', 'arrhenius-sigma3-110-111', 'msd300-sigma3-110-111-boundary']) {
      expect(report).toContain(`figures/${f}.svg`);
      expect(readFileSync(join(out, 'figures', `${f}.svg`), 'utf8')).toMatch(/^<svg /);
    }
    // a second start without --resume is refused; with it, nothing is run again and the results are the same
    console.log = () => {};
    console.error = () => {};
    try {
      expect(await main([...args, '--ps', '0.6', '--equilibrate-ps', '0.1', '--ps-300', '0.3'])).toBe(2);
      expect(await main([...args, '--ps', '0.6', '--equilibrate-ps', '0.1', '--ps-300', '0.3', '--resume'])).toBe(0);
    } finally {
      [console.log, console.error] = quiet;
    }
    const again = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as StudyResults;
    expect(again.boundaries[0].runs).toEqual(b.runs);
  }, 300_000);
});
