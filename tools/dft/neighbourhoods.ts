import { type Command, numberValue, stringOption, UsageError } from '../../src/cli/command.ts';
import { nodeGpuContext } from '../../src/gpu/node-gpu.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { AMORPHOUS_ID } from '../../src/md/melt-quench.ts';
import {
  type RelaxedNeighbourhood,
  relaxNeighbourhoodCell,
  SEAM_MAX_DENSITY,
  SEAM_MIN_DENSITY,
  SEAM_SCALES,
  SeamSpacingError,
  type SeamStep,
} from '../../src/md/neighbourhood-relax.ts';
import { STUDY_BOUNDARIES } from '../../src/md/study-pipeline.ts';
import { faceSpacings } from '../../src/model/cell.ts';
import { seededUniform } from '../../src/model/random.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { BOUNDARY_REGION, toConfiguration } from '../../src/model/structure.ts';
import { GB_PRESETS } from '../../src/structure/gb/presets.ts';
import {
  CellTooSmallError,
  densestNeighbourhoodCell,
  MIN_CELL_DENSITY,
  type NeighbourhoodCell,
} from '../../src/structure/neighbourhood-cell.ts';
import { atomGrades } from '../../src/train/descriptors.ts';
import { type Candidate, evenlySpaced, highestGraded } from './pick-frames.ts';
import { boundaryStart, sampleMd, wrapped } from './sample-md.ts';
import {
  APPEND_OPTION,
  loadGradedPotential,
  outputAndPotential,
  POTENTIAL_OPTIONS,
  pickOption,
  writeSampledFrames,
} from './tool-args.ts';

/** Bodies with an atom this close to the chosen one are cut: its first coordination shell (Li-S 2.46, P-S 2.05 A). */
const RADIUS = 3.5;

/**
 * The neighbourhood cell: about 13 A each way (100-130 atoms of the crystal, 10-20 minutes of CP2K on two cores),
 * which holds a 3.5 A cut with its anions; the seam's spacing and registry scanned for the densest cell.
 */
const NB_CELL = {
  edge: 13,
  maxEdge: 16,
  heights: [12, 13, 14],
  shifts: [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => [i / 3, j / 3] as [number, number])),
};

/** The seam scan as the log shows it: scale and relaxed energy (meV/atom from the lowest), or why a scale was refused. */
function seamScan(scan: SeamStep[]): string {
  const low = Math.min(...scan.filter((x) => !x.refused).map((x) => x.energyPerAtom));
  return scan.map((x) => `${x.scale}: ${x.refused ?? `+${((x.energyPerAtom - low) * 1000).toFixed(0)}`}`).join(', ');
}

interface AtomCandidate extends Candidate {
  atom: number;
}

