/**
 * The lab's lil-gui panel: structure and size, temperature and the integrator's settings, colouring; the run, files
 * and view folders. Each control changes the settings and restarts through the context, so the link and the run
 * stay in step; the panel holds no state of its own.
 */
import { strToU8, zipSync } from 'fflate';
import GUI from 'lil-gui';
import { formatExtxyzFrame } from '../io/extxyz.ts';
import { lammpsRunFiles, writeLammpsData } from '../io/lammps.ts';
import { STRUCTURE_FILE_ACCEPT, writeStructureText } from '../io/structure-files.ts';
import { THERMOSTAT_DEFAULTS, THERMOSTATS, thermostat } from '../md/thermostats/index.ts';
import { STRUCTURE_PRESETS } from '../structure/presets.ts';
import { renderColourLegend } from './colormap.ts';
import { download, pickFile, plotPng } from './file-actions.ts';
import type { Lab } from './lab.ts';
import type { Report } from './messages.ts';
import { MovieRecorder } from './movie.ts';
import type { Plots } from './plots.ts';
import { type LabSettings, MAX_REPEAT } from './settings.ts';
import type { StatusLine } from './status-line.ts';
import { TrajectoryRecorder } from './trajectory-recorder.ts';
import type { Viewport } from './viewport.ts';

/** Below this width (CSS px) the page is laid out for a phone: the panel starts closed. */
const PHONE_WIDTH_PX = 600;

export interface PanelContext {
  doc: Document;
  lab: Lab;
  viewport: Viewport;
  plots: Plots;
  settings: LabSettings;
  report: Report;
  status: StatusLine;
  /** Changes settings (in `fn`), restarts the run and keeps the link in step. */
  restartWith(fn: () => void): void;
  /** A picked or dropped file: an .mtp is a potential, anything else a structure. */
  loadFile(file: File): Promise<void>;
  saveLink(): void;
}

export interface Panel {
  gui: GUI;
  files: GUI;
  /** Relaxes the structure with FIRE, then MD goes on (the page does it once for a bicrystal as built). */
  relax(): void;
}

