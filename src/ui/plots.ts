/** Live plots with uPlot (small and fast): per-axis Li MSD by region, and temperature/energy traces. */

import uPlot from 'uplot';
import type { ArrheniusFit } from '../analysis/arrhenius.ts';
import type { RunDiffusion } from '../analysis/arrhenius-runs.ts';
import { AXIS_STYLE, OKABE_ITO } from '../analysis/figures.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import type { GroupSnapshot } from '../worker/analysis-service.ts';
import 'uplot/dist/uPlot.min.css';

const AXIS = { stroke: '#9aa3b5', grid: { stroke: '#2a3040' }, ticks: { stroke: '#2a3040' } };

function chart(
  el: HTMLElement,
  title: string,
  xLabel: string,
  yLabel: string,
  series: { label: string; stroke: string; dash?: number[]; scale?: string }[],
  right?: { scale: string; label: string },
) {
  const opts: uPlot.Options = {
    title,
    width: el.clientWidth || 360,
    height: 200,
    scales: { x: { time: false } },
    axes: [
      { ...AXIS, label: xLabel },
      { ...AXIS, label: yLabel },
      ...(right ? [{ ...AXIS, scale: right.scale, label: right.label, side: 1, grid: { show: false } }] : []),
    ],
    series: [
      { label: xLabel },
      ...series.map((s) => ({ label: s.label, stroke: s.stroke, dash: s.dash, width: 1.5, scale: s.scale })),
    ],
    legend: { live: false },
  };
  const data: uPlot.AlignedData = [[], ...series.map(() => [])];
  return new uPlot(opts, data, el);
}

/** One group's live MSD curves and D fit, as the analysis worker sends them. */
export type MsdCurve = GroupSnapshot;

/** D per axis of each group as text, in cm^2/s (1 A^2/fs = 0.1 cm^2/s). */
export function diffusionText(curves: MsdCurve[]): string {
  const f = (v: number, e: number) =>
    `${(v * A2_PER_FS_TO_CM2_PER_S).toExponential(2)} +- ${(e * A2_PER_FS_TO_CM2_PER_S).toExponential(1)}`;
  return curves
    .filter((c) => c.d)
    .map(
      (c) => `${c.name}: D_x ${f(c.d!.x, c.d!.xErr)}, D_y ${f(c.d!.y, c.d!.yErr)}, D_z ${f(c.d!.z, c.d!.zErr)} cm^2/s`,
    )
    .join('\n');
}

export class Plots {
  readonly msd: uPlot;
  readonly thermo: uPlot;
  private readonly time: number[] = [];
  private readonly temperature: number[] = [];
  private readonly energy: number[] = [];
  /** Points in the MSD plot (the end-to-end tests read it). */
  msdPoints = 0;
  private lastMsd: MsdCurve[] = [];

  constructor(msdEl: HTMLElement, thermoEl: HTMLElement) {
    const A = AXIS_STYLE;
    // all Li solid, Li near the boundary with each axis's dash; colours from one table (colour-blind safe)
    this.msd = chart(msdEl, 'Li mean-squared displacement', 'lag (ps)', 'MSD (A^2)', [
      { label: 'x', stroke: A.x.onDark },
      { label: 'y', stroke: A.y.onDark },
      { label: 'z (normal)', stroke: A.z.onDark },
      { label: 'total/3', stroke: A.total.onDark },
      { label: 'z near GB', stroke: A.z.onDark, dash: [...A.z.dash] },
      { label: 'x near GB', stroke: A.x.onDark, dash: [...A.x.dash] },
    ]);
    // the energy drift has its own axis (right), in meV/atom: on the temperature's axis it was a flat line
    this.thermo = chart(
      thermoEl,
      'temperature and energy drift',
      'time (ps)',
      'T (K)',
      [
        { label: 'T (K)', stroke: OKABE_ITO[1] },
        { label: 'E - E0 (meV/atom)', stroke: OKABE_ITO[7], dash: [4, 2], scale: 'drift' },
      ],
      { scale: 'drift', label: 'E - E0 (meV/atom)' },
    );
  }

  addThermo(timePs: number, temperature: number, energyPerAtomMeV: number): void {
    this.time.push(timePs);
    this.temperature.push(temperature);
    this.energy.push(energyPerAtomMeV);
    this.thermo.setData([this.time, this.temperature, this.energy]);
  }

  setMsd(curves: MsdCurve[]): void {
    this.lastMsd = curves;
    const all = curves.find((c) => c.name === 'Li all');
    const gb = curves.find((c) => c.name === 'Li near GB');
    if (!all || all.lag.length === 0) return;
    const lag = Array.from(all.lag, (t) => t / 1000);
    const pick = (c: MsdCurve | undefined, key: 'x' | 'y' | 'z') =>
      c && c.lag.length === all.lag.length ? Array.from(c[key]) : lag.map(() => null);
    this.msd.setData([
      lag,
      Array.from(all.x),
      Array.from(all.y),
      Array.from(all.z),
      Array.from(all.total, (v) => v / 3),
      pick(gb, 'z'),
      pick(gb, 'x'),
    ] as uPlot.AlignedData);
    this.msdPoints = lag.length;
  }

