/**
 * MD snapshots to label (active learning): MD with a trained MTP on the 64-atom DFT cell at several temperatures;
 * frames are graded against the potential's active set and the highest-graded ones, at least --spacing fs apart,
 * are written for labelling (the MD and grading loop: sample-md.ts).
 *
 * `--defect S` (or Li, P) starts every run from a Frenkel pair instead of the crystal: one atom of that species,
 * chosen by the seed, moved into the crystal's largest void (src/structure/point-defects.ts). A P with three S, a free
 * S or a misplaced Li is what a grain boundary is made of, here in a 64-atom periodic cell (Li pairs converge like
 * the bulk; S pairs take 50-70 SCF steps or more).
 *
 * node scripts/tsrun.mjs tools/dft/snapshots.ts OUT.extxyz --potential POT.mtp [--prefix r3] [--temperatures
 *     300,800,2000] [--ps 3] [--per-temperature 8] [--spacing 200] [--seed 1] [--defect S|Li|P] [--pick grade|even]
 *
 * `--pick even` takes frames evenly spaced in time after the first picosecond instead of the highest-graded: a test
 * set that samples what the potential's MD visits, not what it finds hardest (grade-picked frames overstate the error).
 */
import { writeFileSync } from 'node:fs';
import { nodeGpuContext } from '../../src/gpu/node-gpu.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { seededUniform } from '../../src/model/random.ts';
import { betaLi3PS4 } from '../../src/structure/li3ps4.ts';
import { frenkelPair } from '../../src/structure/point-defects.ts';
import { repeatStructure } from '../../src/structure/supercell.ts';
import { type Candidate, evenlySpaced, highestGraded } from './pick-frames.ts';
import { sampleMd, wrapped } from './sample-md.ts';
import { arg, loadGradedPotential, outputAndPotential } from './tool-args.ts';

const { out, potentialPath } = outputAndPotential(
  'snapshots.ts OUT.extxyz --potential POT.mtp [--temperatures 300,800,2000] [--ps 3]',
);
const prefix = arg('prefix', 'r3');
const temperatures = arg('temperatures', '300,800,2000').split(',').map(Number);
const picoseconds = Number(arg('ps', '3'));
const perTemperature = Number(arg('per-temperature', '8'));
const spacing = Number(arg('spacing', '200'));
const seed = Number(arg('seed', '1'));
const defect = arg('defect', '');
const pick = arg('pick', 'grade');
if (pick !== 'grade' && pick !== 'even') throw new Error(`--pick ${pick}: expected grade or even`);

const { model, active } = loadGradedPotential(potentialPath);
const crystal = repeatStructure(betaLi3PS4(), 1, 1, 2);
let base = crystal;
let defectNote = '';
let kind = 'md';
if (defect) {
  const candidates = [...crystal.types.keys()].filter((i) => crystal.species[crystal.types[i]] === defect);
  if (candidates.length === 0) throw new Error(`--defect ${defect}: no atom of that species in beta-Li3PS4`);
  const atom = candidates[Math.floor(seededUniform(seed)() * candidates.length)];
  const pair = frenkelPair(crystal, atom);
  base = pair.structure;
  defectNote = `, ${defect} Frenkel pair (atom ${atom} moved ${pair.moved.toFixed(2)} A into a void ${pair.distance.toFixed(2)} A from its nearest atom)`;
  kind = `${defect}${atom}frenkel-md`;
  console.log(`start${defectNote}`);
}
const species = ['Li', 'P', 'S'];
const types = Int32Array.from(base.types, (t) => species.indexOf(base.species[t]));
const ctx = await nodeGpuContext();

const frames: string[] = [];
for (const T of temperatures) {
  const candidates: Candidate[] = [];
  const ended = await sampleMd(
    ctx,
    model,
    active,
    { types, positions: base.positions, cell: base.cell, species },
    { temperature: T, picoseconds, seed: seed + T, every: 50 },
    (f) => candidates.push({ time: f.time, positions: f.positions, grade: Math.max(...f.grades) }),
  );
  const picked =
    pick === 'even'
      ? evenlySpaced(candidates, perTemperature, 1000)
      : highestGraded(candidates, perTemperature, spacing);
  console.log(
    `${T} K: ${ended}, ${candidates.length} frames, grades ${Math.min(...candidates.map((c) => c.grade)).toFixed(2)}-` +
      `${Math.max(...candidates.map((c) => c.grade)).toFixed(2)}; picked ${picked.map((p) => `${p.time} fs (${p.grade.toFixed(1)})`).join(', ')}`,
  );
  picked.forEach((p, k) => {
    frames.push(
      formatExtxyzFrame(
        { ...base, positions: wrapped(base.cell, p.positions) },
        {
          config_id: `${prefix}-${kind}${T}-${String(k).padStart(2, '0')}`,
          source: `MTP MD ${T} K${defectNote}, ${p.time} fs, grade ${p.grade.toFixed(2)} (${potentialPath.split('/').pop()})`,
        },
      ),
    );
  });
}
ctx.device.destroy();
writeFileSync(out, frames.join(''));
console.log(`${frames.length} configurations -> ${out}`);
