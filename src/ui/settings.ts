/** The lab's settings, kept in the URL so a link restores them. */

import { isThermostat, type Thermostat } from '../md/thermostats/index.ts';
import { MTP_KERNELS, type MtpKernel } from '../potential/mtp/webgpu.ts';
import { type PresetSize, STRUCTURE_PRESETS } from '../structure/presets.ts';

export interface LabSettings {
  preset: string;
  /** Repeats of the preset (bulk: a x b x c; bicrystals: a x b in plane, c CSL cells per grain along the normal). */
  cells: PresetSize;
  temperature: number;
  thermostat: Thermostat;
  dt: number;
  /** MD steps between records: the analysis's frame interval (the name is the URL's `spf`). */
  stepsPerFrame: number;
  seed: number;
  colorBy: 'species' | 'displacement' | 'region' | 'grade';
  /** The MTP kernel (`kernel=block` in the URL, for measuring on a GPU; ADR 0012); absent: the default one. */
  kernel?: MtpKernel;
}

export const DEFAULT_SETTINGS: LabSettings = {
  preset: 'sigma5-001-120',
  cells: { a: 1, b: 1, c: 1 },
  temperature: 800,
  thermostat: 'csvr',
  dt: 1,
  stepsPerFrame: 20,
  seed: 1,
  colorBy: 'species',
};

export function settingsFromUrl(search: string): LabSettings {
  const q = new URLSearchParams(search);
  const num = (key: string, fallback: number, lo: number, hi: number) => {
    const v = Number(q.get(key));
    return q.has(key) && Number.isFinite(v) && v >= lo && v <= hi ? v : fallback;
  };
  const preset = q.get('preset') ?? DEFAULT_SETTINGS.preset;
  const thermostat = q.get('thermostat') ?? '';
  const colorBy = q.get('color') as LabSettings['colorBy'];
  const kernel = q.get('kernel') as MtpKernel;
  return {
    preset: preset in STRUCTURE_PRESETS ? preset : DEFAULT_SETTINGS.preset,
    cells: parseCells(q.get('cells')),
    temperature: num('T', DEFAULT_SETTINGS.temperature, 1, 5000),
    thermostat: isThermostat(thermostat) ? thermostat : DEFAULT_SETTINGS.thermostat,
    dt: num('dt', DEFAULT_SETTINGS.dt, 0.1, 5),
    stepsPerFrame: Math.round(num('spf', DEFAULT_SETTINGS.stepsPerFrame, 1, 1000)),
    seed: Math.round(num('seed', DEFAULT_SETTINGS.seed, 0, 2 ** 31)),
    colorBy: ['species', 'displacement', 'region', 'grade'].includes(colorBy) ? colorBy : DEFAULT_SETTINGS.colorBy,
    ...(MTP_KERNELS.includes(kernel) ? { kernel } : {}),
  };
}

export function settingsToUrl(s: LabSettings): string {
  const q = new URLSearchParams({
    preset: s.preset,
    cells: formatCells(s.cells),
    T: String(s.temperature),
    thermostat: s.thermostat,
    dt: String(s.dt),
    spf: String(s.stepsPerFrame),
    seed: String(s.seed),
    color: s.colorBy,
  });
  if (s.kernel) q.set('kernel', s.kernel);
  return `?${q.toString()}`;
}

/** Largest repeat per direction the panel offers: a bicrystal of 4x4x4 is already ~20,000 atoms. */
export const MAX_REPEAT = 4;

/** `2x1x3` -> {a: 2, b: 1, c: 3}; anything else (missing, malformed, out of 1..MAX_REPEAT) gives 1x1x1. */
export function parseCells(text: string | null): PresetSize {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(text ?? '');
  const n = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (n.length !== 3 || n.some((v) => v < 1 || v > MAX_REPEAT)) return { ...DEFAULT_SETTINGS.cells };
  return { a: n[0], b: n[1], c: n[2] };
}

export function formatCells(n: PresetSize): string {
  return `${n.a}x${n.b}x${n.c}`;
}

/** The camera a link carries (`cam`): where it is and what it orbits (A, the cell's frame), and the projection. */
export interface CameraView {
  position: number[];
  target: number[];
  orthographic: boolean;
}

/** `x,y,z,tx,ty,tz` with `,o` for orthographic, to 0.01 A. */
export function formatCamera(v: CameraView): string {
  return [...v.position, ...v.target].map((x) => x.toFixed(2)).join(',') + (v.orthographic ? ',o' : '');
}

/** The `cam` value read back; null when absent; an error naming what is wrong otherwise. */
export function parseCamera(text: string | null): CameraView | null {
  if (text === null || text === '') return null;
  const parts = text.split(',');
  const orthographic = parts[parts.length - 1] === 'o';
  const numbers = (orthographic ? parts.slice(0, -1) : parts).map(Number);
  if (numbers.length !== 6 || numbers.some((x) => !Number.isFinite(x)))
    throw new Error(`cam=${text}: expected six numbers x,y,z,tx,ty,tz (A), and ,o for orthographic`);
  const position = numbers.slice(0, 3);
  const target = numbers.slice(3);
  if (Math.hypot(position[0] - target[0], position[1] - target[1], position[2] - target[2]) < 1e-3)
    throw new Error(`cam=${text}: the camera sits on the point it looks at`);
  return { position, target, orthographic };
}
