/**
 * Lattice figures from pressures: the zero-pressure volume of an equation of state, and the zero-stress strain per
 * axis from a few strained cells.
 */
import { fitLine } from './fit.ts';

/**
 * Per axis, the strain at which the pressure along that axis crosses zero: interpolated linearly between the two
 * cells (ordered by that axis's strain) that bracket the crossing, or extrapolated from the two cells at the end
 * nearest it when it lies less than their spacing beyond them (`bracketed` false); null otherwise. For the DFT cell
 * at 0 K from a few labelled relaxed cells along one path (the axes are coupled, so this is an estimate near the
 * path, good to a fraction of the spacing between the cells).
 */
export function zeroStressStrains(
  points: { strain: number[]; pressure: number[] }[],
): ({ strain: number; bracketed: boolean } | null)[] {
  return [0, 1, 2].map((k) => {
    const sorted = [...points].sort((a, b) => a.strain[k] - b.strain[k]);
    const e = sorted.map((c) => c.strain[k]);
    const p = sorted.map((c) => c.pressure[k]);
    const at = (m: number) => e[m] + ((e[m + 1] - e[m]) * p[m]) / (p[m] - p[m + 1]);
    for (let m = 0; m + 1 < sorted.length; m++) {
      if (p[m] === 0) return { strain: e[m], bracketed: true };
      if (p[m] * p[m + 1] < 0) return { strain: at(m), bracketed: true };
    }
    if (sorted.length < 2) return null;
    for (const m of [0, sorted.length - 2]) {
      if (p[m] === p[m + 1]) continue;
      const x = at(m);
      const spacing = e[m + 1] - e[m];
      if ((m === 0 && x < e[0] && x > e[0] - spacing) || (m > 0 && x > e[m + 1] && x < e[m + 1] + spacing))
        return { strain: x, bracketed: false };
    }
    return null;
  });
}

/** Zero crossing of a straight-line fit of pressure against volume. */
export function zeroPressureVolume(vs: number[], ps: number[]): number {
  const f = fitLine(vs, ps);
  return -f.intercept / f.slope;
}
