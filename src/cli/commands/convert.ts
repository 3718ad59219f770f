import { formatHelp, readStructureText, writeStructureText } from '../../io/structure-files.ts';
import { type Command, numberOption, SPECIES_OPTION, speciesOption, stringOption, UsageError } from '../command.ts';
import { readText, writeText } from '../files.ts';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a structure between the formats below (a trajectory is read as its last frame)',
  usage: 'IN OUT [--species Li,P,S] [--order-seed N]',
  help: [
    'Formats follow the file names:',
    formatHelp(),
    '--species gives the type order for .cfg files. A CIF with partially occupied sites is refused unless',
    '--order-seed picks the occupied positions (reproducibly, documented in src/io/cif.ts).',
  ].join('\n'),
  options: { species: SPECIES_OPTION, 'order-seed': { type: 'string' } },
  async run(args) {
    if (args.positionals.length !== 2) throw new UsageError('expected IN OUT');
    const [input, output] = args.positionals;
    const species = speciesOption(args);
    const seed = stringOption(args, 'order-seed') !== undefined ? numberOption(args, 'order-seed', 0) : undefined;
    const s = readStructureText(readText(input), input, { species, orderSeed: seed });
    writeText(output, writeStructureText(s, output, { species }));
    console.log(`${input} (${s.types.length} atoms) -> ${output}`);
    return 0;
  },
};