export const neighbourhoodsCommand: Command = {
  name: 'neighbourhoods',
  summary:
    'the highest-graded boundary atoms in MD, cut with their neighbourhood into a periodic crystal cell, to label',
  usage:
    'OUT.extxyz [--append] --potential POT.mtp [--dispersion-tail TAIL.json] [--presets ID,ID] [--prefix r12] [--temperature 800] [--ps 2] [--per-preset 4] [--spacing 200] [--pick grade|even] [--max-atoms N] [--seed 1]',
  help: [
    `Cut radius ${RADIUS} A with whole anions, in a cell of the boundary's in-plane period (or ${NB_CELL.edge} A) by`,
    `${NB_CELL.heights.join('/')} A along the normal, the densest kept; the seams closed (each seam vector scaled by`,
    `${SEAM_SCALES.join(', ')} while at most ${SEAM_MAX_DENSITY} of the boundary's density) and the rest relaxed with the`,
    'potential at each, the cut held; the lowest energy with whole units kept;',
    `a period is the boundary's where it is at most ${NB_CELL.maxEdge} A, or with --max-atoms N where the cell still holds`,
    'about N atoms at the boundary density (fewer seams, dearer labels; rounds up to 21 without it).',
    `cells below the density ${MIN_CELL_DENSITY} of the boundary's as cut, or ${SEAM_MIN_DENSITY} closed, are passed over. Ids: PREFIX-nb-ID-NN (PREFIX-nb-ID-even-NN).`,
    `Presets: the boundaries (default: all) and ${AMORPHOUS_ID}, melt-quenched with --potential first.`,
  ].join('\n'),
  options: {
    ...APPEND_OPTION,
    ...POTENTIAL_OPTIONS,
    presets: { type: 'string' },
    prefix: { type: 'string', default: 'r12' },
    temperature: { type: 'string', default: '800' },
    ps: { type: 'string', default: '2' },
    'per-preset': { type: 'string', default: '4' },
    spacing: { type: 'string', default: '200' },
    pick: { type: 'string', default: 'grade' },
    'max-atoms': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  async run(args) {
    const { out, potentialPath, tailPath } = outputAndPotential(args);
    const presets = (stringOption(args, 'presets') ?? GB_PRESETS.map((p) => p.id).join(',')).split(',');
    const prefix = stringOption(args, 'prefix')!;
    const temperature = numberValue(args, 'temperature');
    const picoseconds = numberValue(args, 'ps');
    const perPreset = numberValue(args, 'per-preset');
    const spacing = numberValue(args, 'spacing');
    const seed = numberValue(args, 'seed');
    const pick = pickOption(args);
    const maxAtoms = args.values['max-atoms'] === undefined ? undefined : numberValue(args, 'max-atoms');
    const { potential, active } = loadGradedPotential(potentialPath, tailPath);
    const { model } = potential;
    const cpu = potential.cpu();
    const ctx = await nodeGpuContext();

    const frames: string[] = [];
    for (const id of presets) {
      if (!STUDY_BOUNDARIES.includes(id))
        throw new UsageError(`--presets: no boundary '${id}' (${STUDY_BOUNDARIES.join(', ')})`);
      const start = await boundaryStart(ctx, potential, id);
      const config = toConfiguration(start, LI_P_S);
      const zone = [...start.types.keys()].filter(
        (i) => Math.abs(start.labels!.boundaryDistance![i]) < BOUNDARY_REGION,
      );
      const candidates: AtomCandidate[] = [];
      const random = seededUniform(seed);
      const t0 = performance.now();
      const ended = await sampleMd(
        ctx,
        potential,
        active,
        { types: config.types, positions: config.positions, cell: config.cell!, species: LI_P_S },
        { temperature, picoseconds, seed: seed + temperature, every: 100, skipFs: 500 },
        (f) => {
          const g = f.grades;
          let atom = 0;
          if (pick === 'grade') for (let i = 1; i < g.length; i++) atom = g[i] > g[atom] ? i : atom;
          else atom = zone[Math.floor(random() * zone.length)];
          candidates.push({ time: f.time, positions: f.positions, grade: g[atom], atom });
        },
      );
      // in order of preference; a cut that a 1x2x2 cell cannot hold is passed over for the next one
      const first =
        pick === 'even'
          ? evenlySpaced(candidates, perPreset, 500)
          : highestGraded(candidates, candidates.length, spacing);
      if (pick === 'grade') first.sort((a, b) => b.grade - a.grade);
      const order = [...first, ...candidates.filter((c) => !first.includes(c))];
      console.log(
        `${id} (${start.types.length} atoms) ${temperature} K: ${ended} in ${((performance.now() - t0) / 1000).toFixed(0)} s, ` +
          `${candidates.length} frames, grades ${Math.min(...candidates.map((c) => c.grade)).toFixed(2)}-` +
          `${Math.max(...candidates.map((c) => c.grade)).toFixed(2)}`,
      );
      const picked: { p: AtomCandidate; nb: NeighbourhoodCell; relaxed: RelaxedNeighbourhood }[] = [];
      const passOver = (p: AtomCandidate, why: string) =>
        console.log(`  ${p.time} fs atom ${p.atom + 1}: passed over (${why})`);
      for (const p of order) {
        if (picked.length >= perPreset) break;
        try {
          const nb = densestNeighbourhoodCell({ ...start, positions: p.positions }, p.atom, {
            radius: RADIUS,
            fitRadius: 0.5,
            ...NB_CELL,
            maxAtoms,
          });
          if (nb.density < MIN_CELL_DENSITY) {
            passOver(
              p,
              `too sparse: ${nb.structure.types.length} atoms where the boundary has ` +
                `${Math.round(nb.structure.types.length / nb.density)}, density ${nb.density.toFixed(2)}, voids`,
            );
            continue;
          }
          // a cell whose seams the scan cannot close is a porous solid, not the boundary: the next frame instead
          const relaxed = await relaxNeighbourhoodCell(cpu, nb, { minDistance: model.minDist });
          picked.push({ p, nb, relaxed });
        } catch (err) {
          if (!(err instanceof SeamSpacingError || err instanceof CellTooSmallError)) throw err;
          passOver(p, err.message);
        }
      }
      for (const [k, { p, nb, relaxed }] of picked.entries()) {
        const cell = relaxed.cell.structure;
        const after = relaxed.structure;
        const g = atomGrades(model, active, toConfiguration(after, LI_P_S))[nb.centre];
        const sym = start.species[start.types[p.atom]];
        const cfgId = `${prefix}-nb-${id}-${pick === 'even' ? 'even-' : ''}${String(k).padStart(2, '0')}`;
        console.log(
          `  ${cfgId}: ${sym} ${p.atom + 1} at ${start.labels!.boundaryDistance![p.atom].toFixed(2)} A from the boundary, ` +
            `${cell.types.length} atoms (${nb.cut.reduce((a, b) => a + b, 0)} cut, density ${nb.density.toFixed(2)}), ` +
            `seams closed by ${relaxed.scale} to density ${relaxed.cell.density.toFixed(2)} (${seamScan(relaxed.scan)}), ` +
            `FIRE ${relaxed.steps} steps; ` +
            `grade ${p.grade.toFixed(2)} in MD, ${g.toFixed(2)} in the cell`,
        );
        frames.push(
          formatExtxyzFrame(
            { ...after, positions: wrapped(after.cell, after.positions) },
            {
              config_id: cfgId,
              source:
                `neighbourhood of ${sym} ${p.atom + 1} (grade ${p.grade.toFixed(2)}; ${g.toFixed(2)} in this cell) in MTP MD of ` +
                `${id} at ${temperature} K, ${p.time} fs (${potentialPath.split('/').pop()}); cut ${RADIUS} A, ` +
                `cell ${faceSpacings(cell.cell)
                  .map((h) => h.toFixed(1))
                  .join(' x ')} A (heights), seams closed by ${relaxed.scale} (density ${nb.density.toFixed(2)} -> ` +
                `${relaxed.cell.density.toFixed(2)}) and relaxed`,
            },
            { selected: Float64Array.from(nb.fit) },
          ),
        );
      }
    }
    ctx.device.destroy();
    writeSampledFrames(args, out, frames);
    console.log(`${frames.length} configurations -> ${out}`);
    return 0;
  },
};
