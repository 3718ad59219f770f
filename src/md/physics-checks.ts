/**
 * Physical checks of a beta-Li3PS4 potential against its DFT data and against what the material does:
 * - lattice: pressure at the experimental cell and the isotropic zero-pressure volume, MTP against the DFT labels of
 *   the same cells; the cell relaxed with the MTP (FIRE on positions, axis lengths scaled by the stress) against it;
 * - Li diffusion in bulk at 800 K (must not be zero) and 300 K (must be small);
 * - a Sigma 5 grain boundary at 800 K over a long run: no collapse (shortest distance, intact PS4 units, temperature).
 * Each check returns its figures as lines (and the MD checks a RunCheck for the potential's report); `lilab physics`
 * prints them. Nothing is asserted here: the tests assert, the checks measure.
 */

import { estimateDiffusion, FIT_WINDOW } from '../analysis/diffusion.ts';
import { zeroPressureVolume, zeroStressStrains } from '../analysis/lattice.ts';
import { MdCensus, ps4Census } from '../analysis/ps4.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { Checkpoint } from '../io/checkpoint.ts';
import { volume } from '../model/cell.ts';
import { CENSUS_SAMPLE_FS, CENSUS_WINDOW_FS } from '../model/ps4.ts';
import { LI_P_S } from '../model/species.ts';
import { type Structure, toConfiguration } from '../model/structure.ts';
import { toAtomicSystem } from '../model/system.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import type { MtpPotential } from '../potential/mtp/potential.ts';
import { betaLi3PS4 } from '../structure/li3ps4.ts';
import { repeatStructure } from '../structure/supercell.ts';
import { configId } from '../train/dataset.ts';
import type { LabelledConfiguration } from '../train/linear-fit.ts';
import { pressureDiagonal, relaxOrthorhombicCell } from './cell-relax.ts';
import { MdEngine } from './engine.ts';
import { ContactError, fireMinimize } from './fire.ts';
import { checkpointOf, frameOfCheckpoint } from './observers.ts';
import { RUN_PROGRESS_FORMAT, type RunProgress } from './run-progress.ts';
import { STUDY_BOUNDARIES, studySystem, systemStart } from './study-pipeline.ts';

/** The labels' virial as 3x3 from MLIP's PlusStress six (xx yy zz yz xz xy). */
function virialDiagFromPlus(ps: Float64Array): number[] {
  return [ps[0], 0, 0, 0, ps[1], 0, 0, 0, ps[2]];
}

