/**
 * The chemistry of a thiophosphate such as beta-Li3PS4, as the builders and checks use it: a salt of Li+ cations and
 * PS4^3- anions. A P-S bond (2.01-2.05 A in the crystal) is never broken at a grain boundary and S-S bonds do not form,
 * so every check and every builder counts with the same limits, defined here once.
 */

/** The anion: a P centre with four S ligands. */
export const PS4 = { centre: 'P', ligand: 'S', ligands: 4 } as const;

/** A P-S pair closer than this is a bond (bonds 2.01-2.05 A; the next S is 4.1 A away in the crystal). */
export const PS_BOND = 2.4;
/**
 * MD frames are averaged over this window before the census counts whole units. At 800-1000 K a P-S bond stretches
 * past PS_BOND for a few femtoseconds (its stretch period is about 80 fs, the 420 cm^-1 band of PS4^3-) and comes
 * back: DFT's restoring force on bonds of 2.2-2.45 A in the labelled data is only 1.6-1.9 eV/A, and the perfect
 * crystal does it as often as a boundary. A bond broken for good stays long in the mean; a vibration does not.
 */
export const CENSUS_WINDOW_FS = 200;
/** The spacing of the frames averaged over that window, fs: ten samples, four per stretch period. */
export const CENSUS_SAMPLE_FS = 20;
/** An S-S pair closer than this is a bond (a disulfide is 2.05 A; the shortest S-S in the crystal is 3.23 A). */
export const SS_BOND = 2.3;
/** Two P closer than this belong to anions on top of each other (the crystal's shortest P-P is over 5 A). */
export const PP_CONTACT = 3.5;
/** No pair of atoms in a structure as built may be closer than this (the crystal's shortest pair is P-S, 2.01 A). */
export const MIN_BUILT_DISTANCE = 1.9;

/**
 * Shortest distance the builder accepts between atoms of two different anions, and between a Li and any other atom.
 * About 80 % of the crystal's shortest distance of that kind (between anions S-S 3.79 A, P-S 4.11 A, P-P over 5 A;
 * Li-S 2.46, Li-P 3.04, Li-Li 3.10 A), so a boundary as built has no contact that relaxation must tear apart.
 */
export const CONTACT_LIMIT: Record<string, number> = {
  'S-S': 3.0,
  'P-S': 3.2,
  'P-P': 4.0,
  'Li-S': 2.0,
  'Li-P': 2.45,
  'Li-Li': 2.45,
};

/**
 * Largest mean field of the formal charges across either grain of a bicrystal as built, V/A (ADR 0014): screened by
 * the electrons (eps_inf about 3-4) it is under 1 meV/atom of field energy; the first builds carried up to 1.9 V/A.
 */
export const MAX_GRAIN_FIELD = 0.3;

/** Formal charges of the ions (Li +1, P +5, S -2): a removal of whole Li3PS4 units keeps the sum at zero. */
export const FORMAL_CHARGE: Record<string, number> = { Li: 1, P: 5, S: -2 };

/** The limit for a pair of elements in either order (keys are alphabetical); a pair not listed has none (0). */
export function contactLimit(a: string, b: string): number {
  return CONTACT_LIMIT[a < b ? `${a}-${b}` : `${b}-${a}`] ?? 0;
}
