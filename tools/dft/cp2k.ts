/**
 * CP2K inputs and outputs for the lab's reference data. One fixed set of settings for every label (they must stay
 * comparable): PBE + D3(BJ), GTH-PBE pseudopotentials (Li q3, P q5, S q6), DZVP-MOLOPT-SR-GTH, plane-wave cutoff
 * 400 Ry with REL_CUTOFF 50, SCF to 1e-6, Gamma point only, analytic stress.
 */

import type { Structure } from '../../src/model/structure.ts';
import { EV_A3_TO_GPA } from '../../src/model/units.ts';

export const SETTINGS = {
  functional: 'PBE',
  dispersion: 'DFTD3(BJ)',
  basis: 'DZVP-MOLOPT-SR-GTH',
  pseudopotentials: { Li: 'GTH-PBE-q3', P: 'GTH-PBE-q5', S: 'GTH-PBE-q6' } as Record<string, string>,
  cutoffRy: 400,
  relCutoffRy: 50,
  epsScf: 1e-6,
  kpoints: 'Gamma',
  stress: 'analytical',
};

/** CODATA 2018 conversions. */
export const HARTREE_EV = 27.211386245988;
export const BOHR_A = 0.529177210903;

/** The pair range of the labels' D3: twice CP2K's default R_CUTOFF of 20 bohr (21.2 A). */
export const CP2K_D3_RANGE_A = 2 * 20 * BOHR_A;

const f = (v: number) => v.toFixed(10);

/** The grid of a dispersion probe: the SCF step it takes is thrown away, so the coarsest that runs. */
const PROBE_GRID = { cutoffRy: 100, relCutoffRy: 20 };

/** The D3 energy a CP2K output prints last (eV), or NaN where it has none. */
export function dispersionEnergyOf(text: string): number {
  const all = [...text.matchAll(/^\s*Dispersion energy:\s+(\S+)/gm)];
  return all.length > 0 ? Number(all[all.length - 1][1]) * HARTREE_EV : Number.NaN;
}

/**
 * How the SCF is driven. None of this changes the converged answer (EPS_SCF is fixed); it changes how fast CP2K gets
 * there. OT with DIIS from an atomic guess crawls once the gradient is small, and each outer iteration rebuilds the
 * preconditioner from the current wavefunction, which is what unsticks it: measured on the ideal 64-atom cell, 60
 * inner steps reached 3e-6 and the first outer restart then converged in 4. So inner loops are short and outer loops
 * many, and a converged wavefunction of a configuration with the same atoms in the same order is the starting guess.
 */
export interface ScfDriver {
  innerMaxScf: number;
  outerMaxScf: number;
  /**
   * OT minimiser: DIIS is fastest near a good guess; CG with a two-point line search is slower per step but does not
   * stall where DIIS does (hot MD frames, slabs: DIIS plateaus near 2e-5), so it is the one retry of a failed SCF.
   */
  minimizer?: 'DIIS' | 'CG';
  /** CP2K wavefunction restart file to start from (same atoms, same order); atomic guess when absent. */
  restartWfn?: string;
  /**
   * 'diagonalization': Broyden-mixed diagonalisation with Fermi-Dirac occupations at 300 K instead of OT. For an
   * insulator (beta-Li3PS4's PBE gap is near 2.5 eV) the occupations are 0 or 1 to many digits and the answer is that
   * of OT; where OT's energy jumps between outer loops (the round-12 neighbourhood cells, data/README.md) it is the
   * driver that converges. Labels made with it say so in their `dft` field.
   */
  method?: 'ot' | 'diagonalization';
}

export const DEFAULT_SCF: ScfDriver = { innerMaxScf: 20, outerMaxScf: 12 };

/** The one retry of a configuration whose SCF did not converge: CG from the wavefunction the failed run left. */
export const RETRY_SCF: ScfDriver = { innerMaxScf: 30, outerMaxScf: 10, minimizer: 'CG' };

/** Diagonalisation with smearing, for configurations on which OT (DIIS and CG) does not converge. */
export const SMEARED_SCF: ScfDriver = { innerMaxScf: 300, outerMaxScf: 0, method: 'diagonalization' };

