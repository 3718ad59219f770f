/**
 * Grain-boundary energy of a periodic bicrystal holding two boundaries:
 *   E_GB = (E_bicrystal - N e_bulk) / (2 A),
 * with e_bulk the bulk energy per atom of the same potential and A the area of one boundary. For a non-stoichiometric
 * bicrystal (atoms removed at the boundaries) e_bulk per atom is an approximation; the builder reports the removals.
 */
const EV_PER_A2_IN_J_PER_M2 = 16.021766208;

export function grainBoundaryEnergy(eBicrystal: number, atoms: number, eBulkPerAtom: number, area: number): number {
  if (!(area > 0)) throw new Error('boundary area must be positive');
  return ((eBicrystal - atoms * eBulkPerAtom) / (2 * area)) * EV_PER_A2_IN_J_PER_M2;
}
