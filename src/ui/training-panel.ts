/**
 * Training in the page: a labelled dataset in, an MTP out (progress, errors, parity plots) in a worker; the
 * extrapolation grade of what the lab shows (for the grade colouring and a picked atom); frames above a grade
 * collected for DFT labelling.
 */
import * as Comlink from 'comlink';
import type GUI from 'lil-gui';
import { formatExtxyzFrame } from '../io/extxyz.ts';
import { writeStructureText } from '../io/structure-files.ts';
import { startTrainingWorker } from '../worker/training-client.ts';
import { DEFAULT_ACTIVE_SET_URL, DEFAULT_POTENTIAL_NAME } from './default-potential.ts';
import { download, pickFile } from './file-actions.ts';
import type { Lab } from './lab.ts';
import type { Report } from './messages.ts';
import type { Picker } from './picking.ts';
import { parityPlot } from './plots.ts';
import type { LabSettings } from './settings.ts';
import type { Viewport } from './viewport.ts';

/** The file name of a potential trained in the page (its active set stays in the training worker). */
const TRAINED_NAME = 'trained-in-lab.mtp';

/** Frames kept for labelling at most (memory). */
const MAX_COLLECTED = 1000;

export interface Trainer {
  /** A potential file was loaded: its active set is the trainer's only if the trainer made it. */
  loaded(name: string): Promise<void>;
}

export function addTrainingPanel(
  doc: Document,
  gui: GUI,
  c: {
    lab: Lab;
    viewport: Viewport;
    picker: Picker;
    settings: LabSettings;
    report: Report;
    /** Whether the default potential runs (its active set ships beside it). */
    defaultRuns: boolean;
    usePotential(file: File): Promise<void>;
  },
): Trainer {
  const { lab, viewport, picker, settings, report } = c;
  const trainer = startTrainingWorker();
  if (c.defaultRuns) {
    // the default potential's active set ships beside it: grades work from the first frame
    const potential = lab.potential.text;
    void fetch(DEFAULT_ACTIVE_SET_URL)
      .then((r) => (r.ok ? r.text() : null))
      .then((als) => (als ? trainer.useActiveSet(potential, als, DEFAULT_POTENTIAL_NAME) : undefined))
      .catch((e) => report(`no extrapolation grades: ${(e as Error).message}`));
  }
  const training = { level: 8, cutoff: 5.0, iterations: 100, validation: 0.1 };
  let trained: string | null = null;
  const progressEl = doc.getElementById('train-progress')!;
  const trainFrom = async (file: File) => {
    const text = await file.text();
    progressEl.textContent = `training on ${file.name}...`;
    try {
      const r = await trainer.train(
        {
          text,
          fileName: file.name,
          level: training.level,
          cutoff: training.cutoff,
          iterations: training.iterations,
          validation: training.validation,
          seed: settings.seed,
        },
        Comlink.proxy((stage: string, fraction: number) => {
          progressEl.textContent = `training: ${stage} (${Math.round(100 * fraction)} %)`;
        }),
      );
      trained = r.mtpText;
      const e = r.validation ?? r.train;
      progressEl.textContent =
        `trained level ${training.level} on ${r.configurations} configurations; ${r.validation ? 'validation' : 'training'} MAE: ` +
        `E ${e.energyMeVPerAtom.mae.toFixed(2)} meV/atom, F ${e.forceMeVPerA.mae.toFixed(1)} meV/A` +
        (e.stressGPa ? `, S ${e.stressGPa.mae.toFixed(3)} GPa` : '');
      doc.body.dataset.trained = 'yes';
      const parity = (id: string, title: string, ref: number[], pred: number[], unit: string) =>
        parityPlot(doc.getElementById(id)!, title, ref, pred, unit);
      parity('plot-parity-e', 'parity: energy per atom', r.parity.energyRef, r.parity.energyPred, 'eV/atom');
      parity('plot-parity-f', 'parity: force components', r.parity.forceRef, r.parity.forcePred, 'eV/A');
    } catch (err) {
      progressEl.textContent = '';
      report((err as Error).message);
    }
  };
  const tf = gui.addFolder('training');
  tf.add(training, 'level', [2, 4, 6, 8, 10, 12, 14, 16]);
  tf.add(training, 'cutoff', 3.5, 7, 0.1).name('cutoff (A)');
  tf.add(training, 'iterations', 0, 1000, 10).name('L-BFGS iterations');
  const button = (name: string, fn: () => void) => tf.add({ fn }, 'fn').name(name);
  button(
    'train on a dataset (.cfg/.extxyz)',
    () => void pickFile(doc, '.cfg,.extxyz,.xyz', 'file-dataset').then((f) => f && trainFrom(f)),
  );
  button('use the trained potential', () => {
    if (!trained) return report('train a potential first', 'info');
    void c.usePotential(new File([trained], TRAINED_NAME)).catch((e) => report((e as Error).message));
  });
  button('download the trained .mtp', () => {
    if (trained) download(doc, TRAINED_NAME, trained);
  });

  // frames whose grade exceeds the threshold are collected for DFT labelling (export: extxyz or MLIP .cfg)
  const selection = { threshold: 2, collected: [] as { positions: Float64Array; grade: number }[] };
  lab.onFrame = (positions, types, lattice) => {
    if (settings.colorBy !== 'grade' && !picker.active) return;
    void trainer.grades(types, positions, lattice).then((g) => {
      viewport.grades = g;
      picker.refresh();
      const max = g.length ? Math.max(...g) : Number.NaN;
      doc.body.dataset.maxGrade = Number.isFinite(max) ? max.toFixed(3) : '';
      if (max > selection.threshold && selection.collected.length < MAX_COLLECTED) {
        selection.collected.push({ positions, grade: max });
        doc.body.dataset.collected = String(selection.collected.length);
      }
    });
  };
  const exportSelected = (format: 'extxyz' | 'cfg') => {
    if (selection.collected.length === 0)
      return report(`no frame above grade ${selection.threshold} collected yet`, 'info');
    const s = lab.structure;
    const text =
      format === 'extxyz'
        ? selection.collected
            .map((f) => formatExtxyzFrame({ ...s, positions: f.positions }, { grade: f.grade }))
            .join('')
        : selection.collected.map((f) => writeStructureText({ ...s, positions: f.positions }, 'x.cfg')).join('\n');
    download(doc, `selected-for-dft.${format}`, text);
  };
  tf.add(selection, 'threshold', 1, 10, 0.1).name('collect frames with grade >');
  button('export collected (extxyz)', () => exportSelected('extxyz'));
  button('export collected (MLIP .cfg)', () => exportSelected('cfg'));
  return {
    // the trainer keeps the active set of what it trained; any other file comes without one
    loaded: async (name) => {
      if (name !== TRAINED_NAME) await trainer.clearActiveSet();
    },
  };
}
