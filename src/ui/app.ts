/**
 * The page's start-up and wiring: find WebGPU, prove it computes, start the default scene (a beta-Li3PS4 Sigma 5 grain
 * boundary at 800 K) with no clicks, and connect the panel. State that end-to-end tests read is mirrored on
 * `document.body.dataset` (adapter, gpuSelfTest, step, msdPoints) so tests need no private hooks.
 */

import * as Comlink from 'comlink';
import { strToU8, zipSync } from 'fflate';
import GUI from 'lil-gui';
import { MIN_RUN_FS } from '../analysis/arrhenius-runs.ts';
import { acquireDevice, formatAdapter, type GpuContext } from '../gpu/device.ts';
import { gpuSelfTest } from '../gpu/selftest.ts';
import { formatExtxyzFrame } from '../io/extxyz.ts';
import { lammpsRunFiles, writeLammpsData } from '../io/lammps.ts';
import { parseMtp, writeMtp } from '../io/mtp.ts';
import { readStructureText, writeStructureText } from '../io/structure-files.ts';
import { THERMOSTAT_DEFAULTS, THERMOSTATS, thermostat } from '../md/thermostats/index.ts';
import { LI_P_S } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import { compileMtp } from '../potential/mtp/model.ts';
import { softSphereMtpFile } from '../potential/mtp/soft-sphere.ts';
import { STRUCTURE_PRESETS } from '../structure/presets.ts';
import { repeatStructure } from '../structure/supercell.ts';
import { startAnalysisWorker, startTrainingWorker } from '../worker/analysis-client.ts';
import { renderColourLegend } from './colormap.ts';
import { download, fetchFile, pickFile, plotPng } from './file-actions.ts';
import { Lab, type LabStatus, type LoadedPotential } from './lab.ts';
import { MovieRecorder } from './movie.ts';
import { Picker } from './picking.ts';
import { arrheniusPlot, Plots, parityPlot } from './plots.ts';
import {
  type CameraView,
  formatCamera,
  type LabSettings,
  MAX_REPEAT,
  parseCamera,
  settingsFromUrl,
  settingsToUrl,
} from './settings.ts';
import { bindShortcuts } from './shortcuts.ts';
import { addStudyPanel } from './study-view.ts';
import { startTour } from './tour.ts';
import { TrajectoryRecorder } from './trajectory-recorder.ts';
import { Viewport } from './viewport.ts';

export interface AppState {
  gpu: GpuContext | null;
  error: string | null;
  lab: Lab | null;
}

/** Until the DFT-trained default potential ships, the lab runs with this, and says so everywhere. */
export function placeholderPotential(): LoadedPotential {
  return {
    model: compileMtp(softSphereMtpFile()),
    label: 'PLACEHOLDER soft spheres (not a model of Li3PS4)',
    provenance:
      'The default potential could not be loaded, so the lab runs soft spheres that keep atoms apart and nothing ' +
      'more: no chemistry, no diffusion worth measuring. Load a trained .mtp (files) or reload with the network.',
    species: [...LI_P_S],
    text: writeMtp(softSphereMtpFile()),
  };
}

/** Below this width (CSS px) the page is laid out for a phone: the panel starts closed. */
const PHONE_WIDTH_PX = 600;

/** The file name of a potential trained in the page (its active set stays in the training worker). */
const TRAINED_NAME = 'trained-in-lab.mtp';

/** The shipped potential and its training report (public/potentials/), fetched so the offline cache keeps them. */
const DEFAULT_POTENTIAL_URL = './potentials/li3ps4-default.mtp';
const DEFAULT_REPORT_URL = './potentials/li3ps4-default.json';

interface TrainingReport {
  /** What the MD checks found wrong with it, said in the status line (written by `lilab bench --physics --report`). */
  limits?: string | null;
  /** Present once the MD checks have run on this potential. */
  physics?: { measured: string };
  start?: { level?: number };
  configurations?: { training: number; validation: number };
  /** Training configurations by kind (written by `lilab train`; reports before it lack it). */
  coverage?: Record<string, number>;
  errors?: { validation?: { forceMeVPerA: { mae: number }; energyMeVPerAtom: { mae: number } } | null };
}

