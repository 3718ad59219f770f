import { dirname, join } from 'node:path';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { writeLammpsInput, writeMlipIni } from '../../io/lammps.ts';
import { writeStructureText } from '../../io/structure-files.ts';
import { meltQuench } from '../../md/melt-quench.ts';
import { element } from '../../model/species.ts';
import { countBySpecies } from '../../model/structure.ts';
import { compileMtp } from '../../potential/mtp/model.ts';
import { WebGpuMtp } from '../../potential/mtp/webgpu.ts';
import { buildBicrystal, type GbSpec } from '../../structure/gb/builder.ts';
import type { IVec } from '../../structure/gb/index-math.ts';
import { betaLi3PS4Standard, GB_PRESETS } from '../../structure/gb/presets.ts';
import { type Command, numberOption, type ParsedArgs, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { loadMtpFile, writeText } from '../files.ts';

function vec(text: string | undefined, name: string): IVec | undefined {
  if (text === undefined) return undefined;
  const v = text.split(',').map(Number);
  if (v.length !== 3 || !v.every(Number.isInteger)) throw new UsageError(`--${name} expects three integers like 1,2,0`);
  return v as IVec;
}

/** The study's amorphous/(120) interface: grain A of the (120) bicrystal melted and quenched, grain B crystalline. */
async function buildAmorphous(args: ParsedArgs): Promise<number> {
  const pot = potentialOrDefault(stringOption(args, 'potential'));
  const out = stringOption(args, 'out');
  const model = compileMtp(loadMtpFile(pot));
  const preset = GB_PRESETS.find((p) => p.id === 'sigma5-001-120')!;
  const { structure } = buildBicrystal(betaLi3PS4Standard(), { ...preset.spec, removeCloserThan: 1.5 });
  const species = ['Li', 'P', 'S'];
  const types = Int32Array.from(structure.types, (t) => species.indexOf(structure.species[t]));
  const masses = Float64Array.from(types, (t) => element(species[t]).mass);
  const ctx = await nodeGpuContext();
  const field = await WebGpuMtp.create(ctx.device, model);
  const result = await meltQuench(ctx.device, field, structure, types, masses, {
    grain: 0,
    meltTemperature: numberOption(args, 'melt-temperature', 2000),
    finalTemperature: 300,
    meltSteps: numberOption(args, 'melt-steps', 4000),
    quenchSteps: numberOption(args, 'quench-steps', 8000),
    onProgress: (stage, t) => console.log(`${stage}: ${t.toFixed(0)} K`),
  });
  field.destroy();
  ctx.device.destroy();
  console.log(
    `a-(120)/crystal interface from ${pot}: ${result.types.length} atoms, grain A melt-quenched, grain B crystalline`,
  );
  if (out) {
    writeText(out, writeStructureText({ ...result, title: 'a-(120)/crystal interface' }, out));
    console.log(`-> ${out}`);
  }
  return 0;
}

export const buildCommand: Command = {
  name: 'build',
  summary: "CSL grain boundaries of beta-Li3PS4 (the study's presets or any tilt/twist): structure files and a report",
  usage:
    '--list | --preset ID | --axis u,v,w --plane h,k,l [--sigma S]  [--layers N] [--repeat AxB] [--shift f1,f2] [--raw] [--out FILE]',
  help: [
    'Indices refer to the conventional standard setting of Pnma (a = 6.12, b = 8.22, c = 12.82 A), as the study did.',
    'Each grain is one CSL cell thick along the normal unless --layers; the periodic cell holds two boundaries.',
    'By default one atom (of grain B) of every pair closer than --min-distance (1.5 A) is removed and reported with',
    "the change of composition and charge; --raw keeps the unmodified bicrystal (the reference table's counts).",
    'Output by extension: .extxyz (with per-atom grain and gb_distance columns), .cif, POSCAR, .cfg, .data (LAMMPS).',
    '--lammps-input POT.mtp also writes in.lammps and mlip.ini beside a .data file, for pair_style mlip on a cluster.',
  ].join('\n'),
  options: {
    list: { type: 'boolean' },
    preset: { type: 'string' },
    axis: { type: 'string' },
    plane: { type: 'string' },
    sigma: { type: 'string' },
    layers: { type: 'string', default: '1' },
    repeat: { type: 'string' },
    shift: { type: 'string' },
    raw: { type: 'boolean' },
    'min-distance': { type: 'string', default: '1.5' },
    out: { type: 'string' },
    'lammps-input': { type: 'string' },
    temperature: { type: 'string', default: '800' },
    potential: { type: 'string' },
    'melt-steps': { type: 'string', default: '4000' },
    'quench-steps': { type: 'string', default: '8000' },
    'melt-temperature': { type: 'string', default: '2000' },
  },
  async run(args) {
    const standard = betaLi3PS4Standard();
    if (args.values.list) {
      const rows: string[][] = [
        ['preset', 'study label', 'kind', 'Sigma', 'angles (deg)', 'plane', 'atoms', 'cell (A)'],
      ];
      for (const p of GB_PRESETS) {
        const { structure, report } = buildBicrystal(standard, { ...p.spec, removeCloserThan: null });
        const L = structure.cell.lattice;
        rows.push([
          p.id,
          p.label,
          report.kind,
          String(report.sigma),
          report.angles
            .slice(0, 2)
            .map((a) => a.toFixed(2))
            .join('/'),
          `(${report.planeA.join(' ')})`,
          String(structure.types.length),
          [0, 1, 2].map((k) => Math.hypot(L[3 * k], L[3 * k + 1], L[3 * k + 2]).toFixed(2)).join(' x '),
        ]);
      }
      const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
      for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
      console.log(
        'amorphous-120     a-(120) crystal interface    melt-quench of one grain: needs a trained potential (not built by this command yet)',
      );
      return 0;
    }
    const presetId = stringOption(args, 'preset');
    if (presetId === 'amorphous-120') return buildAmorphous(args);
    let spec: GbSpec;
    let label: string;
    if (presetId) {
      const p = GB_PRESETS.find((x) => x.id === presetId);
      if (!p) throw new UsageError(`unknown preset '${presetId}' (see --list)`);
      spec = { ...p.spec };
      label = p.label;
    } else {
      const axis = vec(stringOption(args, 'axis'), 'axis');
      const plane = vec(stringOption(args, 'plane'), 'plane');
      if (!axis || !plane) throw new UsageError('give --preset, or --axis and --plane');
      spec = { axis, plane, sigma: stringOption(args, 'sigma') ? numberOption(args, 'sigma', 0) : undefined };
      label = `[${axis.join(' ')}]/(${plane.join(' ')})`;
    }
    const layers = numberOption(args, 'layers', 1);
    spec.layersA = layers;
    spec.layersB = layers;
    const rep = stringOption(args, 'repeat');
    if (rep) {
      const m = /^(\d+)x(\d+)$/.exec(rep);
      if (!m) throw new UsageError('--repeat expects AxB');
      spec.repeat = [Number(m[1]), Number(m[2])];
    }
    const shift = stringOption(args, 'shift');
    if (shift) {
      const v = shift.split(',').map(Number);
      if (v.length !== 2 || !v.every(Number.isFinite)) throw new UsageError('--shift expects f1,f2');
      spec.shift = [v[0], v[1]];
    }
    spec.removeCloserThan = args.values.raw ? null : numberOption(args, 'min-distance', 1.5);
    const { structure, report } = buildBicrystal(standard, spec);
    const counts = countBySpecies(structure);
    console.log(
      `${label}: ${report.kind}, Sigma ${report.sigma}, angles ${report.angles
        .slice(0, 2)
        .map((a) => a.toFixed(2))
        .join(' / ')} deg`,
    );
    console.log(
      `plane: (${report.planeA.join(' ')}) in grain A, (${report.planeB.join(' ')}) in grain B; rotation used ${report.rotationUsed.toFixed(2)} deg`,
    );
    console.log(
      `boundary area ${report.area.toFixed(2)} A^2; grains ${report.thicknessA.toFixed(2)} + ${report.thicknessB.toFixed(2)} A thick`,
    );
    console.log(
      `index-space construction strain: ${(100 * report.strain.length).toFixed(3)} % in lengths, ${report.strain.angleDeg.toFixed(3)} deg in angles`,
    );
    console.log(
      `atoms ${structure.types.length}: ${[...counts].map(([k, v]) => `${k}${v}`).join(' ')}; closest pair ${report.minDistance.toFixed(3)} A`,
    );
    const removed = Object.entries(report.removed);
    if (removed.length > 0) {
      console.log(
        `removed (closer than ${spec.removeCloserThan} A): ${removed.map(([k, v]) => `${v} ${k}`).join(', ')}; ` +
          `formal charge of the removed atoms ${report.chargeRemoved > 0 ? '+' : ''}${report.chargeRemoved} (the cell is ${report.chargeRemoved === 0 ? 'neutral' : 'not neutral'})`,
      );
    }
    const out = stringOption(args, 'out');
    if (out) {
      writeText(out, writeStructureText({ ...structure, title: label }, out));
      console.log(`-> ${out}`);
      const pot = stringOption(args, 'lammps-input');
      if (pot) {
        if (!out.endsWith('.data')) throw new UsageError('--lammps-input needs --out FILE.data');
        const dir = dirname(out);
        writeText(join(dir, 'mlip.ini'), writeMlipIni(pot));
        writeText(
          join(dir, 'in.lammps'),
          writeLammpsInput({
            dataFile: out.split('/').pop()!,
            mlipIni: 'mlip.ini',
            temperature: numberOption(args, 'temperature', 800),
            dtFs: 1,
            steps: 100000,
            thermostat: 'csvr',
            seed: 1,
          }),
        );
        console.log(
          `-> ${join(dir, 'in.lammps')}, ${join(dir, 'mlip.ini')} (pair_style mlip needs LAMMPS built with the MLIP interface)`,
        );
      }
    }
    return 0;
  },
};
