/**
 * Frames kept in memory while the user records, for export as one multi-frame extended XYZ. Bounded: past the budget
 * the oldest half is thinned (every second frame dropped), so a long recording keeps its whole time span at a coarser
 * interval instead of stopping or growing without limit.
 */
import { formatExtxyzFrame } from '../io/extxyz.ts';
import type { Frame, ThermoRecord } from '../md/engine.ts';
import type { Observer } from '../md/observers.ts';
import type { Structure } from '../model/structure.ts';

export interface RecordedFrame {
  step: number;
  /** fs */
  time: number;
  /** Unwrapped Cartesian positions, A. */
  positions: Float64Array;
}

/** An observer of the page's run (md/observers.ts), attached while the user records: every record is due. */
export class TrajectoryRecorder implements Observer {
  readonly frames: RecordedFrame[] = [];
  private thinned = 0;

  constructor(private readonly budgetBytes = 64 * 2 ** 20) {}

  due(): boolean {
    return true;
  }

  observe(t: ThermoRecord, frame: Frame): void {
    this.push({ step: t.step, time: t.time, positions: frame.positions });
  }

  push(frame: RecordedFrame): void {
    this.frames.push({ ...frame, positions: Float64Array.from(frame.positions) });
    const bytes = this.frames.reduce((n, f) => n + f.positions.byteLength, 0);
    if (bytes > this.budgetBytes && this.frames.length > 2) {
      const half = Math.floor(this.frames.length / 2);
      const kept = this.frames.slice(0, half).filter((_, k) => k % 2 === 0);
      this.frames.splice(0, half, ...kept);
      this.thinned++;
    }
  }

  /** How many times the older half was thinned (0: every recorded frame is kept). */
  get thinning(): number {
    return this.thinned;
  }

  toExtxyz(s: Structure): string {
    return this.frames
      .map((f) => formatExtxyzFrame({ ...s, positions: f.positions }, { step: f.step, Time: f.time, unwrapped: 'T' }))
      .join('');
  }
}