/** The SCF block's driver lines: OT with outer loops, or diagonalisation with Broyden mixing and smearing. */
function scfDriverLines(scf: ScfDriver): string {
  if (scf.method === 'diagonalization')
    return `      ADDED_MOS 60
      &DIAGONALIZATION
        ALGORITHM STANDARD
      &END DIAGONALIZATION
      &MIXING
        METHOD BROYDEN_MIXING
        ALPHA 0.2
        NBROYDEN 8
      &END MIXING
      &SMEAR ON
        METHOD FERMI_DIRAC
        ELECTRONIC_TEMPERATURE [K] 300
      &END SMEAR`;
  return `      &OT
        MINIMIZER ${scf.minimizer ?? 'DIIS'}
${scf.minimizer === 'CG' ? '        LINESEARCH 2PNT\n' : ''}        PRECONDITIONER FULL_ALL
        ENERGY_GAP 0.1
      &END OT
      &OUTER_SCF
        EPS_SCF ${SETTINGS.epsScf.toExponential(1)}
        MAX_SCF ${scf.outerMaxScf}
      &END OUTER_SCF`;
}

/**
 * A run for the D3(BJ) energy alone (tools/dft/dispersion.ts): D3 depends on the positions only, and CP2K prints it
 * with the energy terms after the first SCF step, so one unconverged step at a coarse grid gives it in seconds. `range`
 * (A) limits the pair sum as CP2K's R_CUTOFF does (its cutoff is twice the keyword's value); without it, CP2K's
 * default, the labels' range.
 */
export interface DispersionProbe {
  range?: number;
}

export function cp2kInput(
  s: Structure,
  project: string,
  scf: ScfDriver = DEFAULT_SCF,
  probe?: DispersionProbe,
): string {
  const L = s.cell.lattice;
  const coords = Array.from(
    s.types,
    (t, i) =>
      `      ${s.species[t]} ${f(s.positions[3 * i])} ${f(s.positions[3 * i + 1])} ${f(s.positions[3 * i + 2])}`,
  );
  const kinds = s.species.map((sym) => {
    const pp = SETTINGS.pseudopotentials[sym];
    if (!pp) throw new Error(`no pseudopotential chosen for ${sym}`);
    return `    &KIND ${sym}\n      BASIS_SET ${SETTINGS.basis}\n      POTENTIAL ${pp}\n    &END KIND`;
  });
  return `&GLOBAL
  PROJECT ${project}
  RUN_TYPE ${probe ? 'ENERGY' : 'ENERGY_FORCE'}
  PRINT_LEVEL LOW
&END GLOBAL
&FORCE_EVAL
  METHOD Quickstep
  STRESS_TENSOR ${probe ? 'NONE' : 'ANALYTICAL'}
  &DFT
${scf.restartWfn ? `    WFN_RESTART_FILE_NAME ${scf.restartWfn}\n` : ''}    BASIS_SET_FILE_NAME BASIS_MOLOPT
    POTENTIAL_FILE_NAME GTH_POTENTIALS
    &MGRID
      CUTOFF ${probe ? PROBE_GRID.cutoffRy : SETTINGS.cutoffRy}
      REL_CUTOFF ${probe ? PROBE_GRID.relCutoffRy : SETTINGS.relCutoffRy}
    &END MGRID
    &SCF
      SCF_GUESS ${scf.restartWfn ? 'RESTART' : 'ATOMIC'}
      EPS_SCF ${SETTINGS.epsScf.toExponential(1)}
      MAX_SCF ${probe ? 1 : scf.innerMaxScf}
${scfDriverLines(probe ? { ...scf, outerMaxScf: 0 } : scf)}
    &END SCF
    &XC
      &XC_FUNCTIONAL PBE
      &END XC_FUNCTIONAL
      &VDW_POTENTIAL
        POTENTIAL_TYPE PAIR_POTENTIAL
        &PAIR_POTENTIAL
          TYPE DFTD3(BJ)
          PARAMETER_FILE_NAME dftd3.dat
          REFERENCE_FUNCTIONAL PBE
${probe?.range ? `          R_CUTOFF [angstrom] ${probe.range / 2}\n` : ''}        &END PAIR_POTENTIAL
      &END VDW_POTENTIAL
    &END XC
  &END DFT
  &SUBSYS
    &CELL
      A ${f(L[0])} ${f(L[1])} ${f(L[2])}
      B ${f(L[3])} ${f(L[4])} ${f(L[5])}
      C ${f(L[6])} ${f(L[7])} ${f(L[8])}
    &END CELL
    &COORD
${coords.join('\n')}
    &END COORD
${kinds.join('\n')}
  &END SUBSYS
${
  probe
    ? ''
    : `  &PRINT
    &FORCES ON
    &END FORCES
    &STRESS_TENSOR ON
    &END STRESS_TENSOR
  &END PRINT
`
}&END FORCE_EVAL
`;
}

