/**
 * The Study view: a `lilab study` output opened in the page (results.json and the MSD CSVs, chosen together), drawn
 * with the same figures the report has, and exported again as a zip of report.md, figures and results. The view keeps
 * the last study it showed; a file that is not a study is refused with its name and leaves the view as it was.
 */
import { strToU8, zipSync } from 'fflate';
import type GUI from 'lil-gui';
import type { StudyResults } from '../analysis/study.ts';
import { checkStudyResults, studyFigures, studyReportMarkdown } from '../analysis/study-report.ts';
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

/** The panel's study folder: open a study's files into the view, export its report. */
export function addStudyPanel(doc: Document, gui: GUI, message: (text: string, kind?: 'error' | 'info') => void): void {
  const section = doc.getElementById('study')!;
  const body = doc.getElementById('study-body')!;
  doc.getElementById('study-close')!.addEventListener('click', () => {
    section.hidden = true;
  });
  let opened: OpenedStudy | null = null;
  const actions = {
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
  folder.add(actions, 'open').name('open results.json + msd CSVs');
  folder.add(actions, 'exportReport').name('export report (zip: report.md, figures, results)');
  folder.close();
}
