import { basename } from 'node:path';
import { formatAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { parseCfg, writeCfg } from '../../io/cfg.ts';
import { buildNeighborList } from '../../model/neighbors.ts';
import { type Potential, plusStressOf } from '../../potential/types.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { DISPERSION_TAIL_HELP, DISPERSION_TAIL_OPTION, loadPotential, readText, writeText } from '../files.ts';

export const calcEfsCommand: Command = {
  name: 'calc-efs',
  summary: 'energies, forces and stresses of every configuration in a .cfg file (the contract of `mlp calc-efs`)',
  usage: 'POT.mtp IN.cfg OUT.cfg [--backend cpu|webgpu]',
  help: [
    'OUT.cfg is IN.cfg with Energy (eV), forces fx fy fz (eV/A) and PlusStress (virial, eV; xx yy zz yz xz xy)',
    'filled in, numbers with 17 significant digits; Feature lines and the order of configurations are kept.',
    'Backends: cpu (float64 reference, default), webgpu (float32 GPU kernels, agreeing with cpu to ~1e-6 relative).',
    `${DISPERSION_TAIL_HELP} Types 0, 1, 2 are Li, P, S.`,
  ].join('\n'),
  options: { backend: { type: 'string', default: 'cpu' }, 'dispersion-tail': DISPERSION_TAIL_OPTION },
  async run(args) {
    if (args.positionals.length !== 3) throw new UsageError('expected POT.mtp IN.cfg OUT.cfg');
    const [potPath, inPath, outPath] = args.positionals;
    const backend = stringOption(args, 'backend') ?? 'cpu';
    if (backend !== 'cpu' && backend !== 'webgpu')
      throw new UsageError(`unknown backend '${backend}' (available: cpu, webgpu)`);
    const mtp = loadPotential(potPath, stringOption(args, 'dispersion-tail'));
    const { model } = mtp;
    const configs = parseCfg(readText(inPath), basename(inPath));
    let potential: Potential = mtp.cpu();
    let release = () => {};
    if (backend === 'webgpu') {
      const ctx = await nodeGpuContext();
      const gpu = await mtp.gpu(ctx.device);
      console.error(`adapter: ${formatAdapter(ctx.report)}`);
      potential = gpu;
      release = () => {
        gpu.destroy();
        ctx.device.destroy();
      };
    }
    for (const [k, c] of configs.entries()) {
      const bad = c.types.findIndex((t) => t >= model.speciesCount);
      if (bad >= 0) {
        throw new UsageError(
          `${inPath}: configuration ${k + 1}, atom ${bad + 1} has type ${c.types[bad]}, but ${potPath} has ${model.speciesCount} species`,
        );
      }
      const r = await potential.compute(c);
      // MLIP would write NaN here (two atoms on one spot, directly or through a periodic image); nothing is written
      const finite = Number.isFinite(r.energy) && r.forces.every(Number.isFinite) && r.virial.every(Number.isFinite);
      if (!finite) {
        release();
        const nl = buildNeighborList(c.positions, c.cell ?? null, 0.5);
        const i = [...Array(c.types.length).keys()].find((a) => nl.offsets[a + 1] > nl.offsets[a]);
        const pair =
          i === undefined
            ? ''
            : ` (atom ${i + 1} is ${Math.hypot(...nl.vectors.slice(3 * nl.offsets[i], 3 * nl.offsets[i] + 3)).toFixed(3)} A from atom ${nl.index[nl.offsets[i]] + 1}, counting periodic images)`;
        throw new UsageError(
          `${inPath}: configuration ${k + 1} gives a non-finite energy, force or stress${pair}; nothing written to ${outPath}`,
        );
      }
      c.energy = r.energy;
      c.forces = r.forces;
      c.plusStress = plusStressOf(r.virial);
    }
    release();
    writeText(outPath, writeCfg(configs));
    console.log(`${configs.length} configurations -> ${outPath} (backend ${backend})`);
    return 0;
  },
};
