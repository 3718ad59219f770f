import { describe, expect, it } from 'vitest';
import { parseExtxyz } from '../src/io/extxyz.ts';
import type { Frame, ThermoRecord } from '../src/md/engine.ts';
import { notify } from '../src/md/observers.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { TrajectoryRecorder } from '../src/ui/trajectory-recorder.ts';

describe('trajectory recorder', () => {
  const s = betaLi3PS4();
  const frame = (k: number) => ({
    step: 10 * k,
    time: 10 * k,
    positions: s.positions.map((x) => x + 0.001 * k),
  });

  it('writes every recorded frame as extended XYZ that reads back to the same positions', () => {
    const rec = new TrajectoryRecorder();
    for (let k = 0; k < 5; k++) rec.push(frame(k));
    const back = parseExtxyz(rec.toExtxyz(s), 'traj.extxyz');
    expect(back).toHaveLength(5);
    expect(back.map((f) => Number(f.info.step))).toEqual([0, 10, 20, 30, 40]);
    expect(back[3].structure.positions[7]).toBeCloseTo(s.positions[7] + 0.003, 8);
  });

  it('stays within its memory budget by thinning the older half, keeping the first and latest frames', () => {
    const perFrame = s.positions.byteLength;
    const rec = new TrajectoryRecorder(20 * perFrame);
    for (let k = 0; k < 200; k++) rec.push(frame(k));
    expect(rec.frames.length).toBeLessThanOrEqual(20);
    expect(rec.thinning).toBeGreaterThan(0);
    expect(rec.frames[0].step).toBe(0);
    expect(rec.frames.at(-1)!.step).toBe(1990);
    const steps = rec.frames.map((f) => f.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  it('records as an observer of a run: each notified record becomes a frame with its step, time and positions', () => {
    const rec = new TrajectoryRecorder();
    for (let k = 1; k <= 3; k++) {
      const f = frame(k);
      const t = { step: f.step, time: f.time * 0.5 } as ThermoRecord;
      notify([rec], t, { step: f.step, time: t.time, positions: f.positions } as Frame, s.cell);
    }
    expect(rec.frames.map((f) => [f.step, f.time])).toEqual([
      [10, 5],
      [20, 10],
      [30, 15],
    ]);
    expect(Array.from(rec.frames[2].positions)).toEqual(Array.from(frame(3).positions));
  });
});
