/**
 * The live diffusion text under the MSD plot and the Arrhenius plot with its text: each finished run's D per axis,
 * the fit per axis, Ea and D(300 K). Finished runs are kept across page loads (per scene, so a fit never mixes
 * systems) until cleared.
 */
import type GUI from 'lil-gui';
import { MIN_RUN_FS } from '../analysis/arrhenius-runs.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import type { Lab } from './lab.ts';
import { arrheniusPlot } from './plots.ts';

const ARRHENIUS_KEY = 'lilab.arrhenius';
const EMPTY_TEXT = 'Arrhenius: change the temperature; each finished run adds its D here.';

export function attachArrheniusView(doc: Document, lab: Lab, files: GUI, storage: Storage | null): void {
  const arrEl = doc.getElementById('arrhenius-values')!;
  const plotEl = doc.getElementById('plot-arrhenius')!;
  const draw = () => {
    const key = lab.sceneKey;
    const runs = lab.arrhenius.points(key);
    const fit = lab.arrhenius.fit(key, 'total');
    doc.body.dataset.arrheniusPoints = String(runs.length);
    if (runs.length === 0) {
      plotEl.replaceChildren();
      arrEl.textContent = EMPTY_TEXT;
      return;
    }
    arrheniusPlot(plotEl, runs, fit);
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
  lab.onArrhenius = () => {
    draw();
    try {
      storage?.setItem(ARRHENIUS_KEY, lab.arrhenius.toJson());
    } catch {
      // a full or blocked store: the runs stay for this page only
    }
  };
  if (lab.arrhenius.restore(storage?.getItem(ARRHENIUS_KEY) ?? null) > 0) draw();
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
}