/** Lattice checks of `potential` against the DFT labels `data` (read from `dataPath`, named in the rows). */
export async function latticeChecks(
  potential: MtpPotential,
  data: LabelledConfiguration[],
  dataPath: string,
): Promise<string[]> {
  const ref = potential.cpu();
  const rows: string[] = [];
  const ideal = data.find((c) => configId(c) === 'r1-bulk-ideal');
  if (ideal?.plusStress && ideal.cell) {
    const v = volume(ideal.cell);
    const dft = pressureDiagonal(virialDiagFromPlus(ideal.plusStress), v);
    const mtp = pressureDiagonal((await ref.compute(ideal)).virial, v);
    rows.push(
      `pressure at the experimental cell (GPa, xx yy zz): DFT ${dft.map((p) => p.toFixed(2)).join(' ')}, ` +
        `MTP ${mtp.map((p) => p.toFixed(2)).join(' ')}`,
    );
  }
  // isotropic equation of state on the labelled strain series (same cells for DFT and MTP)
  const series = data.filter((c) => /^r1-(bulk-ideal|strain[-+]\d+)$/.test(configId(c)) && c.plusStress && c.cell);
  if (series.length >= 3) {
    const vols = series.map((c) => volume(c.cell!));
    const pDft = series.map((c) => c.plusStress!.slice(0, 3).reduce((a, b) => a + b, 0) / 3 / volume(c.cell!));
    const pMtp: number[] = [];
    for (const c of series) {
      const w = (await ref.compute(c)).virial;
      pMtp.push((w[0] + w[4] + w[8]) / 3 / volume(c.cell!));
    }
    const v0Dft = zeroPressureVolume(vols, pDft);
    const v0Mtp = zeroPressureVolume(vols, pMtp);
    const vExp = volume(ideal?.cell ?? series[0].cell!);
    rows.push(
      `zero-pressure volume from ${series.length} labelled strained cells (isotropic): DFT ${v0Dft.toFixed(1)} A^3, ` +
        `MTP ${v0Mtp.toFixed(1)} A^3 (${((v0Mtp / v0Dft - 1) * 100).toFixed(2)} %); experimental cell ${vExp.toFixed(1)} A^3; ` +
        `lattice scale MTP/DFT ${((v0Mtp / v0Dft) ** (1 / 3)).toFixed(4)}`,
    );
  } else {
    rows.push(`zero-pressure volume: fewer than 3 labelled strained cells in ${dataPath}`);
  }
  // the DFT cell at 0 K: DFT stresses on labelled cells whose positions a potential relaxed (r10-relaxed-*), per axis
  const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
  const L0 = s.cell.lattice;
  const percent = (e: number) => `${(e * 100).toFixed(2)} %`;
  const relaxedLabels = data.filter((c) => /-relaxed-/.test(configId(c)) && c.plusStress && c.cell);
  const dftStrains = zeroStressStrains(
    relaxedLabels.map((c) => ({
      strain: [0, 4, 8].map((k) => c.cell!.lattice[k] / L0[k] - 1),
      pressure: pressureDiagonal(virialDiagFromPlus(c.plusStress!), volume(c.cell!)),
    })),
  );
  if (relaxedLabels.length >= 2) {
    rows.push(
      `DFT 0 K cell, estimated from ${relaxedLabels.length} labelled cells with relaxed positions (zero stress per axis, linear ` +
        `between the cells that bracket it): a b c ${dftStrains.map((e) => (e === null ? 'out of reach' : `${percent(e.strain)}${e.bracketed ? '' : ' (extrapolated)'}`)).join(', ')} ` +
        'from the experimental cell',
    );
  }
  // the cell relaxed with the MTP: FIRE on positions, then each axis scaled by its pressure (orthorhombic cell)
  const relaxed = await relaxOrthorhombicCell(ref, toConfiguration(s, LI_P_S), {
    maxCycles: 100,
    minDistance: potential.model.minDist,
  });
  const L1 = relaxed.config.cell!.lattice;
  const axes = [0, 4, 8].map((k, a) => {
    const e = L1[k] / L0[k] - 1;
    const dft = dftStrains[a];
    return `${L1[k].toFixed(3)} (${percent(e)}${dft === null ? '' : `; DFT ${percent(dft.strain)}`})`;
  });
  rows.push(
    `MTP-relaxed 1x1x2 cell after ${relaxed.cycles} cycles${relaxed.converged ? '' : ' (not converged)'} ` +
      `(residual ${relaxed.pressure.map((x) => x.toFixed(2)).join(' ')} GPa): a b c = ${axes.join(', ')} ` +
      `against the experimental ${[0, 4, 8].map((k) => L0[k].toFixed(3)).join(', ')} A`,
  );
  return rows;
}

/** What one MD check found, kept in the potential's report so the lab can say it. */
export interface RunCheck {
  what: string;
  /**
   * A boundary check's start structure (`systemStart`); absent in the bulk checks and in boundary checks
   * measured before starts were named, which a later run therefore does not keep.
   */
  structure?: string;
  temperature: number;
  targetPs: number;
  /** Simulated time the run reached (targetPs unless it failed). */
  reachedPs: number;
  failed: string | null;
  minDistance: number;
  /**
   * Lowest fraction of whole PS4 units seen, each picosecond's census taken of the positions averaged over the
   * CENSUS_WINDOW_FS before it (reports measured before that counted single frames; they lack intactPs4Instant).
   */
  intactPs4: number;
  /** Lowest fraction in a single frame (P-S bonds stretched past PS_BOND by a vibration count as broken). */
  intactPs4Instant?: number;
  /** Most S-S bonds (under SS_BOND) seen in one frame. */
  sulfurBonds: number;
}

/** A check as the potential's report keeps it: with its printed line, the adapter it ran on and when. */
export interface MeasuredCheck extends RunCheck {
  line?: string;
  adapter?: string;
  measured?: string;
}

/** Whether two checks measured the same thing (what was run, at which temperature). */
export function sameCheck(a: RunCheck, b: RunCheck): boolean {
  return a.what === b.what && a.temperature === b.temperature;
}

/** The name of the bulk diffusion checks (the only checks that carry no `structure`). */
export const BULK_CHECK = 'bulk';

/**
 * The checks a potential's report keeps after a run: those of an earlier run of the same potential (another machine,
 * say: the long boundary run on a real GPU) that this run did not measure again, then this run's. A report written
 * for another potential (a different hash) keeps nothing of it, and a boundary check keeps only while its start is
 * among `currentStarts` (the boundaries as built now): the check of a preset since moved to another translation is
 * dropped, not shown as the new structure's.
 */
