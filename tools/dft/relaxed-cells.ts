import { type Command, stringOption } from '../../src/cli/command.ts';
import { loadPotential } from '../../src/cli/files.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { relaxOrthorhombicCell } from '../../src/md/cell-relax.ts';
import { fireMinimize } from '../../src/md/fire.ts';
import type { Configuration } from '../../src/model/configuration.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { type Structure, toConfiguration } from '../../src/model/structure.ts';
import { betaLi3PS4 } from '../../src/structure/li3ps4.ts';
import { repeatStructure } from '../../src/structure/supercell.ts';
import { APPEND_OPTION, outputAndPotential, POTENTIAL_OPTIONS, writeSampledFrames } from './tool-args.ts';

export const relaxedCellsCommand: Command = {
  name: 'relaxed-cells',
  summary:
    "the 64-atom cell relaxed at 0 K by a potential at the experimental cell, at the potential's cell and between",
  usage: 'OUT.extxyz [--append] --potential POT.mtp [--dispersion-tail TAIL.json] [--prefix r10]',
  help: 'Positions FIRE-relaxed (0.01 eV/A) in each cell; the cell relaxed orthorhombically to zero stress. Ids: PREFIX-relaxed-KIND.',
  options: {
    ...APPEND_OPTION,
    ...POTENTIAL_OPTIONS,
    prefix: { type: 'string', default: 'r10' },
  },
  async run(args) {
    const { out, potentialPath, tailPath } = outputAndPotential(args);
    const prefix = stringOption(args, 'prefix')!;
    const potential = loadPotential(potentialPath, tailPath);
    const { model } = potential;
    const ref = potential.cpu();
    const crystal = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const { types } = toConfiguration(crystal, LI_P_S);
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
    writeSampledFrames(args, out, frames);
    console.log(`${frames.length} configurations -> ${out}`);
    return 0;
  },
};
