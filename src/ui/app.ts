/**
 * The page's composition root: find WebGPU, start the default scene (a beta-Li3PS4 Sigma 5 grain boundary at 800 K)
 * with no clicks, and connect the parts: status line, view and picking, plots, the panel and its folders, the link,
 * the tour and the loops. State that end-to-end tests read is mirrored on `document.body.dataset` (adapter,
 * gpuSelfTest, step, msdPoints, scene), so tests need no private hooks.
 */
import type { GpuContext } from '../gpu/device.ts';
import { STRUCTURE_PRESETS } from '../structure/presets.ts';
import { startAnalysisWorker } from '../worker/analysis-client.ts';
import { attachArrheniusView } from './arrhenius-view.ts';
import { fetchDefaultPotential, placeholderPotential } from './default-potential.ts';
import { startDevice } from './device-start.ts';
import { acceptDrops, fileLoader, loadLinkedFiles } from './file-loading.ts';
import { Lab, type LoadedPotential } from './lab.ts';
import { Link } from './link.ts';
import { startLoops } from './loops.ts';
import { messenger } from './messages.ts';
import { buildPanel } from './panel.ts';
import { Picker } from './picking.ts';
import { Plots } from './plots.ts';
import { settingsFromUrl } from './settings.ts';
import { bindShortcuts } from './shortcuts.ts';
import { StatusLine } from './status-line.ts';
import { addStudyPanel } from './study-view.ts';
import { startTour } from './tour.ts';
import { addTrainingPanel } from './training-panel.ts';
import { Viewport } from './viewport.ts';

export interface AppState {
  gpu: GpuContext | null;
  error: string | null;
  lab: Lab | null;
}

/** localStorage, or null where it is blocked (private modes): the tour then shows every time, runs are not kept. */
function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export async function startApp(doc: Document): Promise<AppState> {
  const report = messenger(doc);
  const status = new StatusLine(doc);
  const state: AppState = { gpu: null, error: null, lab: null };
  Object.assign(
    state,
    await startDevice(status, report, async (gpu) => {
      state.gpu = gpu;
      await state.lab?.recover(gpu.device);
    }),
  );
  const settings = settingsFromUrl(location.search);
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
  let initialPotential: LoadedPotential | null = null;
  try {
    initialPotential = await fetchDefaultPotential();
  } catch (err) {
    report(`The default potential could not be read (${(err as Error).message}); running the placeholder.`);
  }
  const lab = new Lab(
    state.gpu?.device ?? null,
    settings,
    initialPotential ?? placeholderPotential(),
    viewport,
    plots,
    startAnalysisWorker().remote,
    report,
    (s) => status.run(s, settings.dt, plots.msdPoints),
  );
  state.lab = lab;
  status.potential(lab.potential, initialPotential ? 'default' : 'placeholder');
  await lab.restart();
  doc.body.dataset.scene = settings.preset;

  const link = new Link(location.search, settings, viewport, report);
  const restartWith = (fn: () => void) =>
    void lab
      .command(async () => {
        fn();
        await link.around(() => lab.restart());
        lab.playing = true;
      })
      .catch((e) => report((e as Error).message));
  const files = fileLoader(lab, status, report);
  void loadLinkedFiles(link, files, report);

  const panel = buildPanel({
    doc,
    lab,
    viewport,
    plots,
    settings,
    report,
    status,
    restartWith,
    loadFile: files.loadFile,
    saveLink: () => link.save(),
  });
  // a bicrystal as built has its grains at the scanned translation but unrelaxed: the first MD starts relaxed
  if (initialPotential && STRUCTURE_PRESETS[settings.preset]?.normal) panel.relax();
  const storage = localStore();
  const tourBox = doc.getElementById('tour')!;
  startTour(doc, tourBox, storage);
  panel.gui.add({ tour: () => startTour(doc, tourBox, storage, true) }, 'tour').name('guided tour');
  bindShortcuts(doc, {
    togglePlay: () => {
      lab.playing = !lab.playing;
    },
    reset: () => restartWith(() => {}),
    view: (k) => viewport.viewAlong(k),
    toggleOrthographic: () => viewport.setOrthographic(!viewport.isOrthographic),
    clearPick: () => picker.click(null, false),
  });
  addStudyPanel(doc, panel.gui, report, {
    device: () => state.gpu?.device ?? null,
    potential: () => lab.potential,
    potentialLabel: () => lab.potential.label,
    pause: () => {
      const was = lab.playing;
      lab.playing = false;
      return () => {
        lab.playing = was;
      };
    },
  });
  const trainer = addTrainingPanel(doc, panel.gui, {
    lab,
    viewport,
    picker,
    settings,
    report,
    defaultRuns: initialPotential !== null,
    usePotential: files.load,
  });
  files.onPotential = trainer.loaded;
  attachArrheniusView(doc, lab, panel.files, storage);
  acceptDrops(doc.getElementById('viewport')!, files);
  startLoops(lab, picker, status, report, state.gpu !== null);
  return state;
}