export interface Cp2kResult {
  /** eV */
  energy: number;
  /** eV/A, 3 per atom in input order */
  forces: Float64Array;
  /** Stress tensor as CP2K prints it (GPa, positive = compressive, i.e. the pressure tensor), row-major 3x3. */
  stressGPa: Float64Array;
  scfConverged: boolean;
  scfSteps: number;
  version: string;
}

export class Cp2kOutputError extends Error {
  override name = 'Cp2kOutputError';
}

/** SCF steps (inner iterations of OT) a CP2K output records, converged or not. */
export function scfStepCount(text: string): number {
  // OT steps, and diagonalisation steps (NoMix/Diag., Broy./Diag., ...)
  return [...text.matchAll(/^\s+\d+ (?:OT (?:DIIS|CG|LS|SD)|\S+\/Diag\.)\s/gm)].length;
}

export function parseCp2kOutput(text: string, natoms: number): Cp2kResult {
  const lines = text.split('\n');
  const version =
    /CP2K\| version string:\s+(.*)/.exec(text)?.[1].trim() ?? /CP2K version (\S+)/.exec(text)?.[1] ?? 'unknown';
  const energies = [...text.matchAll(/ENERGY\| Total FORCE_EVAL \( QS \) energy[^:]*:\s+(-?\d+\.\d+(?:E[+-]\d+)?)/g)];
  if (energies.length === 0)
    throw new Cp2kOutputError('no total energy in the output (the run failed or was cut short)');
  const energy = Number(energies[energies.length - 1][1]) * HARTREE_EV;
  const scfFailed = /SCF run NOT converged/.test(text) || /outer SCF loop FAILED to converge/i.test(text);
  const outer = /outer SCF loop converged in\s+\d+ iterations or\s+(\d+) steps/.exec(text);
  const inner = [...text.matchAll(/\*\*\* SCF run converged in\s+(\d+) steps/g)];
  const scfSteps = outer ? Number(outer[1]) : inner.length > 0 ? Number(inner[inner.length - 1][1]) : -1;
  // ATOMIC FORCES in [a.u.] ... # Atom Kind Element X Y Z
  const start = lines.findIndex((l) => /ATOMIC FORCES in \[a\.u\.\]/.test(l));
  if (start < 0) throw new Cp2kOutputError('no ATOMIC FORCES block in the output');
  const forces = new Float64Array(3 * natoms);
  let read = 0;
  for (let k = start + 1; k < lines.length && read < natoms; k++) {
    const m =
      /^\s*(\d+)\s+\d+\s+[A-Z][a-z]?\s+(-?\d+\.\d+(?:E[+-]\d+)?)\s+(-?\d+\.\d+(?:E[+-]\d+)?)\s+(-?\d+\.\d+(?:E[+-]\d+)?)/.exec(
        lines[k],
      );
    if (!m) continue;
    const i = Number(m[1]) - 1;
    for (let d = 0; d < 3; d++) forces[3 * i + d] = Number(m[2 + d]) * (HARTREE_EV / BOHR_A);
    read++;
  }
  if (read !== natoms) throw new Cp2kOutputError(`read ${read} atomic forces, expected ${natoms}`);
  const stressStart = lines.findIndex((l) => /STRESS\|\s+Analytical stress tensor \[GPa\]/.test(l));
  if (stressStart < 0) throw new Cp2kOutputError('no analytical stress tensor in the output');
  const stressGPa = new Float64Array(9);
  let rows = 0;
  for (let k = stressStart + 1; k < lines.length && rows < 3; k++) {
    const m =
      /^\s*STRESS\|\s+([xyz])\s+(-?\d+\.\d+(?:E[+-]\d+)?)\s+(-?\d+\.\d+(?:E[+-]\d+)?)\s+(-?\d+\.\d+(?:E[+-]\d+)?)/.exec(
        lines[k],
      );
    if (!m) continue;
    const r = 'xyz'.indexOf(m[1]);
    for (let d = 0; d < 3; d++) stressGPa[3 * r + d] = Number(m[2 + d]);
    rows++;
  }
  if (rows !== 3) throw new Cp2kOutputError('incomplete stress tensor in the output');
  return { energy, forces, stressGPa, scfConverged: !scfFailed, scfSteps, version };
}

/** MLIP's PlusStress (virial, eV) from CP2K's stress (pressure tensor, GPa) and the cell volume (A^3). */
export function plusStressFromCp2k(stressGPa: ArrayLike<number>, volume: number): Float64Array {
  return Float64Array.from(stressGPa, (p) => (p / EV_A3_TO_GPA) * volume);
}