export function mergeChecks(
  earlierPhysics: unknown,
  potentialSha256: string,
  fresh: MeasuredCheck[],
  currentStarts: ReadonlySet<string>,
): MeasuredCheck[] {
  const earlier = earlierPhysics as
    | { potentialSha256?: string; checks?: MeasuredCheck[]; lines?: string[]; adapter?: string; measured?: string }
    | undefined;
  if (earlier?.potentialSha256 !== potentialSha256) return [...fresh];
  // reports written before checks carried their own line, adapter and time kept them beside the list
  const upgraded = (earlier.checks ?? []).map(
    (c, k): MeasuredCheck => ({ line: earlier.lines?.[k], adapter: earlier.adapter, measured: earlier.measured, ...c }),
  );
  const current = (c: MeasuredCheck) =>
    c.structure === undefined ? c.what === BULK_CHECK : currentStarts.has(c.structure);
  const kept = upgraded.filter((e) => current(e) && !fresh.some((c) => sameCheck(c, e)));
  return [...kept, ...fresh];
}

/** The fraction of PS4 units a run must keep whole in every picosecond's census, or its report names a limit. */
export const INTACT_REQUIRED = 0.99;

/** The known limits in words, from the checks that found a problem (empty when none did). */
export function limitsOf(checks: RunCheck[]): string {
  const parts: string[] = [];
  for (const c of checks) {
    const where = `${c.what} at ${c.temperature} K`;
    const found: string[] = [];
    if (c.sulfurBonds > 0) found.push(`forms up to ${c.sulfurBonds} spurious S-S bonds`);
    // a check measured before the averaged census (no intactPs4Instant) counted single frames: say so
    if (c.intactPs4 < INTACT_REQUIRED)
      found.push(
        `breaks PS4 units (down to ${(100 * c.intactPs4).toFixed(0)} % intact${c.intactPs4Instant === undefined ? ' in single frames' : ''})`,
      );
    if (c.failed) parts.push(`${where} fails after ${c.reachedPs.toFixed(1)} ps`);
    else if (found.length > 0) parts.push(`${where} ${found.join(' and ')} within ${c.targetPs} ps`);
  }
  return parts.join('; ');
}

