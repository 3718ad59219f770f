import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lammpsRunFiles } from '../../io/lammps.ts';
import { isThermostat, THERMOSTAT_DEFAULTS, THERMOSTAT_IDS, thermostat } from '../../md/thermostats/index.ts';
import { lammpsTailTable } from '../../potential/dispersion-tail.ts';
import { type Command, numberOption, SPECIES_OPTION, speciesOption, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { DISPERSION_TAIL_OPTION, loadPotential, readText, writeText } from '../files.ts';
import { loadStructure, parseSupercell, STRUCTURE_PRESETS } from '../structure-input.ts';

/**
 * `lilab export-lammps STRUCTURE --potential POT --out DIR`: everything a cluster needs to run the lab's MD in LAMMPS
 * with MLIP's interface. Every file is made in memory first, so a refusal writes nothing.
 */
export const exportLammpsCommand: Command = {
  name: 'export-lammps',
  summary: 'a LAMMPS run of a structure with an MTP (data, in.lammps, the potential; MLIP-2 or MLIP-3 syntax)',
  usage:
    'STRUCTURE|PRESET --out DIR [--potential POT.mtp] [--mlip 2|3] [--species Li,P,S] [--supercell AxBxC] ' +
    '[--temperature 800] [--dt 1] [--steps 100000] [--thermostat csvr] [--seed 1] [--msd-every 100]',
  help: [
    `Presets: ${Object.keys(STRUCTURE_PRESETS).join(', ')}; files as for md (CIF, POSCAR, extended XYZ, .cfg).`,
    "Writes DIR/structure.data (types in the order of --species, the potential's: type 1 = its first species),",
    'DIR/in.lammps, DIR/potential.mtp (a copy of --potential; default the shipped one) and, for --mlip 2 (default:',
    'the MLIP-2 interface, pair_style mlip mlip.ini), DIR/mlip.ini; --mlip 3 writes pair_style mlip',
    'load_from=potential.mtp (the MLIP-3 interface). in.lammps writes the per-axis Li MSD (A^2) every --msd-every',
    'steps to msd_li.dat, and for a structure with boundary labels (a bicrystal or polycrystal preset, or an extended',
    'XYZ written by build) also for the Li within 3 A of a boundary (msd_li_gb.dat) and the rest (msd_li_bulk.dat).',
    `Units: K, fs (converted to ps for LAMMPS). Thermostats: ${THERMOSTAT_IDS.join(', ')} (--tau fs, --friction 1/fs).`,
    '--dispersion-tail TAIL.json (for a potential fitted with it, ADR 0018) also writes DIR/dispersion-tail.table and',
    'overlays it on the MTP: pair_style hybrid/overlay mlip ... table linear N, a section per pair of species.',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    potential: { type: 'string' },
    'dispersion-tail': DISPERSION_TAIL_OPTION,
    mlip: { type: 'string', default: '2' },
    species: SPECIES_OPTION,
    supercell: { type: 'string' },
    temperature: { type: 'string', default: '800' },
    dt: { type: 'string', default: '1' },
    steps: { type: 'string', default: '100000' },
    thermostat: { type: 'string', default: 'csvr' },
    tau: { type: 'string', default: String(THERMOSTAT_DEFAULTS.tau) },
    friction: { type: 'string', default: String(THERMOSTAT_DEFAULTS.friction) },
    seed: { type: 'string', default: '1' },
    'msd-every': { type: 'string', default: '100' },
  },
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError('expected one STRUCTURE (a file or a preset)');
    const out = stringOption(args, 'out');
    if (!out) throw new UsageError('--out DIR is required');
    const mlip = stringOption(args, 'mlip');
    if (mlip !== '2' && mlip !== '3') throw new UsageError(`--mlip expects 2 or 3, not '${mlip}'`);
    const name = stringOption(args, 'thermostat') ?? '';
    if (!isThermostat(name)) throw new UsageError(`--thermostat must be one of ${THERMOSTAT_IDS.join(', ')}`);
    const species = speciesOption(args);
    const potentialPath = potentialOrDefault(stringOption(args, 'potential'));
    // refuses an untrained template, or a tail without the species' coefficients, before anything is written
    const { file, tail } = loadPotential(potentialPath, stringOption(args, 'dispersion-tail'), species);
    if (file.speciesCount !== species.length)
      throw new UsageError(
        `${basename(potentialPath)} has ${file.speciesCount} species; --species names ${species.length} (${species.join(',')})`,
      );
    const structure = loadStructure(args.positionals[0], parseSupercell(stringOption(args, 'supercell')), species);
    const temperature = numberOption(args, 'temperature', 800);
    const seed = numberOption(args, 'seed', 1);
    const files = lammpsRunFiles({
      structure,
      species,
      potentialText: readText(potentialPath),
      mlip: mlip === '2' ? 2 : 3,
      temperature,
      dtFs: numberOption(args, 'dt', 1),
      steps: numberOption(args, 'steps', 100000),
      integration: thermostat(name).lammps({
        temperature,
        seed,
        tau: numberOption(args, 'tau', THERMOSTAT_DEFAULTS.tau),
        friction: numberOption(args, 'friction', THERMOSTAT_DEFAULTS.friction),
      }),
      seed,
      msdEvery: numberOption(args, 'msd-every', 100),
      pairTable: tail ? lammpsTailTable(tail, species) : undefined,
    });
    mkdirSync(out, { recursive: true });
    for (const [f, text] of files) writeText(join(out, f), text);
    console.log(
      `${structure.types.length} atoms -> ${files.map(([f]) => join(out, f)).join(', ')} ` +
        `(pair_style mlip of the MLIP-${mlip} interface${tail ? ' with the dispersion tail overlaid' : ''}; types ${species.map((s, k) => `${k + 1} = ${s}`).join(', ')})`,
    );
    return 0;
  },
};
