import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../src/io/checkpoint.ts';
import { parseExtxyz } from '../src/io/extxyz.ts';
import type { Frame, ThermoRecord } from '../src/md/engine.ts';
import {
  checkpointObserver,
  everyNth,
  extxyzObserver,
  notify,
  THERMO_HEADER,
  thermoObserver,
} from '../src/md/observers.ts';
import { LI_P_S } from '../src/model/species.ts';
import { toConfiguration } from '../src/model/structure.ts';
import { parseMtpPotential } from '../src/potential/mtp/potential.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';
import { fromActiveSetFile } from '../src/train/active-set-file.ts';
import { atomGrades } from '../src/train/descriptors.ts';
import { type GradedFrame, gradeObserver } from '../src/train/grade-observer.ts';

const s = betaLi3PS4();
const n = s.types.length;

function record(step: number): { t: ThermoRecord; f: Frame } {
  const t: ThermoRecord = {
    step,
    time: step * 0.5,
    potential: -100 - step,
    kinetic: 1,
    total: -99 - step,
    temperature: 300 + step,
    conserved: -99,
    pressure: new Float64Array(9),
    minDistance: 2,
    minDistanceAtom: 0,
    rebuilds: 0,
  };
  const positions = Float64Array.from(s.positions, (x) => x + 0.001 * step);
  const f: Frame = {
    step,
    time: t.time,
    positions,
    velocities: new Float64Array(3 * n),
    images: new Int32Array(3 * n),
    state: new Float32Array(4),
  };
  return { t, f };
}

describe('outputs attached to a run', () => {
  it('each observer writes at the records it is due at, frames also at the last step', () => {
    const thermo: string[] = [];
    const xyz: string[] = [];
    const checkpoints: Checkpoint[] = [];
    const observers = [
      thermoObserver(
        (x) => thermo.push(x),
        () => true,
      ),
      extxyzObserver((x) => xyz.push(x), everyNth(300, 0, 550), s, { potential: 'p.mtp', seed: 3 }),
      checkpointObserver((cp) => checkpoints.push(cp), everyNth(200, 50), [...s.species], s.types),
    ];
    for (let step = 50; step <= 550; step += 50) {
      const { t, f } = record(step);
      notify(observers, t, f, s.cell);
    }
    expect(thermo.length).toBe(11);
    expect(thermo[0].trim().split(',').length).toBe(THERMO_HEADER.split(',').length);
    expect(thermo[0].startsWith('50,25.000,-150.000000,')).toBe(true);
    const frames = parseExtxyz(xyz.join(''), 'run.extxyz');
    expect(frames.map((fr) => Number(fr.info.step))).toEqual([300, 550]);
    // the first frame carries the provenance, the others do not
    expect(frames[0].info.potential).toBe('p.mtp');
    expect(frames[1].info.potential).toBeUndefined();
    expect(Number(frames[1].info.temperature)).toBe(850);
    expect(frames[1].structure.positions[0]).toBeCloseTo(s.positions[0] + 0.55, 9);
    // counted from the run's first step (a resumed run keeps its own rhythm)
    expect(checkpoints.map((c) => c.step)).toEqual([50, 250, 450]);
    expect(checkpoints[0].positions.length).toBe(3 * n);
  });
});

describe('the grade sampler', () => {
  it("grades every atom of the frames it is due at against the shipped potential's active set", () => {
    const path = 'public/potentials/li3ps4-default.mtp';
    const { model } = parseMtpPotential(readFileSync(path, 'utf8'), path);
    const active = fromActiveSetFile(readFileSync(`${path}.als.json`, 'utf8'), `${path}.als.json`);
    const crystal = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const { types } = toConfiguration(crystal, LI_P_S);
    const graded: GradedFrame[] = [];
    const sampler = gradeObserver(model, active, types, everyNth(100), (g) => graded.push(g));
    for (const step of [50, 100, 150, 200]) {
      const f = { ...record(step).f, positions: Float64Array.from(crystal.positions) };
      notify([sampler], { ...record(step).t, time: step }, f, crystal.cell);
    }
    expect(graded.map((g) => g.time)).toEqual([100, 200]);
    const direct = atomGrades(model, active, toConfiguration(crystal, LI_P_S));
    expect(Array.from(graded[0].grades)).toEqual(Array.from(direct));
    // the crystal the potential was trained on lies inside its active set's hull (grade <= 1 within round-off)
    expect(Math.max(...graded[0].grades)).toBeLessThan(1.01);
    expect(graded[0].grades).toHaveLength(crystal.types.length);
  });
});
