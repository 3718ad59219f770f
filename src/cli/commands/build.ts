import { dirname, join } from 'node:path';
import { ps4Census } from '../../analysis/ps4.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { writeLammpsInput, writeMlipIni } from '../../io/lammps.ts';
import { writeStructureText } from '../../io/structure-files.ts';
import { fireMinimize } from '../../md/fire.ts';
import { scanTranslations } from '../../md/gb-scan.ts';
import { AMORPHOUS_ID, amorphousInterface, MELT_QUENCH } from '../../md/melt-quench.ts';
import { THERMOSTAT_DEFAULTS, thermostat } from '../../md/thermostats/index.ts';
import { PP_CONTACT, PS_BOND, SS_BOND } from '../../model/ps4.ts';
import { LI_P_S } from '../../model/species.ts';
import { boundaryAtoms, countBySpecies, type Structure, toConfiguration } from '../../model/structure.ts';
import { buildBicrystal, type GbSpec } from '../../structure/gb/builder.ts';
import type { IVec } from '../../structure/gb/index-math.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../../structure/gb/presets.ts';
import { buildPolycrystal } from '../../structure/polycrystal.ts';
import { type Command, numberOption, type ParsedArgs, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { DISPERSION_TAIL_HELP, DISPERSION_TAIL_OPTION, fileSha256, loadPotential, writeText } from '../files.ts';

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
  const potential = loadPotential(pot, stringOption(args, 'dispersion-tail'));
  const ctx = await nodeGpuContext();
  const field = await potential.gpu(ctx.device);
  const result = await amorphousInterface(ctx.device, field, {
    meltTemperature: numberOption(args, 'melt-temperature', MELT_QUENCH.meltTemperature),
    meltSteps: numberOption(args, 'melt-steps', MELT_QUENCH.meltSteps),
    quenchSteps: numberOption(args, 'quench-steps', MELT_QUENCH.quenchSteps),
    onProgress: (stage, t) => console.log(`${stage}: ${t.toFixed(0)} K`),
  });
  field.destroy();
  ctx.device.destroy();
  console.log(
    `a-(120)/crystal interface from ${pot}: ${result.types.length} atoms, grain A melt-quenched, grain B crystalline`,
  );
  if (out) {
    writeText(out, writeStructureText(result, out));
    console.log(`-> ${out}`);
  }
  return 0;
}

/** Relaxes a built structure's positions (fixed cell) with --potential, on the float64 evaluator. */
async function relaxWithPotential(args: ParsedArgs, structure: Structure): Promise<Structure> {
  const pot = potentialOrDefault(stringOption(args, 'potential'));
  const potential = loadPotential(pot, stringOption(args, 'dispersion-tail'));
  const { model } = potential;
  const r = await fireMinimize(potential.cpu(), toConfiguration(structure, LI_P_S), {
    fmax: numberOption(args, 'fmax', 0.05),
    maxSteps: 5000,
    minDistance: model.minDist,
  });
  console.log(
    `relaxed with ${pot}: ${r.steps} FIRE steps, max |F| ${r.fmax.toFixed(3)} eV/A${r.converged ? '' : ' (not converged)'}`,
  );
  return { ...structure, positions: r.positions };
}

function numberList(text: string | undefined, name: string): number[] {
  const v = (text ?? '').split(',').map(Number);
  if (v.length === 0 || !v.every(Number.isFinite)) throw new UsageError(`--${name} expects numbers like 0,0.5,1`);
  return v;
}

