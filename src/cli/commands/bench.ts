import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Configuration } from '../../model/configuration.ts';
import { compileMtp, type MtpModel } from '../../potential/mtp/model.ts';
import { ReferenceMtp } from '../../potential/mtp/reference.ts';
import { buildNeighborList } from '../../potential/neighbors.ts';
import { betaLi3PS4 } from '../../structure/li3ps4.ts';
import { repeatStructure } from '../../structure/supercell.ts';
import { type Command, stringOption } from '../command.ts';
import { loadMtpFile } from '../files.ts';

/** Where the shared MLIP reference potentials live in a checkout (used when --potential is not given). */
const SHARED_POTENTIAL = resolve('../shared/mtp-vectors/l16.mtp');

function jitteredSupercell(reps: [number, number, number], seed: number): Configuration {
  const s = repeatStructure(betaLi3PS4(), ...reps);
  // Small deterministic displacements so no symmetry makes terms vanish.
  let state = seed >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
  for (let k = 0; k < s.positions.length; k++) s.positions[k] += 0.1 * rand();
  return { types: s.types, positions: s.positions, cell: s.cell, features: [] };
}

/** Seconds per call of `fn`, from repeats until at least `minSeconds` have passed (after one warm-up call). */
function timeIt(fn: () => void, minSeconds = 1): number {
  fn();
  let calls = 0;
  const t0 = performance.now();
  do {
    fn();
    calls++;
  } while (performance.now() - t0 < minSeconds * 1000);
  return (performance.now() - t0) / 1000 / calls;
}

export function benchCpuReference(model: MtpModel, label: string): string[] {
  const rows: string[] = [];
  const config = jitteredSupercell([4, 4, 4], 7); // 2,048 atoms of beta-Li3PS4
  const n = config.types.length;
  const nl = buildNeighborList(config.positions, config.cell, model.maxDist);
  const pairs = nl.index.length;
  const potential = new ReferenceMtp(model);
  const seconds = timeIt(() => potential.compute(config));
  rows.push(
    `cpu-reference  ${label.padEnd(18)} ${String(n).padStart(6)} atoms  ${(pairs / n).toFixed(1).padStart(6)} neigh/atom  ` +
      `${(seconds * 1000).toFixed(1).padStart(8)} ms/eval  ${(n / seconds).toExponential(3)} atom-evals/s`,
  );
  return rows;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'speed figures: MTP evaluation (float64 CPU reference) on beta-Li3PS4 supercells',
  usage: '[--potential POT.mtp]',
  help: [
    'Prints one line per measurement: atoms, neighbours per atom, time per evaluation, atom-evaluations per second.',
    `Default potential: ${SHARED_POTENTIAL} (MLIP reference vectors, level 16, random coefficients: a timing`,
    'workload only). Timings are of this machine; say which machine when you quote them.',
  ].join('\n'),
  options: { potential: { type: 'string' } },
  async run(args) {
    const path = stringOption(args, 'potential') ?? SHARED_POTENTIAL;
    if (!existsSync(path)) {
      console.error(`bench: no potential at ${path}; pass --potential POT.mtp`);
      return 1;
    }
    const model = compileMtp(loadMtpFile(path));
    console.log(`# lilab bench  (node ${process.version}, ${new Date().toISOString()})`);
    console.log(`# potential: ${path} (${model.basicCount} basic moments, ${model.mapping.length} basis functions)`);
    for (const row of benchCpuReference(model, model.name)) console.log(row);
    return 0;
  },
};