export function buildPanel(c: PanelContext): Panel {
  const { doc, lab, viewport, plots, settings, report } = c;
  const gui = new GUI({ title: 'LiLab', container: doc.getElementById('viewport')! });
  // on a phone the open panel would cover the view: it starts closed (its title opens it)
  if (window.matchMedia(`(max-width: ${PHONE_WIDTH_PX}px)`).matches) gui.close();
  const presets = lab.onGpu ? Object.keys(STRUCTURE_PRESETS) : ['beta-li3ps4'];
  gui
    .add(settings, 'preset', presets)
    .name('structure')
    .onFinishChange((v: string) =>
      c.restartWith(() => {
        settings.preset = v;
        lab.showPreset();
      }),
    );
  // size: bulk repeats a x b x c; bicrystals a x b in the plane and c CSL cells per grain along the normal
  const size = gui.addFolder('size (repeats; bicrystal: c = cells per grain)');
  for (const axis of ['a', 'b', 'c'] as const)
    size.add(settings.cells, axis, 1, MAX_REPEAT, 1).onFinishChange(() => c.restartWith(() => lab.resize()));
  const restart = () => c.restartWith(() => {});
  gui.add(settings, 'temperature', 100, 2500, 50).name('temperature (K)').onFinishChange(restart);
  gui
    // without WebGPU the menu offers what the CPU engine runs
    .add(
      settings,
      'thermostat',
      Object.fromEntries(THERMOSTATS.filter((t) => lab.onGpu || t.cpu).map((t) => [t.label, t.id])),
    )
    .onFinishChange(restart);
  gui.add(settings, 'dt', 0.25, 3, 0.25).name('time step (fs)').onFinishChange(restart);
  gui.add(settings, 'stepsPerFrame', 1, 200, 1).name('steps per record').onFinishChange(restart);
  gui.add(settings, 'seed', 0, 1000, 1).onFinishChange(restart);
  const legend = doc.getElementById('colour-legend')!;
  gui
    .add(settings, 'colorBy', ['species', 'displacement', 'region', 'grade'])
    .name('colour by')
    .onChange((v: LabSettings['colorBy']) => {
      viewport.colorMode = v;
      renderColourLegend(legend, v);
      c.saveLink();
    });
  renderColourLegend(legend, settings.colorBy);

  const relax = () =>
    void lab
      .command(async () => {
        const r = await lab.relax(0.05, 500, (step, f) =>
          c.status.note(`relaxing (FIRE): step ${step}, max |F| ${f.toFixed(3)} eV/A`),
        );
        report(
          `FIRE: ${r.steps} steps, max |F| ${r.fmax.toFixed(3)} eV/A; MD restarted from the relaxed structure`,
          'info',
        );
      })
      .catch((e) => report((e as Error).message));
  const run = gui.addFolder('run');
  run.add({ play: () => (lab.playing = true) }, 'play');
  run.add({ pause: () => (lab.playing = false) }, 'pause');
  run.add({ step: () => void lab.command(() => lab.advance(settings.stepsPerFrame)) }, 'step');
  run.add({ reset: restart }, 'reset');
  run.add({ relax }, 'relax').name('relax (FIRE), then MD');

  const files = gui.addFolder('files');
  const button = (name: string, fn: () => void) => files.add({ fn }, 'fn').name(name);
  button('load .mtp', () => void pickFile(doc, '.mtp', 'file-mtp').then((f) => f && c.loadFile(f)));
  button(
    'load structure',
    () => void pickFile(doc, STRUCTURE_FILE_ACCEPT, 'file-structure').then((f) => f && c.loadFile(f)),
  );
  button('export frame (extxyz)', () => {
    const f = lab.frame;
    if (!f) return;
    download(
      doc,
      'frame.extxyz',
      formatExtxyzFrame({ ...lab.structure, positions: f.positions }, { step: f.step, Time: f.time, unwrapped: 'T' }),
    );
  });
  button('export structure (CIF)', () =>
    download(doc, 'structure.cif', writeStructureText(lab.structure, 'structure.cif')),
  );
  button('export LAMMPS data', () =>
    download(doc, 'structure.data', writeLammpsData(lab.structure, lab.potential.species)),
  );
  // the same run for a cluster, as one zip (browsers block several downloads): data file, in.lammps
  // (pair_style mlip of MLIP-2), mlip.ini and the potential itself, the files export-lammps writes
  button('export LAMMPS run (zip: data, in.lammps, mlip.ini, .mtp)', () => {
    const out = lammpsRunFiles({
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
    const zip = zipSync(Object.fromEntries(out.map(([name, text]) => [`lammps-run/${name}`, strToU8(text)])));
    download(doc, 'lammps-run.zip', new Blob([zip], { type: 'application/zip' }));
  });
  button('record trajectory', () => {
    lab.recorder = new TrajectoryRecorder();
    doc.body.dataset.recording = 'yes';
    report('recording the trajectory (every frame; memory-bounded)', 'info');
  });
  button('export trajectory (extxyz)', () => {
    const rec = lab.recorder;
    if (!rec || rec.frames.length === 0) return report('start a recording first', 'info');
    download(doc, 'trajectory.extxyz', rec.toExtxyz(lab.structure));
    if (rec.thinning > 0) report(`older frames were thinned ${rec.thinning} time(s) to stay within memory`, 'info');
  });
  button('export Arrhenius table (CSV)', () => download(doc, 'arrhenius.csv', lab.arrhenius.csv(lab.sceneKey)));
  button('export MSD (CSV)', () => download(doc, 'msd.csv', plots.msdCsv()));
  button('export thermo (CSV)', () => download(doc, 'thermo.csv', plots.thermoCsv()));

  const view = gui.addFolder('view');
  view.add({ a: () => viewport.viewAlong(0) }, 'a').name('along a');
  view.add({ b: () => viewport.viewAlong(1) }, 'b').name('along b');
  view.add({ c: () => viewport.viewAlong(2) }, 'c').name('along c / GB normal');
  view.add(
    {
      screenshot: () =>
        void fetch(viewport.screenshot())
          .then((r) => r.blob())
          .then((b) => download(doc, 'lilab.png', b)),
    },
    'screenshot',
  );
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
  return { gui, files, relax };
}
