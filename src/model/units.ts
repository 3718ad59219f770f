/** The lab's unit conversions and constants, each defined once (units: A, eV, fs, K, amu; GPa for stress). */

/** Elementary charge, C (exact in the SI). */
export const ELEMENTARY_CHARGE = 1.602176634e-19;
/** Boltzmann constant, eV/K. */
export const KB = 8.617333262e-5;
/** 1 amu A^2 / fs^2 in eV: kinetic energy of m [amu] at v [A/fs] is 0.5 m v^2 * MVV_TO_EV. */
export const MVV_TO_EV = 103.642696562;
/** eV/A^3 -> GPa. */
export const EV_A3_TO_GPA = 160.21766208;
/** Diffusion coefficients: A^2/fs -> cm^2/s (1e-16 cm^2 / 1e-15 s). */
export const A2_PER_FS_TO_CM2_PER_S = 0.1;
/** e^2 / (4 pi eps0) in eV A (CODATA 2018). */
export const COULOMB_EV_A = 14.399645478;
