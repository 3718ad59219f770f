/**
 * A key that two configurations share exactly when they hold the same atoms (species in order) at the same positions
 * in the same cell, to within `tolerance` A. The labeller compares pending frames with the dataset by it: sampling
 * tools are deterministic in their seed, so a rerun with a seed used before reproduces frames already labelled under
 * another id, and DFT time spent on them buys nothing (and a duplicate would weigh that frame twice in a fit).
 */
import type { Structure } from '../../src/model/structure.ts';

export function configurationKey(s: Structure, tolerance = 1e-3): string {
  const round = (x: number) => Math.round(x / tolerance);
  const parts: (string | number)[] = [s.types.length, ...Array.from(s.cell.lattice, round)];
  for (let i = 0; i < s.types.length; i++)
    parts.push(
      s.species[s.types[i]],
      round(s.positions[3 * i]),
      round(s.positions[3 * i + 1]),
      round(s.positions[3 * i + 2]),
    );
  return parts.join(',');
}
