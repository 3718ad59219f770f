/**
 * The Study view: a `lilab study` output opened in the page (results.json and the MSD CSVs, chosen together), drawn
 * with the same figures the report has, and exported again as a zip of report.md, figures and results. The view keeps
 * the last study it showed; a file that is not a study is refused with its name and leaves the view as it was.
 */
import { strToU8, zipSync } from 'fflate';
import type GUI from 'lil-gui';
import type { StudyResults } from '../analysis/study.ts';
import { checkStudyResults, studyFigures, studyReportMarkdown } from '../analysis/study-report.ts';
import {
  BULK_ID,
  type RunRecord,
  runStudy,
  STUDY_BOUNDARIES,
  STUDY_MODES,
  type StudyStore,
  type SystemRecord,
  studySystem,
} from '../md/study-pipeline.ts';
import type { Structure } from '../model/structure.ts';
import type { MtpPotential } from '../potential/mtp/potential.ts';
import { download, pickFiles } from './file-actions.ts';

export interface OpenedStudy {
  results: StudyResults;
  /** CSV text by file name (the basename of each entry's msd_csv). */
  csv: Map<string, string>;
  figures: Record<string, string>;
  missing: string[];
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** A study from its files: exactly one results.json, any number of MSD CSVs. */
export function openStudy(files: { name: string; text: string }[]): OpenedStudy {
  const json = files.filter((f) => f.name.endsWith('.json'));
  if (json.length !== 1)
    throw new Error(
      `choose the study's results.json (one .json file) with its msd/*.csv files; got ${json.length} .json`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(json[0].text);
  } catch (err) {
    throw new Error(`${json[0].name}: not JSON (${(err as Error).message})`);
  }
  const results = checkStudyResults(parsed, json[0].name);
  const csv = new Map(files.filter((f) => f.name.endsWith('.csv')).map((f) => [baseName(f.name), f.text]));
  const { figures, missing } = studyFigures(results, (path) => csv.get(baseName(path)) ?? null);
  return { results, csv, figures, missing };
}

/** Draws an opened study into `root` (replacing what was there). */
export function showStudy(doc: Document, root: HTMLElement, s: OpenedStudy): void {
  const r = s.results;
  const head = doc.createElement('p');
  head.className = 'note';
  head.textContent =
    `${r.boundaries.length} boundaries${r.bulk ? ' and the bulk' : ''}; LiLab ${r.lilab}, ${r.created}; ` +
    `potential ${String(r.potential.file ?? '')
      .split('/')
      .pop()}` +
    (s.missing.length ? `; MSD curves not given: ${s.missing.map(baseName).join(', ')}` : '');
  const grid = doc.createElement('div');
  grid.className = 'study-figures';
  for (const [name, svg] of Object.entries(s.figures)) {
    const fig = doc.createElement('figure');
    fig.dataset.figure = name;
    // the SVG is our own text (svgFigure escapes every label), not the file's
    fig.innerHTML = svg;
    grid.appendChild(fig);
  }
  root.replaceChildren(head, grid);
  root.hidden = false;
  doc.body.dataset.studyFigures = String(Object.keys(s.figures).length);
}

/** report.md, figures/*.svg and results.json as one zip (one download: browsers block several). */
export function studyZip(s: OpenedStudy): Uint8Array {
  const files: Record<string, Uint8Array> = {
    'report.md': strToU8(studyReportMarkdown(s.results, (name) => `figures/${name}.svg`)),
    'results.json': strToU8(`${JSON.stringify(s.results, null, 2)}\n`),
  };
  for (const [name, svg] of Object.entries(s.figures)) files[`figures/${name}.svg`] = strToU8(svg);
  return zipSync(files);
}

/** What the page's study run needs from the lab: its device and potential, and a pause of its own MD meanwhile. */
export interface StudyRunner {
  device(): GPUDevice | null;
  potential(): MtpPotential | null;
  potentialLabel(): string;
  /** Stops the lab's MD; the function returned starts it again. */
  pause(): () => void;
}

/** A study kept in memory: the page's run, redrawn after every finished run. */
function memoryStore(csv: Map<string, string>): StudyStore {
  const systems = new Map<string, { record: SystemRecord; structure: Structure }>();
  const runs = new Map<string, RunRecord>();
  return {
    getSystem: (id) => systems.get(id) ?? null,
    putSystem: (id, record, structure) => systems.set(id, { record, structure }),
    getRun: (key) => runs.get(key) ?? null,
    putRun: (key, record) => runs.set(key, record),
    putCsv: (path, text) => csv.set(baseName(path), text),
  };
}

/** The panel's study folder: run a small study here, open a study's files into the view, export its report. */
export function addStudyPanel(
  doc: Document,
  gui: GUI,
  message: (text: string, kind?: 'error' | 'info') => void,
  runner: StudyRunner,
): void {
  const section = doc.getElementById('study')!;
  const body = doc.getElementById('study-body')!;
  doc.getElementById('study-close')!.addEventListener('click', () => {
    section.hidden = true;
  });
  let opened: OpenedStudy | null = null;
  let running = false;
  const mode = STUDY_MODES.page;
  const run = {
    boundaries: mode.boundaries.join(','),
    temperatures: mode.temperatures.join(','),
    ps: mode.ps,
    bulk: true,
  };
  const show = (results: StudyResults, csv: Map<string, string>, status: string) => {
    const { figures, missing } = studyFigures(results, (path) => csv.get(baseName(path)) ?? null);
    opened = { results, csv, figures, missing };
    showStudy(doc, body, opened);
    const line = doc.createElement('p');
    line.className = 'note';
    line.id = 'study-status';
    line.textContent = status;
    body.prepend(line);
    section.hidden = false;
  };
  const runHere = async () => {
    if (running) return message('A study is running already.', 'info');
    const device = runner.device();
    const potential = runner.potential();
    if (!device || !potential) return message('The study needs WebGPU and a potential.');
    const ids = run.boundaries
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const systems = [...(run.bulk ? [BULK_ID] : []), ...ids].map(studySystem);
    const bad = ids.find((_id, k) => systems[k + (run.bulk ? 1 : 0)] === null);
    if (bad) return message(`No boundary '${bad}' (known: ${STUDY_BOUNDARIES.join(', ')}).`);
    const temperatures = run.temperatures.split(',').map(Number);
    if (!temperatures.length || !temperatures.every((t) => t > 0 && t !== 300) || !(run.ps > 0))
      return message('Give run temperatures (K, not 300) like 1000,1200 and a positive length in ps.');
    running = true;
    const resume = runner.pause();
    const csv = new Map<string, string>();
    const status = (text: string) => {
      const el = doc.getElementById('study-status');
      if (el) el.textContent = text;
      doc.body.dataset.studyStatus = text;
    };
    section.hidden = false;
    body.replaceChildren(Object.assign(doc.createElement('p'), { className: 'note', id: 'study-status' }));
    status('study: building and relaxing...');
    try {
      const results = await runStudy(
        device,
        potential,
        systems.filter((x): x is NonNullable<typeof x> => x !== null),
        {
          temperatures,
          ps: run.ps,
          ps300: Math.min(run.ps, mode.ps300),
          equilibratePs: Math.min(mode.equilibratePs, run.ps / 2),
          seed: 1,
        },
        memoryStore(csv),
        {
          lilab: 'page',
          command: `page study ${JSON.stringify(run)}`,
          potential: { name: potential.model.name, label: runner.potentialLabel() },
        },
        {
          onProgress: (p) =>
            status(
              `study: ${(100 * p.fraction).toFixed(0)} % (${p.label})` +
                (Number.isFinite(p.secondsLeft) ? `, about ${Math.ceil(p.secondsLeft / 60)} min left` : ''),
            ),
          onResults: (r) => show(r, csv, 'study: running...'),
        },
      );
      show(results, csv, 'study: done');
      doc.body.dataset.studyDone = 'true';
    } catch (err) {
      message(`The study stopped: ${(err as Error).message}`);
    } finally {
      running = false;
      resume();
    }
  };
  const actions = {
    runHere: () => void runHere(),
    open: () =>
      void pickFiles(doc, '.json,.csv', 'file-study').then(async (files) => {
        if (!files.length) return;
        try {
          const s = openStudy(await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() }))));
          showStudy(doc, body, s);
          section.hidden = false;
          opened = s;
        } catch (err) {
          message(`Study not opened: ${(err as Error).message}`);
        }
      }),
    exportReport: () => {
      if (!opened) return message('Open a study first (its results.json and msd CSVs).', 'info');
      const zip = studyZip(opened);
      download(doc, 'study-report.zip', new Blob([zip.slice().buffer], { type: 'application/zip' }));
    },
  };
  const folder = gui.addFolder('study (lilab study results)');
  folder.add(run, 'boundaries').name('study: boundaries');
  folder.add(run, 'temperatures').name('study: temperatures (K)');
  folder.add(run, 'ps', 0.1, 200).name('study: ps per run');
  folder.add(run, 'bulk').name('study: with the bulk');
  folder.add(actions, 'runHere').name('run the study here (live)');
  folder.add(actions, 'open').name('open results.json + msd CSVs');
  folder.add(actions, 'exportReport').name('export report (zip: report.md, figures, results)');
  folder.close();
}