  clear(): void {
    this.time.length = 0;
    this.temperature.length = 0;
    this.energy.length = 0;
    this.thermo.setData([[], [], []]);
    this.msd.setData([[], [], [], [], [], [], []]);
    this.msdPoints = 0;
    this.lastMsd = [];
  }

  msdCsv(): string {
    const rows = ['group,lag_fs,msd_x_A2,msd_y_A2,msd_z_A2,msd_total_A2'];
    for (const c of this.lastMsd)
      for (let m = 0; m < c.lag.length; m++)
        rows.push(`${c.name},${c.lag[m]},${c.x[m]},${c.y[m]},${c.z[m]},${c.total[m]}`);
    return `${rows.join('\n')}\n`;
  }

  thermoCsv(): string {
    return `time_ps,temperature_K,energy_meV_per_atom\n${this.time.map((t, k) => `${t},${this.temperature[k]},${this.energy[k]}`).join('\n')}\n`;
  }
}

/** Parity plot of a fit: predicted against reference, energies per atom and force components (uPlot scatter). */
export function parityPlot(el: HTMLElement, title: string, ref: number[], pred: number[], unit: string): uPlot {
  const order = ref.map((_, i) => i).sort((a, b) => ref[a] - ref[b]);
  const x = order.map((i) => ref[i]);
  const y = order.map((i) => pred[i]);
  el.replaceChildren();
  return new uPlot(
    {
      title,
      width: el.clientWidth || 360,
      height: 200,
      scales: { x: { time: false } },
      axes: [
        { ...AXIS, label: `reference (${unit})` },
        { ...AXIS, label: `MTP (${unit})` },
      ],
      series: [
        {},
        { label: 'MTP', stroke: '#4fc3f7', width: 0, points: { show: true, size: 3 } },
        { label: 'y = x', stroke: '#777', width: 1 },
      ],
      legend: { live: false },
    },
    [x, y, x],
    el,
  );
}

const ARRHENIUS_SERIES = [
  { key: 'x', label: 'D_x', stroke: AXIS_STYLE.x.onDark },
  { key: 'y', label: 'D_y', stroke: AXIS_STYLE.y.onDark },
  { key: 'z', label: 'D_z', stroke: AXIS_STYLE.z.onDark },
  { key: 'total', label: 'D', stroke: AXIS_STYLE.total.onDark },
] as const;

/**
 * Arrhenius plot of the runs of one scene: log10 D (cm^2/s) per axis against 1000/T with +-1 sigma bars, and the fit
 * of the total D drawn out to 300 K. Points with D <= 0 (a live estimate below its noise) are left out; a bar whose
 * lower end is at or below zero runs to the foot of the plot.
 */
export function arrheniusPlot(el: HTMLElement, runs: RunDiffusion[], fit: ArrheniusFit | null): uPlot {
  const inv = runs.map((r) => 1000 / r.temperature);
  const xs = [...new Set([...inv, ...(fit ? [1000 / 300] : [])])].sort((a, b) => a - b);
  const log = (d: number) => (d > 0 ? Math.log10(d * A2_PER_FS_TO_CM2_PER_S) : null);
  const columns = ARRHENIUS_SERIES.map((s) =>
    xs.map((x) => {
      const r = runs.find((q) => 1000 / q.temperature === x);
      return r ? log(r.d[s.key]) : null;
    }),
  );
  const fitted = xs.map((x) => (fit ? log(fit.extrapolate(1000 / x).d) : null));
  const errorBars = (u: uPlot) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.lineWidth = 1.5 * devicePixelRatio;
    for (const s of ARRHENIUS_SERIES) {
      ctx.strokeStyle = s.stroke;
      for (const r of runs) {
        const d = r.d[s.key];
        const e = r.d[`${s.key}Err`];
        if (!(d > 0) || !(e > 0)) continue;
        const px = u.valToPos(1000 / r.temperature, 'x', true);
        const hi = u.valToPos(Math.log10((d + e) * A2_PER_FS_TO_CM2_PER_S), 'y', true);
        const lo =
          d - e > 0 ? u.valToPos(Math.log10((d - e) * A2_PER_FS_TO_CM2_PER_S), 'y', true) : u.bbox.top + u.bbox.height;
        ctx.beginPath();
        ctx.moveTo(px, lo);
        ctx.lineTo(px, hi);
        ctx.stroke();
      }
    }
    ctx.restore();
  };
  el.replaceChildren();
  return new uPlot(
    {
      title: 'Arrhenius (runs at several temperatures, +-1 sigma)',
      hooks: { draw: [errorBars] },
      width: el.clientWidth || 360,
      height: 200,
      scales: { x: { time: false } },
      axes: [
        { ...AXIS, label: '1000/T (1/K)' },
        { ...AXIS, label: 'log10 D (cm^2/s)' },
      ],
      series: [
        { label: '1000/T' },
        ...ARRHENIUS_SERIES.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 0,
          points: { show: true, size: 6 },
        })),
        { label: 'fit to 300 K', stroke: '#999', width: 1, dash: [4, 4], spanGaps: true },
      ],
      legend: { live: false },
    },
    [xs, ...columns, fitted] as uPlot.AlignedData,
    el,
  );
}
