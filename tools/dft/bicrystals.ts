/**
 * Whole periodic bicrystals to label (rounds 14 and 15): a periodic bicrystal has no vacuum and no cut, so its DFT
 * labels are exact boundary data (energy, every force, stress). MD of a preset from its relaxed positions
 * (data/gb-scan) with a trained MTP; the frames are graded against the potential's active set and either the
 * highest-graded (training) or evenly spaced ones after the first picosecond (a test set) are written; `--relaxed`
 * writes the relaxed bicrystal first (DFT's boundary energy at the potential's geometry). Sizes that CP2K on two
 * cores labels in 15-30 minutes (S3 (111), 168 atoms) up to about an hour (the (201), 288; the (120) and (2-10), 320).
 *
 * node scripts/tsrun.mjs tools/dft/bicrystals.ts OUT.extxyz --potential POT.mtp [--preset sigma3-110-111]
 *     [--temperature 800] [--ps 5] [--count 2] [--pick grade|even] [--spacing 500] [--prefix r15] [--seed 15]
 *     [--relaxed]
 */
import { writeFileSync } from 'node:fs';
import { nodeGpuContext } from '../../src/gpu/node-gpu.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { toConfiguration } from '../../src/model/structure.ts';
import { type Candidate, evenlySpaced, highestGraded } from './pick-frames.ts';
import { relaxedPreset, sampleMd, wrapped } from './sample-md.ts';
import { arg, loadGradedPotential, outputAndPotential } from './tool-args.ts';

const { out, potentialPath } = outputAndPotential(
  'bicrystals.ts OUT.extxyz --potential POT.mtp [--preset sigma3-110-111] [--ps 5] [--count 2] [--pick grade|even]',
);
const id = arg('preset', 'sigma3-110-111');
const temperature = Number(arg('temperature', '800'));
const picoseconds = Number(arg('ps', '5'));
const count = Number(arg('count', '2'));
const pick = arg('pick', 'grade');
const spacing = Number(arg('spacing', '500'));
const prefix = arg('prefix', 'r15');
const seed = Number(arg('seed', '15'));
const withRelaxed = process.argv.includes('--relaxed');
if (pick !== 'grade' && pick !== 'even') throw new Error(`--pick ${pick}: expected grade or even`);

const { model, active } = loadGradedPotential(potentialPath);
const start = relaxedPreset(id);
const config = toConfiguration(start, LI_P_S);
const ctx = await nodeGpuContext();
const candidates: Candidate[] = [];
const ended = await sampleMd(
  ctx,
  model,
  active,
  { types: config.types, positions: config.positions, cell: config.cell!, species: LI_P_S },
  { temperature, picoseconds, seed, every: 100 },
  (f) => candidates.push({ time: f.time, positions: f.positions, grade: Math.max(...f.grades) }),
);
ctx.device.destroy();
const picked = pick === 'even' ? evenlySpaced(candidates, count, 1000) : highestGraded(candidates, count, spacing);
const name = potentialPath.split('/').pop();
const what = `the relaxed, unit-aware ${start.title ?? id} bicrystal (data/gb-scan)`;
const frames: string[] = [];
if (withRelaxed)
  frames.push(
    formatExtxyzFrame(
      { ...start, positions: wrapped(start.cell, start.positions) },
      {
        config_id: `${prefix}-bicrystal-${id}-relaxed`,
        source: `${what} as relaxed with ${name}; for the DFT boundary energy`,
      },
    ),
  );
picked.forEach((p, k) => {
  frames.push(
    formatExtxyzFrame(
      { ...start, positions: wrapped(start.cell, p.positions) },
      {
        config_id: `${prefix}-bicrystal-${id}-${temperature}K-${String(k + 1).padStart(2, '0')}`,
        source:
          `MTP MD (${name}) of ${what}, CSVR ${temperature} K, seed ${seed}, ${p.time} fs, grade ${p.grade.toFixed(2)}; ` +
          `the whole periodic cell, no cut${pick === 'even' ? '; test set, never fitted' : ''}`,
      },
    ),
  );
});
console.log(
  `${id} (${start.types.length} atoms) ${temperature} K: ${ended}, ${candidates.length} frames, grades ` +
    `${Math.min(...candidates.map((c) => c.grade)).toFixed(2)}-${Math.max(...candidates.map((c) => c.grade)).toFixed(2)}; ` +
    `picked ${picked.map((p) => `${p.time} fs (${p.grade.toFixed(1)})`).join(', ')}`,
);
writeFileSync(out, frames.join(''));
console.log(`${frames.length} configurations -> ${out}`);