/** The default potential's name in the status line. */
export function shortDefault(report: TrainingReport | null): string {
  return `default MTP (${report?.start?.level ? `level ${report.start.level}, ` : ''}preliminary)`;
}

/** The status line's details on the default potential: what it was trained on and how well it validates. */
export function describeDefault(report: TrainingReport | null): string {
  const level = report?.start?.level ? `level ${report.start.level}` : 'MTP';
  const n = report?.configurations;
  const v = report?.errors?.validation;
  const kinds = report?.coverage
    ? Object.entries(report.coverage)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, count]) => `${count} ${count === 1 ? kind.replace(/s$/, '') : kind}`)
        .join(', ')
    : '';
  return (
    `default MTP (${level}) trained on ${n ? n.training : '?'} CP2K PBE-D3(BJ) configurations of beta-Li3PS4${kinds ? ` (${kinds})` : ''}, ` +
    'preliminary' +
    (v
      ? `; validation MAE ${v.energyMeVPerAtom.mae.toFixed(1)} meV/atom, ${v.forceMeVPerA.mae.toFixed(0)} meV/A`
      : '') +
    (report?.limits
      ? `; known limits: ${report.limits}`
      : report?.physics
        ? '; the bench MD checks found no collapse; boundaries extrapolate (colour by grade)'
        : '; not yet checked in MD; boundaries extrapolate (colour by grade)')
  );
}

/** The default potential, or null when it is not there (the placeholder then runs, labelled as such). */
async function fetchDefaultPotential(): Promise<LoadedPotential | null> {
  const response = await fetch(DEFAULT_POTENTIAL_URL).catch(() => null);
  if (!response?.ok) return null;
  const text = await response.text();
  const report = await fetch(DEFAULT_REPORT_URL)
    .then((r) => (r.ok ? (r.json() as Promise<TrainingReport>) : null))
    .catch(() => null);
  return {
    model: compileMtp(parseMtp(text, 'li3ps4-default.mtp')),
    label: shortDefault(report),
    provenance: describeDefault(report),
    species: [...LI_P_S],
    text,
  };
}

function showMessage(doc: Document, text: string, kind: 'error' | 'info' = 'error'): void {
  const box = doc.getElementById('message');
  if (!box) return;
  box.textContent = text;
  box.dataset.kind = kind;
  box.hidden = false;
  if (kind === 'info') setTimeout(() => (box.hidden = true), 6000);
}

