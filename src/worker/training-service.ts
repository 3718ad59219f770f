/**
 * Training off the main thread: a labelled dataset (MLIP .cfg or the lab's extended XYZ) in, an MTP out, with
 * progress, the errors like MLIP's calc-errors, parity data (reference vs predicted energies per atom and force
 * components) and the active set for live extrapolation grades.
 */
import { writeMtp } from '../io/mtp.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import { compileMtp, type MtpModel } from '../potential/mtp/model.ts';
import { parseMtpPotential } from '../potential/mtp/potential.ts';
import { evaluateMtp } from '../potential/mtp/reference.ts';
import { fromActiveSetFile } from '../train/active-set-file.ts';
import { basisTemplate } from '../train/basis.ts';
import { readLabelled, splitData } from '../train/dataset.ts';
import { atomGrades, neighbourhoodActiveSet } from '../train/descriptors.ts';
import { lossAndGradient, lossOnly, parameterVector, withParameters } from '../train/gradient.ts';
import { randomRadialCoefficients } from '../train/init.ts';
import { lbfgs } from '../train/lbfgs.ts';
import { type FitErrors, fitErrors, fitLinear, type LabelledConfiguration } from '../train/linear-fit.ts';
import type { ActiveSet } from '../train/maxvol.ts';
import { modelToFile } from '../train/model-file.ts';

export interface TrainingRequest {
  text: string;
  fileName: string;
  level: number;
  cutoff: number;
  iterations: number;
  validation: number;
  seed: number;
}

export interface TrainingResult {
  mtpText: string;
  train: FitErrors;
  validation: FitErrors | null;
  /** reference and predicted energy per atom (eV), and force components (eV/A), validation set (or training). */
  parity: { energyRef: number[]; energyPred: number[]; forceRef: number[]; forcePred: number[] };
  configurations: number;
}

export class TrainingService {
  private active: ActiveSet | null = null;
  private model: MtpModel | null = null;

  async train(req: TrainingRequest, progress: (stage: string, fraction: number) => void): Promise<TrainingResult> {
    const data = readLabelled(req.text, req.fileName);
    if (data.length < 2) throw new Error(`${req.fileName}: at least two labelled configurations are needed`);
    const { train, validation } = splitData(data, req.validation, req.seed);
    progress('linear stage', 0);
    const template = randomRadialCoefficients(
      basisTemplate(req.level, 3, { maxDist: req.cutoff, minDist: 1.6 }),
      req.seed,
    );
    const first = compileMtp(fitLinear(template, train));
    let model = first;
    if (req.iterations > 0) {
      const r = await lbfgs(
        (x) => lossAndGradient(withParameters(first, x), train),
        parameterVector(first),
        (x) => lossOnly(withParameters(first, x), train),
        {
          maxIterations: req.iterations,
          onIteration: (it, loss) => progress(`L-BFGS loss ${loss.toExponential(3)}`, it / req.iterations),
        },
      );
      model = withParameters(first, r.x);
    }
    progress('active set', 1);
    this.model = model;
    this.active = this.activeSet(model, train);
    const check = validation.length > 0 ? validation : train;
    return {
      mtpText: writeMtp(modelToFile(template, model)),
      train: fitErrors(model, train),
      validation: validation.length > 0 ? fitErrors(model, validation) : null,
      parity: this.parity(model, check),
      configurations: data.length,
    };
  }

  private activeSet(model: MtpModel, data: LabelledConfiguration[]): ActiveSet | null {
    try {
      return neighbourhoodActiveSet(model, data).active;
    } catch {
      return null; // too few or too uniform neighbourhoods: no grades, the lab says nothing rather than nonsense
    }
  }

  private parity(model: MtpModel, data: LabelledConfiguration[]): TrainingResult['parity'] {
    const out: TrainingResult['parity'] = { energyRef: [], energyPred: [], forceRef: [], forcePred: [] };
    for (const c of data) {
      const r = evaluateMtp(model, c.types, buildNeighborList(c.positions, c.cell, model.maxDist));
      const n = c.types.length;
      out.energyRef.push(c.energy / n);
      out.energyPred.push(r.energy / n);
      c.forces.forEach((f, k) => {
        out.forceRef.push(f);
        out.forcePred.push(r.forces[k]);
      });
    }
    return out;
  }

  /** Grades from now on against a shipped potential and its saved active set (NAME.mtp.als.json). */
  useActiveSet(mtpText: string, activeSetText: string, file: string): void {
    const { model } = parseMtpPotential(mtpText, file);
    const active = fromActiveSetFile(activeSetText, `${file}.als.json`);
    if (active.k !== model.speciesCount + model.mapping.length)
      throw new Error(
        `${file}.als.json: ${active.k} parameters, the potential has ${model.speciesCount + model.mapping.length}`,
      );
    this.model = model;
    this.active = active;
  }

  /** A potential without an active set is in use: no grades rather than grades of another potential. */
  clearActiveSet(): void {
    this.model = null;
    this.active = null;
  }

  /** Extrapolation grade of every atom of a frame against the last trained potential's active set (empty if none). */
  grades(types: Int32Array, positions: Float64Array, lattice: Float64Array): Float64Array {
    if (!this.model || !this.active) return new Float64Array(0);
    return atomGrades(this.model, this.active, {
      types,
      positions,
      cell: { lattice, pbc: [true, true, true] },
      features: [],
    });
  }
}
