import { type Command, numberValue, stringOption, UsageError } from '../../src/cli/command.ts';
import { nodeGpuContext } from '../../src/gpu/node-gpu.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { fireMinimize } from '../../src/md/fire.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { toConfiguration } from '../../src/model/structure.ts';
import { buildBicrystal } from '../../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS } from '../../src/structure/gb/presets.ts';
import { atomGrades } from '../../src/train/descriptors.ts';
import { cutSlab, slabAtoms } from './boundary-slab.ts';
import { sampleMd } from './sample-md.ts';
import {
  APPEND_OPTION,
  loadGradedPotential,
  outputAndPotential,
  POTENTIAL_OPTIONS,
  writeSampledFrames,
} from './tool-args.ts';

export const gbSlabsCommand: Command = {
  name: 'gb-slabs',
  summary: 'slabs with vacuum cut around the boundaries of a bicrystal in MD (round 5; slabs converge poorly in CP2K)',
  usage:
    'OUT.extxyz [--append] --potential POT.mtp [--dispersion-tail TAIL.json] [--preset sigma5-001-120] [--temperature 800] [--ps 10] [--count 8] [--spacing 500] [--half-width 6] [--vacuum 8] [--max-grade 1e9] [--prefix r5] [--seed 5]',
  help: 'The bicrystal as round 5 built it (cut atom by atom), FIRE-relaxed, then MD; the relaxed slabs and the highest-graded ones.',
  options: {
    ...APPEND_OPTION,
    ...POTENTIAL_OPTIONS,
    preset: { type: 'string', default: 'sigma5-001-120' },
    temperature: { type: 'string', default: '800' },
    ps: { type: 'string', default: '10' },
    count: { type: 'string', default: '8' },
    spacing: { type: 'string', default: '500' },
    'half-width': { type: 'string', default: '6' },
    vacuum: { type: 'string', default: '8' },
    'max-grade': { type: 'string', default: '1e9' },
    prefix: { type: 'string', default: 'r5' },
    seed: { type: 'string', default: '5' },
  },
  async run(args) {
    const { out, potentialPath, tailPath } = outputAndPotential(args);
    const presetId = stringOption(args, 'preset')!;
    const temperature = numberValue(args, 'temperature');
    const picoseconds = numberValue(args, 'ps');
    const count = numberValue(args, 'count');
    const spacing = numberValue(args, 'spacing');
    const halfWidth = numberValue(args, 'half-width');
    const vacuum = numberValue(args, 'vacuum');
    const maxGrade = numberValue(args, 'max-grade');
    const prefix = stringOption(args, 'prefix')!;
    const seed = numberValue(args, 'seed');

    const preset = GB_PRESETS.find((p) => p.id === presetId);
    if (!preset) throw new UsageError(`no boundary preset "${presetId}" (${GB_PRESETS.map((p) => p.id).join(', ')})`);
    const { structure: bicrystal, report } = buildBicrystal(betaLi3PS4Standard(), {
      ...preset.spec,
      cut: 'atoms', // round 5's slabs were cut atom by atom; kept so that the labelled round can be rebuilt
      removeCloserThan: 1.5,
    });
    const L = bicrystal.cell.lattice;
    const planes = [0, report.thicknessA];
    const species = LI_P_S;
    const { types } = toConfiguration(bicrystal, species);

    const { potential, active } = loadGradedPotential(potentialPath, tailPath);
    const { model } = potential;
    const ctx = await nodeGpuContext();
    const field = await potential.gpu(ctx.device);
    const cell = { ...bicrystal.cell, lattice: Float64Array.from(L) };
    const relaxed = await fireMinimize(
      field,
      { types, positions: Float64Array.from(bicrystal.positions), cell, features: [] },
      { fmax: 0.05, maxSteps: 2000, minDistance: model.minDist },
    );
    console.log(
      `${preset.label}: ${types.length} atoms, FIRE ${relaxed.steps} steps, max |F| ${relaxed.fmax.toFixed(3)} eV/A` +
        `${relaxed.converged ? '' : ' (not converged)'}`,
    );
    const sides = planes.map((z0) => slabAtoms(bicrystal, relaxed.positions, z0, halfWidth));
    for (const s of sides) console.log(`boundary at z = ${s.z0.toFixed(2)} A: slab of ${s.atoms.length} atoms`);

    interface Candidate {
      time: number;
      side: number;
      grade: number;
      positions: Float64Array;
    }
    const candidates: Candidate[] = [];
    const record = (
      time: number,
      positions: Float64Array,
      g = atomGrades(model, active, { types, positions, cell, features: [] }),
    ) => {
      sides.forEach((s, side) => {
        const grade = Math.max(...s.atoms.map((i) => g[i]));
        candidates.push({ time, side, grade, positions: Float64Array.from(positions) });
      });
    };
    record(0, relaxed.positions);
    field.destroy();
    const ended = await sampleMd(
      ctx,
      potential,
      active,
      { types, positions: relaxed.positions, cell, species },
      { temperature, picoseconds, seed, every: 50 },
      (f) => record(f.time, f.positions, f.grades),
    );
    ctx.device.destroy();

    // the relaxed boundary (time 0, both sides) first, then the highest grades under the cap, spaced in time per side
    const picked: Candidate[] = candidates.filter((c) => c.time === 0);
    const usable = candidates.filter((c) => c.time > 0 && c.grade <= maxGrade).sort((a, b) => b.grade - a.grade);
    for (const c of usable) {
      if (picked.length >= count) break;
      if (picked.every((p) => p.side !== c.side || Math.abs(p.time - c.time) >= spacing)) picked.push(c);
    }
    picked.sort((a, b) => a.side - b.side || a.time - b.time);
    const grades = candidates.map((c) => c.grade);
    console.log(
      `${temperature} K: ${ended}, ${candidates.length / 2} frames, slab grades ${Math.min(...grades).toFixed(2)}-` +
        `${Math.max(...grades).toFixed(2)} (${candidates.filter((c) => c.grade > maxGrade).length} above the cap ${maxGrade}); ` +
        `picked ${picked.map((p) => `side ${p.side} ${p.time} fs (${p.grade.toFixed(1)})`).join(', ')}`,
    );
    const frames = picked.map((p, k) => {
      const s = sides[p.side];
      return formatExtxyzFrame(cutSlab(bicrystal, p.positions, s, vacuum), {
        config_id: `${prefix}-gb${p.side}-${temperature}-${String(k).padStart(2, '0')}`,
        source:
          `${preset.label} slab (${s.atoms.length} atoms, ${vacuum} A vacuum) from MTP MD ${temperature} K, ${p.time} fs, ` +
          `grade ${p.grade.toFixed(2)} (${potentialPath.split('/').pop()})`,
      });
    });
    writeSampledFrames(args, out, frames);
    console.log(`${frames.length} configurations -> ${out}`);
    return 0;
  },
};
