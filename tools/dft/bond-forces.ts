/**
 * How stiff a stretched P-S bond is, in DFT and in potentials: for every P-S pair of the labelled data at 2.2-2.8 A,
 * half the difference of the S's and the P's force along the bond (negative pulls them together), binned by length,
 * DFT's label beside each potential's (float64 reference). It answers whether a unit seen "broken" in MD (a bond past
 * PS_BOND) is a potential's soft spot or what DFT does too (docs/training.md, the MD checks of l16-r23w).
 */
import { readFileSync } from 'node:fs';
import { type Command, stringOption, UsageError } from '../../src/cli/command.ts';
import { loadPotential } from '../../src/cli/files.ts';
import { buildNeighborList } from '../../src/model/neighbors.ts';
import { PS4 } from '../../src/model/ps4.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { excludeById, readLabelled } from '../../src/train/dataset.ts';

const RANGE = { from: 2.2, to: 2.8, bin: 0.05 };

export const bondForcesCommand: Command = {
  name: 'bond-forces',
  summary: 'the restoring force on stretched P-S bonds in the labelled data: DFT against potentials, by bond length',
  usage: 'DATA.extxyz --potential A.mtp[,B.mtp] [--exclude REGEX]',
  help: `P-S pairs of ${RANGE.from}-${RANGE.to} A in bins of ${RANGE.bin} A; force in eV/A (negative: towards each other).`,
  options: { potential: { type: 'string' }, exclude: { type: 'string' } },
  async run(args) {
    const data = args.positionals[0];
    const pots = stringOption(args, 'potential');
    if (!data || !pots) throw new UsageError('give DATA.extxyz and --potential');
    const configs = excludeById(readLabelled(readFileSync(data, 'utf8'), data), stringOption(args, 'exclude'));
    const names = pots.split(',');
    const evaluators = names.map((p) => loadPotential(p).cpu());
    const bins = new Map<number, { n: number; dft: number; mtp: number[] }>();
    const species = [...LI_P_S];
    for (const c of configs) {
      const nl = buildNeighborList(c.positions, c.cell, RANGE.to);
      const pairs: { p: number; s: number; r: number; u: number[] }[] = [];
      for (let i = 0; i < c.types.length; i++) {
        if (species[c.types[i]] !== PS4.centre) continue;
        for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
          const j = nl.index[e];
          const v = [0, 1, 2].map((k) => nl.vectors[3 * e + k]);
          const r = Math.hypot(...v);
          if (species[c.types[j]] === PS4.ligand && r >= RANGE.from && r < RANGE.to)
            pairs.push({ p: i, s: j, r, u: v.map((x) => x / r) });
        }
      }
      if (pairs.length === 0) continue;
      const predicted = evaluators.map((ev) => ev.compute(c).forces);
      const along = (F: Float64Array, q: (typeof pairs)[number]) =>
        0.5 * [0, 1, 2].reduce((sum, k) => sum + (F[3 * q.s + k] - F[3 * q.p + k]) * q.u[k], 0);
      for (const q of pairs) {
        const b = Math.floor((q.r - RANGE.from) / RANGE.bin);
        const x = bins.get(b) ?? { n: 0, dft: 0, mtp: evaluators.map(() => 0) };
        x.n++;
        x.dft += along(c.forces, q);
        predicted.forEach((F, k) => {
          x.mtp[k] += along(F, q);
        });
        bins.set(b, x);
      }
    }
    console.log(`r (A)      pairs  DFT   ${names.join('  ')}`);
    for (const [b, x] of [...bins].sort((p, q) => p[0] - q[0])) {
      const lo = RANGE.from + b * RANGE.bin;
      const cols = [x.dft, ...x.mtp].map((f) => (f / x.n).toFixed(2).padStart(6));
      console.log(`${lo.toFixed(2)}-${(lo + RANGE.bin).toFixed(2)} ${String(x.n).padStart(6)} ${cols.join(' ')}`);
    }
    return 0;
  },
};
