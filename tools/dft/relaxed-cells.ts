/**
 * Configurations to label where a potential puts the crystal at 0 K: the 1x1x2 cell with positions relaxed by the
 * MTP (FIRE) at the experimental cell, at the cell the MTP relaxes to (orthorhombic, zero stress) and halfway
 * between. The other labels are thermal or displaced cells; none is a 0 K minimum, so the data says nothing
 * directly about where the potential's relaxed lattice lies. DFT's stress on these cells says how far the
 * potential's lattice is from DFT's and, labelled, gives the fit the cell it has to hold.
 *
 * node scripts/tsrun.mjs tools/dft/relaxed-cells.ts OUT.extxyz --potential POT.mtp [--prefix r10]
 */
import { writeFileSync } from 'node:fs';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { relaxOrthorhombicCell } from '../../src/md/cell-relax.ts';
import { fireMinimize } from '../../src/md/fire.ts';
import type { Configuration } from '../../src/model/configuration.ts';
import type { Structure } from '../../src/model/structure.ts';
import { ReferenceMtp } from '../../src/potential/mtp/reference.ts';
import { betaLi3PS4 } from '../../src/structure/li3ps4.ts';
import { repeatStructure } from '../../src/structure/supercell.ts';
import { arg, loadPotential, outputAndPotential } from './tool-args.ts';

const { out, potentialPath } = outputAndPotential('relaxed-cells.ts OUT.extxyz --potential POT.mtp [--prefix r10]');
const prefix = arg('prefix', 'r10');
const model = loadPotential(potentialPath);
const ref = new ReferenceMtp(model);
const crystal = repeatStructure(betaLi3PS4(), 1, 1, 2);
const SPECIES = ['Li', 'P', 'S']; // the order of the default potential and the dataset
const types = Int32Array.from(crystal.types, (t) => SPECIES.indexOf(crystal.species[t]));
const name = potentialPath.split('/').pop();

function atCell(lattice: Float64Array): Configuration {
  // the crystal's fractional positions in the given orthorhombic cell
  const scale = [0, 4, 8].map((k) => lattice[k] / crystal.cell.lattice[k]);
  return {
    types,
    positions: crystal.positions.map((x, k) => x * scale[k % 3]),
    cell: { ...crystal.cell, lattice: Float64Array.from(lattice) },
    features: [],
  };
}

async function relaxedAt(lattice: Float64Array): Promise<Configuration> {
  const c = atCell(lattice);
  const r = await fireMinimize(ref, c, { fmax: 0.01, maxSteps: 2000, minDistance: model.minDist });
  if (!r.converged) console.warn(`FIRE did not converge (max |F| ${r.fmax.toFixed(3)} eV/A)`);
  return { ...c, positions: r.positions };
}

const relaxed = await relaxOrthorhombicCell(ref, atCell(crystal.cell.lattice), {
  maxCycles: 100,
  minDistance: model.minDist,
});
const L0 = crystal.cell.lattice;
const L1 = relaxed.config.cell!.lattice;
const strain = (L: Float64Array) => [0, 4, 8].map((k) => `${((L[k] / L0[k] - 1) * 100).toFixed(2)}`).join('/');
console.log(
  `MTP cell after ${relaxed.cycles} cycles${relaxed.converged ? '' : ' (not converged)'}: a/b/c ${strain(L1)} % ` +
    `from the experimental cell`,
);
const half = L0.map((x, k) => (x + L1[k]) / 2);
const cells: [string, Float64Array, string][] = [
  ['expcell', L0, 'the experimental cell'],
  ['halfcell', half, `halfway to the MTP-relaxed cell (a/b/c ${strain(half)} %)`],
  ['mtpcell', L1, `the MTP-relaxed cell (a/b/c ${strain(L1)} %)`],
];
const frames: string[] = [];
for (const [kind, lattice, what] of cells) {
  const c = await relaxedAt(lattice);
  const s: Structure = { ...crystal, cell: c.cell!, positions: c.positions };
  frames.push(
    formatExtxyzFrame(s, {
      config_id: `${prefix}-relaxed-${kind}`,
      source: `1x1x2 cell, positions relaxed at 0 K by the MTP (${name}) in ${what}`,
    }),
  );
}
writeFileSync(out, frames.join(''));
console.log(`${frames.length} configurations -> ${out}`);
