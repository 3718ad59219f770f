/**
 * D from runs at several temperatures, kept per scene (structure, size, potential) so that an Arrhenius fit only ever
 * mixes runs of the same system. A later run at a temperature replaces the earlier one.
 */
import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import { type ArrheniusFit, fitArrhenius } from './arrhenius.ts';

export type Axis = 'x' | 'y' | 'z' | 'total';

/**
 * Shortest run whose D enters an Arrhenius fit, fs: the fit window then starts 0.2 ps in and ends at 1 ps (FIT_WINDOW),
 * several Li hops at the temperatures the page runs; shorter runs give D that the error bars only pretend to bound.
 */
export const MIN_RUN_FS = 2000;
export const AXES: Axis[] = ['x', 'y', 'z', 'total'];

/** D per axis (A^2/fs) with standard errors, as the live MSD fit gives them. */
export interface AxisDiffusion {
  x: number;
  y: number;
  z: number;
  total: number;
  xErr: number;
  yErr: number;
  zErr: number;
  totalErr: number;
}

export interface RunDiffusion {
  temperature: number;
  d: AxisDiffusion;
  /** Simulated time the estimate rests on, fs. */
  time: number;
}

const errOf = (d: AxisDiffusion, axis: Axis) => d[`${axis}Err`];

export class ArrheniusRuns {
  private readonly scenes = new Map<string, Map<number, RunDiffusion>>();

  record(scene: string, run: RunDiffusion): void {
    if (!this.scenes.has(scene)) this.scenes.set(scene, new Map());
    this.scenes.get(scene)!.set(run.temperature, run);
  }

  points(scene: string): RunDiffusion[] {
    return [...(this.scenes.get(scene)?.values() ?? [])].sort((a, b) => a.temperature - b.temperature);
  }

  /** Arrhenius fit along one axis over the runs with D > 0; null with fewer than two such runs. */
  fit(scene: string, axis: Axis): ArrheniusFit | null {
    const pts = this.points(scene)
      .filter((r) => r.d[axis] > 0)
      .map((r) => ({ temperature: r.temperature, d: r.d[axis], dError: errOf(r.d, axis) }));
    return pts.length >= 2 ? fitArrhenius(pts) : null;
  }

  /** Every scene's runs as JSON (for keeping across page loads). */
  toJson(): string {
    return JSON.stringify([...this.scenes].map(([scene, runs]) => [scene, [...runs.values()]]));
  }

  /**
   * Runs kept by toJson, added to these; anything that is not such a list (an old or foreign value) is ignored, so a
   * damaged store costs the runs, never the page.
   */
  restore(json: string | null): number {
    if (!json) return 0;
    let n = 0;
    try {
      const v = JSON.parse(json) as unknown;
      if (!Array.isArray(v)) return 0;
      for (const entry of v) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) continue;
        for (const r of entry[1] as RunDiffusion[]) {
          const ok =
            r &&
            Number.isFinite(r.temperature) &&
            Number.isFinite(r.time) &&
            AXES.every((a) => Number.isFinite(r.d?.[a]) && Number.isFinite(r.d?.[`${a}Err`]));
          if (!ok) continue;
          this.record(entry[0], r);
          n++;
        }
      }
    } catch {
      return n;
    }
    return n;
  }

  clear(): void {
    this.scenes.clear();
  }

  csv(scene: string): string {
    const head = 'temperature_K,time_fs,' + AXES.map((a) => `D_${a}_cm2_s,D_${a}_err_cm2_s`).join(',');
    // 1 A^2/fs = 0.1 cm^2/s
    const rows = this.points(scene).map(
      (r) =>
        `${r.temperature},${r.time},${AXES.map((a) => `${r.d[a] * A2_PER_FS_TO_CM2_PER_S},${errOf(r.d, a) * A2_PER_FS_TO_CM2_PER_S}`).join(',')}`,
    );
    return `${[head, ...rows].join('\n')}\n`;
  }
}