export async function diffusionCheck(
  ctx: GpuContext,
  potential: MtpPotential,
  temperature: number,
  picoseconds: number,
): Promise<{ line: string; check: RunCheck }> {
  const s = repeatStructure(betaLi3PS4(), 1, 2, 2);
  const system = toAtomicSystem(s, LI_P_S);
  const field = await potential.gpu(ctx.device);
  const md = await MdEngine.create(ctx.device, field, system, { dt: 1, temperature, thermostat: 'csvr', seed: 5 });
  const t0 = performance.now();
  const frames: Float64Array[] = [];
  let tSum = 0;
  let minDist = Number.POSITIVE_INFINITY;
  let reachedPs = 0;
  const every = CENSUS_SAMPLE_FS;
  const census = new MdCensus(s);
  const steps = Math.round(picoseconds * 1000);
  const check = (failed: string | null): RunCheck => ({
    what: BULK_CHECK,
    temperature,
    targetPs: picoseconds + 2,
    reachedPs,
    failed,
    minDistance: minDist,
    intactPs4: census.lowestIntact,
    intactPs4Instant: census.lowestIntactInstant,
    sulfurBonds: census.mostSulfurBonds,
  });
  try {
    await md.run(2000, 100, (t) => {
      reachedPs = t.time / 1000;
    }); // 2 ps to equilibrate
    await md.run(steps, every, (t, f) => {
      frames.push(Float64Array.from(f.positions));
      tSum += t.temperature;
      minDist = Math.min(minDist, t.minDistance);
      reachedPs = t.time / 1000;
      census.add(t.time, f.positions);
      if (t.step % 1000 === 0) census.take(f.positions);
    });
  } catch (err) {
    const failed = (err as Error).message;
    return { line: `bulk ${temperature} K: FAILED after ${reachedPs.toFixed(1)} ps: ${failed}`, check: check(failed) };
  } finally {
    md.destroy();
    field.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  const li = Array.from(s.types.keys()).filter((i) => s.species[s.types[i]] === 'Li');
  const span = (frames.length - 1) * every;
  const d = estimateDiffusion(frames, every, {
    atoms: li,
    masses: system.masses,
    start: FIT_WINDOW.from * span,
    end: FIT_WINDOW.to * span,
  });
  const cm = (x: { value: number; error: number }) =>
    `${(x.value * A2_PER_FS_TO_CM2_PER_S).toExponential(2)} +- ${(x.error * A2_PER_FS_TO_CM2_PER_S).toExponential(1)}`;
  const msdEnd = d.curves.total[Math.floor(d.curves.total.length / 2)];
  const line =
    `bulk 1x2x2 (${s.types.length} atoms) ${temperature} K, ${picoseconds} ps after 2 ps: <T> ${(tSum / frames.length).toFixed(0)} K, ` +
    `min distance ${minDist.toFixed(2)} A, Li MSD at ${((d.curves.lag[Math.floor(d.curves.lag.length / 2)] ?? 0) / 1000).toFixed(1)} ps ` +
    `${msdEnd.toFixed(2)} A^2, D ${cm(d.total)} (x ${cm(d.x)}, y ${cm(d.y)}, z ${cm(d.z)}) cm^2/s; ` +
    `lowest intact PS4 ${(100 * census.lowestIntact).toFixed(0)} % in ${CENSUS_WINDOW_FS} fs means ` +
    `(${(100 * census.lowestIntactInstant).toFixed(0)} % in single frames), most S-S bonds ${census.mostSulfurBonds}; ` +
    `${seconds.toFixed(0)} s`;
  return { line, check: check(null) };
}

/** Every boundary the MD checks know: the study's systems but the bulk (the CSL presets and the amorphous interface). */
export function isCheckedBoundary(id: string): boolean {
  return STUDY_BOUNDARIES.includes(id);
}

/**
 * The boundary as the study builds it; the amorphous interface is melt-quenched with the potential under test, so
 * the check sees the glass that potential would give.
 */
function checkedStructure(ctx: GpuContext, potential: MtpPotential, preset: string): Promise<Structure> {
  const system = isCheckedBoundary(preset) ? studySystem(preset) : null;
  if (!system) throw new Error(`no boundary '${preset}'`);
  return system.build(ctx.device, potential);
}

/** The starts of every boundary the checks know, as built now (what `mergeChecks` keeps earlier checks of). */
export function currentBoundaryStarts(): Set<string> {
  return new Set(STUDY_BOUNDARIES.map((id) => systemStart(id)!));
}

/** Where a boundary check keeps its progress: the file it resumes from (null: none yet) and how to save it. */
export interface RunKeeping {
  potentialSha256: string;
  resume: RunProgress | null;
  save: (progress: RunProgress) => void;
}

/** The structure a progress file holds: the engine's atoms and cell at its last record. */
function structureOfCheckpoint(cp: Checkpoint): Structure {
  return {
    cell: { lattice: Float64Array.from(cp.lattice), pbc: [true, true, true] },
    species: cp.species,
    types: Int32Array.from(cp.types),
    positions: Float64Array.from(cp.positions),
  };
}

/**
 * A boundary preset at a temperature for a long run, started from its FIRE-relaxed positions (as the study relaxed
 * its boundaries before MD: the builder's unrelaxed interface has contacts no MD should start from). With `keeping`,
 * the run saves its progress at every picosecond record and goes on from a saved one: the census of the next
 * picosecond reads only frames after it (the window is CENSUS_WINDOW_FS), so a resumed run measures what one run
 * would; its trajectory is the same ensemble, not the same bits (the neighbour list and forces are rebuilt).
 */
export async function boundaryStability(
  ctx: GpuContext,
  potential: MtpPotential,
  preset: string,
  temperature: number,
  picoseconds: number,
  log: (line: string) => void,
  keeping?: RunKeeping,
): Promise<{ line: string; check: RunCheck }> {
  const from = keeping?.resume ?? null;
  if (from?.line) {
    log(`  ${preset} ${temperature} K: ended in an earlier sitting, kept`);
    return { line: from.line, check: from.check };
  }
  const t0 = performance.now();
  const seconds = () => (from?.seconds ?? 0) + (performance.now() - t0) / 1000;
  const steps = Math.round(picoseconds * 1000);
  // a resumed run's atoms and cell are its checkpoint's; the engine's state is restored from it below
  const s = from?.md ? structureOfCheckpoint(from.md) : await checkedStructure(ctx, potential, preset);
  const system = toAtomicSystem(s, LI_P_S);
  const field = await potential.gpu(ctx.device);
  let positions = system.positions;
  let check: RunCheck;
  let start: number;
  let tSum = from?.tSum ?? 0;
  let records = from?.records ?? 0;
  if (from?.md) {
    check = { ...from.check };
    start = from.start;
    log(`  ${preset} ${temperature} K: going on from ${(from.md.step / 1000).toFixed(0)} ps`);
  } else {
    const startCensus = ps4Census(s, system.positions);
    check = {
      what: s.title ?? preset,
      structure: systemStart(preset)!,
      temperature,
      targetPs: picoseconds,
      reachedPs: 0,
      failed: null,
      minDistance: Number.POSITIVE_INFINITY,
      intactPs4: startCensus.intactFraction,
      sulfurBonds: startCensus.sulfurBonds,
    };
    let relaxed: Awaited<ReturnType<typeof fireMinimize>>;
    try {
      relaxed = await fireMinimize(
        field,
        { types: system.types, positions: system.positions, cell: system.cell, features: [] },
        { fmax: 0.05, maxSteps: 2000, minDistance: potential.model.minDist },
      );
    } catch (err) {
      // a potential with a hole at short range: the check fails with the contact named, the bench goes on
      if (!(err instanceof ContactError)) throw err;
      field.destroy();
      check.failed = err.message;
      return { line: `${preset} ${temperature} K: FAILED before MD: ${err.message}`, check };
    }
    log(
      `  ${preset}: FIRE ${relaxed.steps} steps, max |F| ${relaxed.fmax.toFixed(3)} eV/A` +
        `${relaxed.converged ? '' : ' (not converged)'}, E ${relaxed.energy.toFixed(3)} eV`,
    );
    positions = relaxed.positions;
    start = ps4Census(s, positions).intactFraction;
  }
  const census = new MdCensus(s);
  census.lowestIntact = check.intactPs4;
  census.lowestIntactInstant = check.intactPs4Instant ?? 1;
  census.mostSulfurBonds = check.sulfurBonds;
  const progress = (line: string | null, md: Checkpoint | null): RunProgress => ({
    format: RUN_PROGRESS_FORMAT,
    preset,
    temperature,
    targetPs: picoseconds,
    potentialSha256: keeping?.potentialSha256 ?? '',
    structure: check.structure ?? '',
    seconds: seconds(),
    tSum,
    records,
    start,
    check,
    line,
    md,
  });
  let md: MdEngine | null = null;
  try {
    // creating the engine checks the start (contacts below min_dist after a failed relaxation): a failed check too
    md = await MdEngine.create(
      ctx.device,
      field,
      { ...system, positions },
      {
        dt: 1,
        temperature,
        thermostat: 'csvr',
        seed: 3,
      },
    );
    if (from?.md) await md.restore(frameOfCheckpoint(from.md, md.options.dt));
    // frames every CENSUS_SAMPLE_FS for the averaged census; the rest of the record once a picosecond
    await md.run(steps - md.step, CENSUS_SAMPLE_FS, (t, f) => {
      check.minDistance = Math.min(check.minDistance, t.minDistance);
      check.reachedPs = t.time / 1000;
      census.add(t.time, f.positions);
      if (t.step % 1000 !== 0 && t.step !== steps) return;
      const intact = census.take(f.positions).intactFraction;
      tSum += t.temperature;
      records++;
      check.intactPs4 = Math.min(check.intactPs4, census.lowestIntact);
      check.intactPs4Instant = Math.min(start, census.lowestIntactInstant);
      check.sulfurBonds = Math.max(check.sulfurBonds, census.mostSulfurBonds);
      if (t.step !== steps) keeping?.save(progress(null, checkpointOf(f, s.species, s.types, s.cell.lattice)));
      if (t.step % 10000 === 0)
        log(
          `  ${preset} ${(t.time / 1000).toFixed(0)} ps: T ${t.temperature.toFixed(0)} K, min distance ${t.minDistance.toFixed(2)} A, ` +
            `intact PS4 ${(100 * intact).toFixed(0)} %, ${seconds().toFixed(0)} s`,
        );
    });
  } catch (err) {
    check.failed = (err as Error).message;
    const line = `${preset} ${temperature} K: FAILED after ${check.reachedPs.toFixed(1)} ps: ${check.failed}`;
    if (Number.isFinite(check.minDistance)) keeping?.save(progress(line, null));
    return { line, check };
  } finally {
    md?.destroy();
    field.destroy();
  }
  const wall = seconds();
  const line =
    `${preset} (${s.types.length} atoms) ${temperature} K, ${picoseconds} ps from relaxed: <T> ${(tSum / records).toFixed(0)} K, ` +
    `shortest distance over the run ${check.minDistance.toFixed(2)} A, intact PS4 ${(100 * start).toFixed(0)} % ` +
    `(lowest ${(100 * check.intactPs4).toFixed(0)} % in ${CENSUS_WINDOW_FS} fs means, ` +
    `${(100 * (check.intactPs4Instant ?? 1)).toFixed(0)} % in single frames), most S-S bonds ${check.sulfurBonds}, ${wall.toFixed(0)} s ` +
    `(${(((steps * 1e-6) / wall) * 86400).toFixed(2)} ns/day)`;
  keeping?.save(progress(line, null));
  return { line, check };
}
