/** The lab's settings, kept in the URL so a link restores them. */
import type { Thermostat } from '../md/engine.ts';
import { STRUCTURE_PRESETS } from '../structure/presets.ts';

export interface LabSettings {
  preset: string;
  temperature: number;
  thermostat: Thermostat;
  dt: number;
  stepsPerFrame: number;
  seed: number;
  colorBy: 'species' | 'displacement' | 'region' | 'grade';
}

export const DEFAULT_SETTINGS: LabSettings = {
  preset: 'sigma5-001-120',
  temperature: 800,
  thermostat: 'csvr',
  dt: 1,
  stepsPerFrame: 20,
  seed: 1,
  colorBy: 'species',
};

const THERMOSTATS: Thermostat[] = ['csvr', 'langevin', 'nhc', 'nve'];

export function settingsFromUrl(search: string): LabSettings {
  const q = new URLSearchParams(search);
  const num = (key: string, fallback: number, lo: number, hi: number) => {
    const v = Number(q.get(key));
    return q.has(key) && Number.isFinite(v) && v >= lo && v <= hi ? v : fallback;
  };
  const preset = q.get('preset') ?? DEFAULT_SETTINGS.preset;
  const thermostat = q.get('thermostat') as Thermostat;
  const colorBy = q.get('color') as LabSettings['colorBy'];
  return {
    preset: preset in STRUCTURE_PRESETS ? preset : DEFAULT_SETTINGS.preset,
    temperature: num('T', DEFAULT_SETTINGS.temperature, 1, 5000),
    thermostat: THERMOSTATS.includes(thermostat) ? thermostat : DEFAULT_SETTINGS.thermostat,
    dt: num('dt', DEFAULT_SETTINGS.dt, 0.1, 5),
    stepsPerFrame: Math.round(num('spf', DEFAULT_SETTINGS.stepsPerFrame, 1, 1000)),
    seed: Math.round(num('seed', DEFAULT_SETTINGS.seed, 0, 2 ** 31)),
    colorBy: ['species', 'displacement', 'region', 'grade'].includes(colorBy) ? colorBy : DEFAULT_SETTINGS.colorBy,
  };
}

export function settingsToUrl(s: LabSettings): string {
  const q = new URLSearchParams({
    preset: s.preset,
    T: String(s.temperature),
    thermostat: s.thermostat,
    dt: String(s.dt),
    spf: String(s.stepsPerFrame),
    seed: String(s.seed),
    color: s.colorBy,
  });
  return `?${q.toString()}`;
}
