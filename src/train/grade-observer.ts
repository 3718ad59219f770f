/**
 * The grade sampler: an observer of a run (md/observers.ts) that grades every atom's neighbourhood against an active
 * set at the records it is due at, for active learning (which frames to label) and for watching a run leave the
 * training data.
 */
import type { Observer } from '../md/observers.ts';
import type { MtpModel } from '../potential/mtp/model.ts';
import { atomGrades } from './descriptors.ts';
import type { ActiveSet } from './maxvol.ts';

export interface GradedFrame {
  /** fs since the start of the run. */
  time: number;
  /** A copy of the frame's positions. */
  positions: Float64Array;
  /** Per-atom extrapolation grades. */
  grades: Float64Array;
}

export function gradeObserver(
  model: MtpModel,
  active: ActiveSet,
  types: Int32Array,
  due: (step: number) => boolean,
  onGraded: (f: GradedFrame) => void,
): Observer {
  return {
    due,
    observe: (t, frame, cell) => {
      const grades = atomGrades(model, active, { types, positions: frame.positions, cell, features: [] });
      onGraded({ time: t.time, positions: Float64Array.from(frame.positions), grades });
    },
  };
}
