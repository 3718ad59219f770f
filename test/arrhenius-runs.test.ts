import { describe, expect, it } from 'vitest';
import { ArrheniusRuns, type AxisDiffusion } from '../src/analysis/arrhenius-runs.ts';

const KB = 8.617333262e-5;
/** D following an exact Arrhenius law per axis, with 5 % errors. */
function dAt(T: number, ea: Record<'x' | 'y' | 'z' | 'total', number>): AxisDiffusion {
  const d = (e: number) => 0.01 * Math.exp(-e / (KB * T));
  const r = { x: d(ea.x), y: d(ea.y), z: d(ea.z), total: d(ea.total) };
  return { ...r, xErr: 0.05 * r.x, yErr: 0.05 * r.y, zErr: 0.05 * r.z, totalErr: 0.05 * r.total };
}

describe('Arrhenius runs kept per scene', () => {
  const ea = { x: 0.2, y: 0.3, z: 0.4, total: 0.25 };

  it('recovers the activation energy of each axis and extrapolates to 300 K', () => {
    const runs = new ArrheniusRuns();
    for (const T of [600, 800, 1200, 2000]) runs.record('gb', { temperature: T, d: dAt(T, ea), time: 1e4 });
    for (const axis of ['x', 'y', 'z', 'total'] as const) {
      const f = runs.fit('gb', axis)!;
      expect(f.activationEnergy).toBeCloseTo(ea[axis], 10);
      expect(f.extrapolate(300).d).toBeCloseTo(dAt(300, ea)[axis], 12);
    }
  });

  it('never mixes scenes, replaces a repeated temperature, and needs two positive points', () => {
    const runs = new ArrheniusRuns();
    runs.record('bulk', { temperature: 800, d: dAt(800, ea), time: 1e4 });
    expect(runs.fit('bulk', 'x')).toBeNull();
    runs.record('gb', { temperature: 1200, d: dAt(1200, ea), time: 1e4 });
    expect(runs.fit('bulk', 'x')).toBeNull();
    runs.record('bulk', { temperature: 800, d: dAt(800, { ...ea, x: 0.1 }), time: 2e4 });
    expect(runs.points('bulk')).toHaveLength(1);
    expect(runs.points('bulk')[0].time).toBe(2e4);
    // a negative live estimate (noise at low T) is kept in the table but left out of the fit
    runs.record('bulk', { temperature: 300, d: { ...dAt(300, ea), x: -1e-9 }, time: 1e4 });
    expect(runs.fit('bulk', 'x')).toBeNull();
    expect(runs.fit('bulk', 'y')).not.toBeNull();
    const csv = runs.csv('bulk').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^temperature_K,time_fs,D_x_cm2_s/);
    expect(Number(csv[1].split(',')[0])).toBe(300);
  });
});

describe('Arrhenius runs kept across page loads', () => {
  it('come back from their JSON exactly; a damaged store is ignored', () => {
    const ea = { x: 0.2, y: 0.3, z: 0.4, total: 0.25 };
    const runs = new ArrheniusRuns();
    for (const T of [800, 1000]) runs.record('gb', { temperature: T, d: dAt(T, ea), time: 3000 });
    runs.record('bulk', { temperature: 900, d: dAt(900, ea), time: 2500 });
    const back = new ArrheniusRuns();
    expect(back.restore(runs.toJson())).toBe(3);
    expect(back.points('gb')).toEqual(runs.points('gb'));
    expect(back.fit('gb', 'z')!.activationEnergy).toBeCloseTo(0.4, 10);
    const broken = new ArrheniusRuns();
    expect(broken.restore('{"not": "a list"}')).toBe(0);
    expect(broken.restore('[["gb", [{"temperature": "hot"}]]]')).toBe(0);
    expect(broken.restore('][')).toBe(0);
    back.clear();
    expect(back.points('gb')).toEqual([]);
  });
});