/** `build --polycrystal`: Voronoi grains, the build report and the PS4 census. */
function polycrystal(args: ParsedArgs): number {
  const grains = numberOption(args, 'grains', 8);
  const atoms = numberOption(args, 'atoms', 12000);
  const seed = numberOption(args, 'seed', 1);
  let built: ReturnType<typeof buildPolycrystal>;
  try {
    built = buildPolycrystal({ grains, atoms, seed });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { structure, report } = built;
  const u = report.removal;
  console.log(
    `polycrystal: ${report.grains} grains (seed ${seed}) in a ${report.box.toFixed(2)} A cubic box; atoms ${report.atoms}, ` +
      `formula units ${report.formulaUnits}; atoms per grain ${report.grainAtoms.join(', ')}`,
  );
  console.log(
    `removed whole bodies: ${u.overlappingUnits} PS4 units and ${u.overlappingLi} Li that overlapped, ` +
      `${u.balanceUnits} units and ${u.balanceLi} Li for Li3PS4`,
  );
  const census = ps4Census(structure, structure.positions);
  console.log(
    `PS4 census: ${census.intact} of ${census.centres} P with four S within ${PS_BOND} A; S-S pairs under ${SS_BOND} A: ` +
      `${census.sulfurBonds}; P-P pairs under ${PP_CONTACT} A: ${census.phosphorusContacts}; closest pair ${census.minDistance.toFixed(3)} A`,
  );
  const out = stringOption(args, 'out');
  if (out) {
    writeText(out, writeStructureText(structure, out));
    console.log(`-> ${out}`);
  }
  return 0;
}

/** `build --scan`: the translation scan of one boundary, its table, and the relaxed best structure. */
async function scanPreset(args: ParsedArgs, standard: Structure, spec: GbSpec, label: string): Promise<number> {
  const pot = potentialOrDefault(stringOption(args, 'potential'));
  const potential = loadPotential(pot, stringOption(args, 'dispersion-tail'));
  const { tailPath } = potential;
  const { model } = potential;
  const grid = numberOption(args, 'grid', 4);
  const gaps = numberList(stringOption(args, 'gaps'), 'gaps');
  const t0 = performance.now();
  const settings = {
    grid,
    gaps,
    screenSteps: numberOption(args, 'screen-steps', 25),
    relaxTop: numberOption(args, 'relax-top', 3),
    fmax: numberOption(args, 'fmax', 0.05),
    maxRemovedFraction: 0.2,
  };
  const result = await scanTranslations(potential.cpu(), standard, spec, {
    ...settings,
    species: LI_P_S,
    maxSteps: 3000,
    minDistance: model.minDist,
    onCandidate: (c, done, total) => {
      const e = c.relaxed ? `relaxed ${c.relaxed.gbEnergy.toFixed(3)} J/m^2 (${c.relaxed.steps} steps)` : '';
      const screen = c.screenGbEnergy === null ? `failed: ${c.failed}` : `screen ${c.screenGbEnergy.toFixed(3)} J/m^2`;
      console.error(
        `  [${done}/${total}] shift ${c.shift.map((f) => f.toFixed(2)).join(',')} gap ${c.gap.toFixed(2)} A: ` +
          `${c.atoms} atoms, removed ${c.removedUnits} units + ${c.removedLi} Li, ${e || screen}`,
      );
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const b = result.best;
  const relaxed = b.relaxed!;
  console.log(
    `${label}: best translation shift ${b.shift.join(', ')} (in-plane fractions), gap ${b.gap} A; ` +
      `${b.atoms} atoms (${b.formulaUnits} Li3PS4), boundary energy ${relaxed.gbEnergy.toFixed(3)} J/m^2 relaxed ` +
      `(${relaxed.steps} FIRE steps to ${relaxed.fmax.toFixed(3)} eV/A); PS4 ${relaxed.census.intact}/${relaxed.census.centres} ` +
      `whole, ${relaxed.census.sulfurBonds} S-S bonds; ${result.candidates.length} candidates in ${seconds.toFixed(0)} s`,
  );
  const scanOut = stringOption(args, 'scan-out');
  if (scanOut) {
    const doc = {
      boundary: label,
      spec: { axis: spec.axis, plane: spec.plane, sigma: spec.sigma ?? null },
      potential: {
        path: pot,
        sha256: fileSha256(pot),
        ...(tailPath ? { dispersionTail: { path: tailPath, sha256: fileSha256(tailPath) } } : {}),
      },
      options: settings,
      areaA2: result.report.area,
      bulkEnergyPerFormulaUnitEv: result.bulkEnergyPerFormulaUnit,
      best: { shift: b.shift, gap: b.gap },
      candidates: result.candidates,
      seconds,
    };
    writeText(scanOut, `${JSON.stringify(doc, null, 1)}\n`);
    console.log(`-> ${scanOut}`);
  }
  const out = stringOption(args, 'out');
  if (out) {
    writeText(out, writeStructureText({ ...result.structure, title: `${label}, relaxed` }, out));
    console.log(`-> ${out}`);
  }
  return 0;
}

export const buildCommand: Command = {
  name: 'build',
  summary: "CSL grain boundaries of beta-Li3PS4 (the study's presets or any tilt/twist): structure files and a report",
  usage:
    '--list | --preset ID | --axis u,v,w --plane h,k,l [--sigma S]  [--layers N] [--repeat AxB] [--shift f1,f2] [--gap A] [--cut units|atoms|raw] [--out FILE]',
  help: [
    'Indices refer to the conventional standard setting of Pnma (a = 6.12, b = 8.22, c = 12.82 A), as the study did.',
    'Each grain is one CSL cell thick along the normal unless --layers; the periodic cell holds two boundaries.',
    'By default (--cut units) each grain keeps whole PS4 units (the P decides the grain), whole units and Li that',
    'overlap across a boundary are removed, and Li are removed (most crowded first) until each grain is Li3PS4 and',
    'neutral. --cut atoms removes one atom (of grain B) of every pair closer than --min-distance (1.5 A) instead;',
    "--cut raw (or --raw) keeps the unmodified bicrystal (the reference table's counts). A preset is built with the",
    'rigid translation of grain B its scan chose (--shift in-plane fractions, --gap A at each boundary override it).',
    'Output by extension: .extxyz (with per-atom grain and gb_distance columns), .cif, POSCAR, .cfg, .data (LAMMPS).',
    '--lammps-input POT.mtp also writes in.lammps and mlip.ini beside a .data file, for pair_style mlip on a cluster.',
    '--scan: scan the rigid translation of grain B with --potential (default: the shipped one): in-plane shifts on a',
    '--grid N x N grid over the CSL cell and the spacings --gaps (A, at each boundary); every candidate is built with',
    'whole units and relaxed for --screen-steps FIRE steps, the --relax-top best are relaxed to --fmax (eV/A), and',
    'the lowest boundary energy (J/m^2, per Li3PS4 unit against the relaxed bulk crystal) whose PS4 units all stay',
    'whole is kept; a candidate that removes more than 20 % of the units is never chosen (its grains lost a layer).',
    'The table is printed; --scan-out FILE.json keeps it; --out writes the relaxed structure.',
    '--relax: FIRE-relax the built structure (positions, fixed cell) with --potential before writing it.',
    '--polycrystal: Voronoi grains of beta-Li3PS4 in a periodic cubic box, --grains N (default 8) with random',
    'orientations from --seed, the box sized for --atoms M (default 12000; boundaries remove some, whole PS4 units and',
    'Li by the same rules); per-atom grain and distance to the nearest Voronoi face are written with .extxyz.',
    `${DISPERSION_TAIL_HELP} (--scan, --relax, --amorphous)`,
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
    cut: { type: 'string', default: 'units' },
    gap: { type: 'string' },
    'min-distance': { type: 'string', default: '1.5' },
    out: { type: 'string' },
    'lammps-input': { type: 'string' },
    temperature: { type: 'string', default: '800' },
    potential: { type: 'string' },
    'dispersion-tail': DISPERSION_TAIL_OPTION,
    'melt-steps': { type: 'string', default: String(MELT_QUENCH.meltSteps) },
    'quench-steps': { type: 'string', default: String(MELT_QUENCH.quenchSteps) },
    'melt-temperature': { type: 'string', default: String(MELT_QUENCH.meltTemperature) },
    scan: { type: 'boolean' },
    relax: { type: 'boolean' },
    grid: { type: 'string', default: '4' },
    gaps: { type: 'string', default: '0,0.5,1,1.5,2,2.5' },
    'screen-steps': { type: 'string', default: '25' },
    'relax-top': { type: 'string', default: '3' },
    fmax: { type: 'string', default: '0.05' },
    'scan-out': { type: 'string' },
    polycrystal: { type: 'boolean' },
    grains: { type: 'string', default: '8' },
    atoms: { type: 'string', default: '12000' },
    seed: { type: 'string', default: '1' },
  },
  async run(args) {
    const standard = betaLi3PS4Standard();
    if (args.values.list) {
      const rows: string[][] = [
        ['preset', 'study label', 'kind', 'Sigma', 'angles (deg)', 'plane', 'atoms raw', 'as built', 'cell (A)'],
      ];
      for (const p of GB_PRESETS) {
        const { structure, report } = buildBicrystal(standard, { ...p.spec, cut: 'raw' });
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
          String(buildBicrystal(standard, presetSpec(p)).structure.types.length),
          [0, 1, 2].map((k) => Math.hypot(L[3 * k], L[3 * k + 1], L[3 * k + 2]).toFixed(2)).join(' x '),
        ]);
      }
      const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
      for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
      console.log('atoms raw: the aimsgb bicrystal (--cut raw); as built: whole PS4 units at the scanned translation');
      console.log(
        'amorphous-120     a-(120) crystal interface    grain A of the (120) melt-quenched with --potential (build --preset amorphous-120)',
      );
      return 0;
    }
    if (args.values.polycrystal) return polycrystal(args);
    const presetId = stringOption(args, 'preset');
    if (presetId === AMORPHOUS_ID) return buildAmorphous(args);
    const cut = args.values.raw ? 'raw' : stringOption(args, 'cut');
    if (cut !== 'units' && cut !== 'atoms' && cut !== 'raw') throw new UsageError('--cut expects units, atoms or raw');
    let spec: GbSpec;
    let label: string;
    if (presetId) {
      const p = GB_PRESETS.find((x) => x.id === presetId);
      if (!p) throw new UsageError(`unknown preset '${presetId}' (see --list)`);
      // the scanned translation belongs to the whole-unit build; the atom cut and the raw bicrystal are aimsgb's
      spec = cut === 'units' ? presetSpec(p) : { ...p.spec };
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
    const gap = stringOption(args, 'gap');
    if (gap !== undefined) spec.gap = numberOption(args, 'gap', 0);
    spec.cut = cut;
    spec.removeCloserThan = numberOption(args, 'min-distance', 1.5);
    if (args.values.scan) return scanPreset(args, standard, spec, label);
    const built = buildBicrystal(standard, spec);
    const { report } = built;
    let { structure } = built;
    if (args.values.relax) structure = await relaxWithPotential(args, structure);
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
    const t = report.translation;
    console.log(
      `grain B translated by ${t.shift.map((f) => f.toFixed(3)).join(', ')} (in-plane fractions), gap ${t.gap.toFixed(2)} A`,
    );
    if (report.units) {
      const u = report.units;
      console.log(
        `removed whole bodies: ${u.overlappingUnits} PS4 units and ${u.overlappingLi} Li that overlapped, ` +
          `${u.balanceUnits} units and ${u.balanceLi} Li for Li3PS4 (each grain neutral); formula units ${counts.get('P') ?? 0}`,
      );
    }
    console.log(
      `field of the formal charges across the grains: ${report.grainFields.map((f) => f.toFixed(3)).join(' and ')} V/A (a charged boundary gives 1-2 V/A)`,
    );
    if (removed.length > 0) {
      console.log(
        `removed${report.cut === 'atoms' ? ` (closer than ${spec.removeCloserThan} A)` : ''}: ${removed.map(([k, v]) => `${v} ${k}`).join(', ')}; ` +
          `formal charge of the removed atoms ${report.chargeRemoved > 0 ? '+' : ''}${report.chargeRemoved} (the cell is ${report.chargeRemoved === 0 ? 'neutral' : 'not neutral'})`,
      );
    }
    const census = ps4Census(structure, structure.positions);
    console.log(
      `PS4 census: ${census.intact} of ${census.centres} P with four S within ${PS_BOND} A; S-S pairs under ${SS_BOND} A: ` +
        `${census.sulfurBonds}; P-P pairs under ${PP_CONTACT} A: ${census.phosphorusContacts}`,
    );
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
            pair: { mlip: 2, ini: 'mlip.ini' },
            temperature: numberOption(args, 'temperature', 800),
            dtFs: 1,
            steps: 100000,
            integration: thermostat('csvr').lammps({
              temperature: numberOption(args, 'temperature', 800),
              seed: 1,
              ...THERMOSTAT_DEFAULTS,
            }),
            seed: 1,
            species: LI_P_S,
            boundaryLi: boundaryAtoms(structure, 'Li').map((i) => i + 1),
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