export async function startApp(doc: Document): Promise<AppState> {
  const adapterEl = doc.getElementById('status-adapter')!;
  const runEl = doc.getElementById('status-run')!;
  const potEl = doc.getElementById('status-potential')!;
  const numbersEl = doc.getElementById('status-numbers')!;
  const state: AppState = { gpu: null, error: null, lab: null };
  try {
    state.gpu = await acquireDevice(navigator.gpu, 'browser', {
      onLost: (info) => {
        if (info.reason === 'destroyed') return;
        showMessage(doc, `The GPU device was lost (${info.message}). Restarting from the last frame...`);
        void acquireDevice(navigator.gpu, 'browser').then(async (ctx) => {
          state.gpu = ctx;
          await state.lab?.recover(ctx.device);
          showMessage(doc, 'Recovered from the last frame after the GPU device was lost.', 'info');
        });
      },
    });
    const test = await gpuSelfTest(state.gpu.device);
    adapterEl.textContent = formatAdapter(state.gpu.report);
    adapterEl.dataset.state = test.ok ? 'ok' : 'error';
    doc.body.dataset.adapter = formatAdapter(state.gpu.report);
    doc.body.dataset.gpuSelfTest = test.ok ? 'ok' : 'failed';
    if (!test.ok) showMessage(doc, `The GPU self-test failed (max error ${test.maxAbsError}); results would be wrong.`);
  } catch (err) {
    state.error = (err as Error).message;
    adapterEl.textContent = 'no WebGPU: CPU fallback (float64 reference, small systems)';
    adapterEl.dataset.state = 'error';
    doc.body.dataset.adapter = 'none';
    showMessage(
      doc,
      `${state.error}\nLiLab runs its molecular dynamics on the GPU through WebGPU. Open it in a browser with WebGPU ` +
        '(Chrome or Edge 113+, Safari 26+, Firefox 141+) for grain boundaries. Meanwhile the CPU runs bulk beta-Li3PS4 ' +
        'with the float64 reference evaluator.',
    );
  }

  const settings: LabSettings = settingsFromUrl(location.search);
  if (!state.gpu) {
    // the CPU fallback runs small systems only: bulk beta-Li3PS4, few steps per frame
    settings.preset = 'beta-li3ps4';
    settings.stepsPerFrame = Math.min(settings.stepsPerFrame, 5);
  }
  const viewport = new Viewport(doc.getElementById('viewport')!);
  viewport.colorMode = settings.colorBy;
  const picker = new Picker(
    viewport,
    doc.getElementById('pick-info')!,
    () => viewport.grades,
    () => state.lab?.emitFrame(),
  );
  const plots = new Plots(doc.getElementById('plot-msd')!, doc.getElementById('plot-thermo')!);
  const { remote } = startAnalysisWorker();
  const status = (s: LabStatus) => {
    runEl.textContent = `${s.atoms} atoms | ${s.nsPerDay.toFixed(2)} ns/day | T ${s.temperature.toFixed(0)} K`;
    numbersEl.textContent =
      `step ${s.step} | ${s.stepsPerSecond.toFixed(0)} steps/s | E ${s.energy.toFixed(3)} eV | ` +
      `time step ${settings.dt} fs`;
    doc.body.dataset.step = String(s.step);
    doc.body.dataset.msdPoints = String(plots.msdPoints);
  };
  let initialPotential: LoadedPotential | null = null;
  try {
    initialPotential = await fetchDefaultPotential();
  } catch (err) {
    showMessage(doc, `The default potential could not be read (${(err as Error).message}); running the placeholder.`);
  }
  const lab = new Lab(
    state.gpu?.device ?? null,
    settings,
    initialPotential ?? placeholderPotential(),
    viewport,
    plots,
    remote,
    (m, k) => showMessage(doc, m, k),
    status,
  );
  state.lab = lab;
  const provenanceEl = doc.getElementById('status-provenance')!;
  const showPotential = (state: 'default' | 'placeholder' | 'loaded') => {
    potEl.textContent = lab.potential.label;
    potEl.dataset.state = state;
    provenanceEl.textContent = lab.potential.provenance;
  };
  showPotential(initialPotential ? 'default' : 'placeholder');
  await lab.restart();
  doc.body.dataset.scene = settings.preset;

  // files named by a shared link (?potential=URL, ?structure=URL) stay in the link as the settings change
  const shared = new URLSearchParams(location.search);
  const sharedFiles = (['potential', 'structure'] as const).filter((k) => shared.get(k));
  // the camera is in the link once it came with one or the user moved it, until a new cell is framed afresh
  let camera: CameraView | null = null;
  try {
    camera = parseCamera(shared.get('cam'));
    if (camera) viewport.setView(camera);
  } catch (err) {
    showMessage(doc, (err as Error).message);
  }
  const saveUrl = () => {
    const url = new URL(settingsToUrl(settings), location.href);
    for (const k of sharedFiles) url.searchParams.set(k, shared.get(k)!);
    if (camera) url.searchParams.set('cam', formatCamera(camera));
    history.replaceState(null, '', `${url.pathname}${url.search}`);
  };
  viewport.onViewChange(() => {
    camera = viewport.view;
    saveUrl();
  });
  const restartWith = (fn: () => void) => {
    void lab
      .command(async () => {
        fn();
        const before = formatCamera(viewport.view);
        await lab.restart();
        if (formatCamera(viewport.view) !== before) camera = null;
        saveUrl();
        lab.playing = true;
      })
      .catch((e) => showMessage(doc, (e as Error).message));
  };

  const loadPotential = async (file: File) => {
    const text = await file.text();
    await lab.command(async () => {
      const model = compileMtp(parseMtp(text, file.name));
      if (model.speciesCount !== 3)
        throw new Error(
          `${file.name}: the lab expects 3 species in the order Li, P, S; this potential has ${model.speciesCount}`,
        );
      const old = lab.potential;
      lab.potential = {
        model,
        label: `${file.name} (loaded)`,
        provenance: `${file.name}: ${model.name}, loaded from a file (no training report with it)`,
        species: [...LI_P_S],
        text,
      };
      try {
        await lab.restart();
      } catch (err) {
        lab.potential = old;
        throw err;
      }
      showPotential('loaded');
      // the trainer keeps the active set of what it trained; any other file comes without one
      if (file.name !== TRAINED_NAME) await trainer.clearActiveSet();
    });
  };
  /** A structure loaded from a file, before the size controls repeat it (null: a preset is shown). */
  let loadedBase: Structure | null = null;
  const loadStructure = async (file: File) => {
    const text = await file.text();
    await lab.command(async () => {
      const s = readStructureText(text, file.name);
      const old = { structure: lab.structure, name: lab.sceneName, base: loadedBase };
      loadedBase = s;
      lab.structure = repeatStructure(s, settings.cells.a, settings.cells.b, settings.cells.c);
      lab.sceneName = file.name;
      try {
        await lab.restart();
      } catch (err) {
        lab.structure = old.structure;
        lab.sceneName = old.name;
        loadedBase = old.base;
        throw err;
      }
    });
  };
  const loadAny = (file: File) =>
    (file.name.endsWith('.mtp') ? loadPotential(file) : loadStructure(file)).catch((e) =>
      showMessage(doc, (e as Error).message),
    );
  // one after the other, the potential first: the structure then runs with it, and the messages come in order
  void (async () => {
    for (const key of sharedFiles) {
      const ref = shared.get(key)!;
      try {
        const file = await fetchFile(ref, key === 'potential' ? '.mtp' : '');
        await (key === 'potential' ? loadPotential(file) : loadStructure(file));
        showMessage(doc, `Loaded the ${key} of the link: ${ref}`, 'info');
      } catch (e) {
        showMessage(doc, `The link's ${key} (${ref}) was not loaded: ${(e as Error).message}`);
      }
    }
  })();

  const gui = new GUI({ title: 'LiLab', container: doc.getElementById('viewport')! });
  // on a phone the open panel would cover the view: it starts closed (its title opens it)
  if (window.matchMedia(`(max-width: ${PHONE_WIDTH_PX}px)`).matches) gui.close();
  const presets = state.gpu ? Object.keys(STRUCTURE_PRESETS) : ['beta-li3ps4'];
  gui
    .add(settings, 'preset', presets)
    .name('structure')
    .onFinishChange((v: string) =>
      restartWith(() => {
        settings.preset = v;
        loadedBase = null;
        lab.structure = STRUCTURE_PRESETS[v].build(settings.cells);
        lab.sceneName = v;
      }),
    );
  // size: bulk repeats a x b x c; bicrystals a x b in the plane and c CSL cells per grain along the normal
  const size = gui.addFolder('size (repeats; bicrystal: c = cells per grain)');
  for (const axis of ['a', 'b', 'c'] as const) {
    size.add(settings.cells, axis, 1, MAX_REPEAT, 1).onFinishChange(() =>
      restartWith(() => {
        const n = settings.cells;
        lab.structure = loadedBase
          ? repeatStructure(loadedBase, n.a, n.b, n.c)
          : STRUCTURE_PRESETS[settings.preset].build(n);
      }),
    );
  }
  gui
    .add(settings, 'temperature', 100, 2500, 50)
    .name('temperature (K)')
    .onFinishChange(() => restartWith(() => {}));
  gui
    // without WebGPU the menu offers what the CPU engine runs
    .add(
      settings,
      'thermostat',
      Object.fromEntries(THERMOSTATS.filter((t) => lab.onGpu || t.cpu).map((t) => [t.label, t.id])),
    )
    .onFinishChange(() => restartWith(() => {}));
  gui
    .add(settings, 'dt', 0.25, 3, 0.25)
    .name('time step (fs)')
    .onFinishChange(() => restartWith(() => {}));
  gui
    .add(settings, 'stepsPerFrame', 1, 200, 1)
    .name('steps per record')
    .onFinishChange(() => restartWith(() => {}));
  gui.add(settings, 'seed', 0, 1000, 1).onFinishChange(() => restartWith(() => {}));
  gui
    .add(settings, 'colorBy', ['species', 'displacement', 'region', 'grade'])
    .name('colour by')
    .onChange((v: LabSettings['colorBy']) => {
      viewport.colorMode = v;
      renderColourLegend(doc.getElementById('colour-legend')!, v);
      saveUrl();
    });
  renderColourLegend(doc.getElementById('colour-legend')!, settings.colorBy);
  const actions = {
    play: () => {
      lab.playing = true;
    },
    pause: () => {
      lab.playing = false;
    },
    step: () => void lab.command(() => lab.advance(settings.stepsPerFrame)),
    reset: () => restartWith(() => {}),
    relax: () =>
      void lab
        .command(async () => {
          const r = await lab.relax(0.05, 500, (step, f) => {
            runEl.textContent = `relaxing (FIRE): step ${step}, max |F| ${f.toFixed(3)} eV/A`;
          });
          showMessage(
            doc,
            `FIRE: ${r.steps} steps, max |F| ${r.fmax.toFixed(3)} eV/A; MD restarted from the relaxed structure`,
            'info',
          );
        })
        .catch((e) => showMessage(doc, (e as Error).message)),
    loadPotential: () => void pickFile(doc, '.mtp', 'file-mtp').then((f) => f && loadAny(f)),
    loadStructure: () =>
      void pickFile(doc, '.cif,.vasp,.xyz,.extxyz,.cfg,POSCAR,CONTCAR', 'file-structure').then((f) => f && loadAny(f)),
    screenshot: () =>
      void fetch(viewport.screenshot())
        .then((r) => r.blob())
        .then((b) => download(doc, 'lilab.png', b)),
    exportFrame: () => {
      const f = lab.frame;
      if (!f) return;
      download(
        doc,
        'frame.extxyz',
        formatExtxyzFrame({ ...lab.structure, positions: f.positions }, { step: f.step, Time: f.time, unwrapped: 'T' }),
      );
    },
    exportStructure: () => download(doc, 'structure.cif', writeStructureText(lab.structure, 'structure.cif')),
    exportLammps: () => download(doc, 'structure.data', writeLammpsData(lab.structure, lab.potential.species)),
    // the same run for a cluster, as one zip (browsers block several downloads): data file, in.lammps
    // (pair_style mlip of MLIP-2), mlip.ini and the potential itself, the files export-lammps writes
    exportLammpsRun: () => {
      const files = lammpsRunFiles({
        structure: lab.structure,
        species: lab.potential.species,
        potentialText: lab.potential.text,
        mlip: 2,
        temperature: settings.temperature,
        dtFs: settings.dt,
        steps: 100_000,
        integration: thermostat(settings.thermostat).lammps({
          temperature: settings.temperature,
          seed: settings.seed,
          ...THERMOSTAT_DEFAULTS,
        }),
        seed: settings.seed,
      });
      const zip = zipSync(Object.fromEntries(files.map(([name, text]) => [`lammps-run/${name}`, strToU8(text)])));
      download(doc, 'lammps-run.zip', new Blob([zip], { type: 'application/zip' }));
    },
    record: () => {
      lab.recorder = new TrajectoryRecorder();
      doc.body.dataset.recording = 'yes';
      showMessage(doc, 'recording the trajectory (every frame; memory-bounded)', 'info');
    },
    exportTrajectory: () => {
      const rec = lab.recorder;
      if (!rec || rec.frames.length === 0) return showMessage(doc, 'start a recording first', 'info');
      download(doc, 'trajectory.extxyz', rec.toExtxyz(lab.structure));
      if (rec.thinning > 0)
        showMessage(doc, `older frames were thinned ${rec.thinning} time(s) to stay within memory`, 'info');
    },
    exportArrhenius: () => download(doc, 'arrhenius.csv', lab.arrhenius.csv(lab.sceneKey)),
    exportMsd: () => download(doc, 'msd.csv', plots.msdCsv()),
    exportThermo: () => download(doc, 'thermo.csv', plots.thermoCsv()),
    viewA: () => viewport.viewAlong(0),
    viewB: () => viewport.viewAlong(1),
    viewNormal: () => viewport.viewAlong(2),
  };
  const run = gui.addFolder('run');
  run.add(actions, 'play');
  run.add(actions, 'pause');
  run.add(actions, 'step');
  run.add(actions, 'reset');
  run.add(actions, 'relax').name('relax (FIRE), then MD');
  // a bicrystal as built has its grains at the scanned translation but unrelaxed: the first MD starts relaxed
  if (initialPotential && STRUCTURE_PRESETS[settings.preset]?.normal) actions.relax();
  const files = gui.addFolder('files');
  files.add(actions, 'loadPotential').name('load .mtp');
  files.add(actions, 'loadStructure').name('load structure');
  files.add(actions, 'exportFrame').name('export frame (extxyz)');
  files.add(actions, 'exportStructure').name('export structure (CIF)');
  files.add(actions, 'exportLammps').name('export LAMMPS data');
  files.add(actions, 'exportLammpsRun').name('export LAMMPS run (zip: data, in.lammps, mlip.ini, .mtp)');
  files.add(actions, 'record').name('record trajectory');
  files.add(actions, 'exportTrajectory').name('export trajectory (extxyz)');
  files.add(actions, 'exportArrhenius').name('export Arrhenius table (CSV)');
  files.add(actions, 'exportMsd').name('export MSD (CSV)');
  files.add(actions, 'exportThermo').name('export thermo (CSV)');
  const storage = (() => {
    try {
      return window.localStorage;
    } catch {
      return null; // storage blocked (private modes): the tour shows every time
    }
  })();
  const tourBox = doc.getElementById('tour')!;
  startTour(doc, tourBox, storage);
  gui.add({ tour: () => startTour(doc, tourBox, storage, true) }, 'tour').name('guided tour');
  bindShortcuts(doc, {
    togglePlay: () => {
      lab.playing = !lab.playing;
    },
    reset: () => restartWith(() => {}),
    view: (k) => viewport.viewAlong(k),
    toggleOrthographic: () => viewport.setOrthographic(!viewport.isOrthographic),
    clearPick: () => picker.click(null, false),
  });
  addStudyPanel(doc, gui, (text, kind) => showMessage(doc, text, kind), {
    device: () => state.gpu?.device ?? null,
    model: () => lab.potential.model,
    potentialLabel: () => lab.potential.label,
    pause: () => {
      const was = lab.playing;
      lab.playing = false;
      return () => {
        lab.playing = was;
      };
    },
  });
  const view = gui.addFolder('view');
  view.add(actions, 'viewA').name('along a');
  view.add(actions, 'viewB').name('along b');
  view.add(actions, 'viewNormal').name('along c / GB normal');
  view.add(actions, 'screenshot');
  const movie = new MovieRecorder(viewport.renderer.domElement, () => {
    const st = lab.status;
    return `${settings.preset}  t = ${((st.step * settings.dt) / 1000).toFixed(2)} ps  T = ${st.temperature.toFixed(0)} K`;
  });
  const movieControl = view
    .add(
      {
        movie: () => {
          if (!movie.recording) {
            movie.start();
            movieControl.name('stop and save the movie (WebM)');
            return;
          }
          void movie.stop().then((b) => {
            download(doc, 'lilab-movie.webm', b);
            movieControl.name('record a movie (WebM)');
          });
        },
      },
      'movie',
    )
    .name('record a movie (WebM)');
  view.add(viewport, 'showTetrahedra').name('PS4 tetrahedra');
  view.add(viewport, 'showTrails').name('Li trails');
  view.add({ png: () => download(doc, 'msd.png', plotPng(plots.msd)) }, 'png').name('export MSD plot (PNG)');
  view.add({ png: () => download(doc, 'thermo.png', plotPng(plots.thermo)) }, 'png').name('export thermo plot (PNG)');

  // training in a worker: a labelled dataset in, an MTP out (progress, errors, parity plots), then live grades
  const trainer = startTrainingWorker();
  if (initialPotential) {
    // the default potential's active set ships beside it: grades work from the first frame
    void fetch(`${DEFAULT_POTENTIAL_URL}.als.json`)
      .then((r) => (r.ok ? r.text() : null))
      .then((als) => (als ? trainer.useActiveSet(initialPotential.text, als, 'li3ps4-default.mtp') : undefined))
      .catch((e) => showMessage(doc, `no extrapolation grades: ${(e as Error).message}`));
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
      parityPlot(
        doc.getElementById('plot-parity-e')!,
        'parity: energy per atom',
        r.parity.energyRef,
        r.parity.energyPred,
        'eV/atom',
      );
      parityPlot(
        doc.getElementById('plot-parity-f')!,
        'parity: force components',
        r.parity.forceRef,
        r.parity.forcePred,
        'eV/A',
      );
    } catch (err) {
      progressEl.textContent = '';
      showMessage(doc, (err as Error).message);
    }
  };
  const trainActions = {
    train: () => void pickFile(doc, '.cfg,.extxyz,.xyz', 'file-dataset').then((f) => f && trainFrom(f)),
    use: () => {
      if (!trained) return showMessage(doc, 'train a potential first', 'info');
      void loadPotential(new File([trained], TRAINED_NAME)).catch((e) => showMessage(doc, (e as Error).message));
    },
    download: () => {
      if (trained) download(doc, TRAINED_NAME, trained);
    },
  };
  const tf = gui.addFolder('training');
  tf.add(training, 'level', [2, 4, 6, 8, 10, 12, 14, 16]);
  tf.add(training, 'cutoff', 3.5, 7, 0.1).name('cutoff (A)');
  tf.add(training, 'iterations', 0, 1000, 10).name('L-BFGS iterations');
  tf.add(trainActions, 'train').name('train on a dataset (.cfg/.extxyz)');
  tf.add(trainActions, 'use').name('use the trained potential');
  tf.add(trainActions, 'download').name('download the trained .mtp');
  const arrEl = doc.getElementById('arrhenius-values')!;
  lab.onArrhenius = () => {
    const key = lab.sceneKey;
    const runs = lab.arrhenius.points(key);
    const fit = lab.arrhenius.fit(key, 'total');
    doc.body.dataset.arrheniusPoints = String(runs.length);
    if (runs.length === 0) {
      doc.getElementById('plot-arrhenius')!.replaceChildren();
      arrEl.textContent = 'Arrhenius: change the temperature; each finished run adds its D here.';
      return;
    }
    arrheniusPlot(doc.getElementById('plot-arrhenius')!, runs, fit);
    const axisText = (['x', 'y', 'z'] as const)
      .map((a) => {
        const f = lab.arrhenius.fit(key, a);
        return f ? `Ea_${a} ${f.activationEnergy.toFixed(2)} +- ${f.activationEnergyError.toFixed(2)}` : null;
      })
      .filter(Boolean)
      .join(', ');
    const d300 = fit?.extrapolate(300);
    arrEl.textContent =
      `${runs.length} run(s): ${runs.map((r) => `${r.temperature} K`).join(', ')}\n` +
      (fit && d300
        ? `Ea ${fit.activationEnergy.toFixed(3)} +- ${fit.activationEnergyError.toFixed(3)} eV (${axisText} eV); ` +
          `D(300 K) ~ ${(d300.d * A2_PER_FS_TO_CM2_PER_S).toExponential(1)} cm^2/s (x/÷ ${Math.exp(d300.logError).toFixed(1)}, extrapolated)`
        : 'run a second temperature for the fit');
  };
  // finished runs are kept across page loads (per scene, so a fit never mixes systems) until cleared
  const ARRHENIUS_KEY = 'lilab.arrhenius';
  const drawArrhenius = lab.onArrhenius;
  lab.onArrhenius = () => {
    drawArrhenius();
    try {
      storage?.setItem(ARRHENIUS_KEY, lab.arrhenius.toJson());
    } catch {
      // a full or blocked store: the runs stay for this page only
    }
  };
  if (lab.arrhenius.restore(storage?.getItem(ARRHENIUS_KEY) ?? null) > 0) drawArrhenius();
  files
    .add(
      {
        clear: () => {
          lab.arrhenius.clear();
          lab.onArrhenius?.();
        },
      },
      'clear',
    )
    .name('clear the Arrhenius runs');
  const dEl = doc.getElementById('d-values')!;
  lab.onDiffusion = (text, runFs) => {
    const counts =
      runFs >= MIN_RUN_FS
        ? 'counts for Arrhenius'
        : `counts for Arrhenius after ${MIN_RUN_FS / 1000} ps (now ${(runFs / 1000).toFixed(1)})`;
    dEl.textContent = text ? `live fit (MSD covariance, +-1 sigma; ${counts}):\n${text}` : '';
  };

  // frames whose grade exceeds the threshold are collected for DFT labelling (export: extxyz or MLIP .cfg)
  const selection = { threshold: 2, collected: [] as { positions: Float64Array; grade: number }[] };
  lab.onFrame = (positions, types, lattice) => {
    if (settings.colorBy !== 'grade' && !picker.active) return;
    void trainer.grades(types, positions, lattice).then((g) => {
      viewport.grades = g;
      picker.refresh();
      const max = g.length ? Math.max(...g) : Number.NaN;
      doc.body.dataset.maxGrade = Number.isFinite(max) ? max.toFixed(3) : '';
      if (max > selection.threshold && selection.collected.length < 1000) {
        selection.collected.push({ positions, grade: max });
        doc.body.dataset.collected = String(selection.collected.length);
      }
    });
  };
  const exportSelected = (format: 'extxyz' | 'cfg') => {
    if (selection.collected.length === 0)
      return showMessage(doc, `no frame above grade ${selection.threshold} collected yet`, 'info');
    const s = lab.structure;
    const text =
      format === 'extxyz'
        ? selection.collected
            .map((c) => formatExtxyzFrame({ ...s, positions: c.positions }, { grade: c.grade }))
            .join('')
        : selection.collected.map((c) => writeStructureText({ ...s, positions: c.positions }, 'x.cfg')).join('\n');
    download(doc, `selected-for-dft.${format}`, text);
  };
  tf.add(selection, 'threshold', 1, 10, 0.1).name('collect frames with grade >');
  tf.add({ x: () => exportSelected('extxyz') }, 'x').name('export collected (extxyz)');
  tf.add({ x: () => exportSelected('cfg') }, 'x').name('export collected (MLIP .cfg)');

  const root = doc.getElementById('viewport')!;
  root.addEventListener('dragover', (e) => e.preventDefault());
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) void loadAny(f);
  });

  // which path positions take to the screen, and the frame rate it gives (measured, shown, and read by tests)
  const renderEl = doc.getElementById('status-render')!;
  const renderPath = state.gpu
    ? 'WebGL2, positions by one batched readback per frame'
    : 'WebGL2, positions from the CPU engine';
  doc.body.dataset.renderPath = renderPath;
  const fps = { frames: 0, t: performance.now(), drawn: 0 };
  const loop = () => {
    const now0 = performance.now();
    // settings that change the look (colours, radii) are drawn within half a second without marking anything
    if (lab.render(now0 - fps.drawn > 500)) {
      fps.drawn = now0;
      picker.refresh();
    }
    fps.frames++;
    const now = performance.now();
    if (now - fps.t > 2000) {
      const value = (fps.frames * 1000) / (now - fps.t);
      doc.body.dataset.fps = value.toFixed(1);
      doc.body.dataset.batchSteps = String(lab.batchSteps);
      renderEl.textContent = `${renderPath} | ${value.toFixed(0)} fps | ${lab.batchSteps} MD steps per batch`;
      fps.frames = 0;
      fps.t = now;
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  // MD in its own loop: the next batch right after the last while playing, otherwise a look once per frame (commands)
  const pump = () => {
    void lab
      .tick()
      .catch((e) => showMessage(doc, (e as Error).message))
      .finally(() => (lab.playing ? setTimeout(pump, 0) : requestAnimationFrame(pump)));
  };
  pump();
  return state;
}
