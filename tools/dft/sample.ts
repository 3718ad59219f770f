/**
 * Configurations to label with DFT, round 1 (bulk): the beta-Li3PS4 1x1x2 supercell (64 atoms, the smallest cell for
 * which Gamma-point sampling is adequate) unstrained, isotropically strained -5..+5 %, and randomly displaced
 * ("rattled") with amplitudes of thermal motion at 300, 800 and 2000 K. The rattled cells stand in for MD snapshots
 * until the lab's own potential can make real ones (later rounds, picked by the extrapolation grade).
 *
 * node scripts/tsrun.mjs tools/dft/sample.ts OUT.extxyz [--seed 1]
 */
import { writeFileSync } from 'node:fs';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { seededNormal } from '../../src/md/velocities.ts';
import type { Structure } from '../../src/model/structure.ts';
import { betaLi3PS4 } from '../../src/structure/li3ps4.ts';
import { repeatStructure } from '../../src/structure/supercell.ts';

/** RMS displacement per Cartesian component (A) for Li and for P/S at each temperature: from the Debye-Waller factors
 * of sulfide electrolytes (U_iso of Li ~0.03-0.05 A^2 near room temperature, ~3x less for the PS4 framework), scaled
 * as sqrt(T). */
const AMPLITUDE: Record<number, { li: number; framework: number }> = {
  300: { li: 0.18, framework: 0.1 },
  800: { li: 0.29, framework: 0.16 },
  2000: { li: 0.46, framework: 0.26 },
};

function strained(s: Structure, e: number): Structure {
  return {
    ...s,
    cell: { ...s.cell, lattice: s.cell.lattice.map((x) => x * (1 + e)) },
    positions: s.positions.map((x) => x * (1 + e)),
  };
}

function rattled(s: Structure, li: number, framework: number, normal: () => number): Structure {
  const positions = Float64Array.from(s.positions);
  for (let i = 0; i < s.types.length; i++) {
    const a = s.species[s.types[i]] === 'Li' ? li : framework;
    for (let d = 0; d < 3; d++) positions[3 * i + d] += a * normal();
  }
  return { ...s, positions };
}

const out = process.argv[2];
if (!out) {
  console.error('usage: sample.ts OUT.extxyz [--seed N]');
  process.exit(2);
}
const seedArg = process.argv.indexOf('--seed');
const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 1;
const normal = seededNormal(seed);
const base = repeatStructure(betaLi3PS4(), 1, 1, 2);
const frames: string[] = [];
const add = (s: Structure, id: string, source: string) => {
  frames.push(formatExtxyzFrame(s, { config_id: id, source }));
};
add(base, 'r1-bulk-ideal', 'ideal');
for (const pct of [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]) {
  add(
    rattled(strained(base, pct / 100), 0.03, 0.03, normal),
    `r1-strain${pct > 0 ? '+' : ''}${pct}`,
    `strain ${pct}% rattled 0.03`,
  );
}
for (const T of [300, 800, 2000]) {
  for (let k = 0; k < 20; k++) {
    const a = AMPLITUDE[T];
    add(rattled(base, a.li, a.framework, normal), `r1-rattle${T}-${String(k).padStart(2, '0')}`, `rattled like ${T} K`);
  }
}
// interleave so a partial run already covers every kind: ideal, strains, then temperatures round-robin
writeFileSync(out, frames.join(''));
console.log(`${frames.length} configurations -> ${out}`);
