import { isTrained } from '../../io/mtp.ts';
import { momentLevels } from '../../potential/mtp/model.ts';
import { type Command, UsageError } from '../command.ts';
import { loadMtpFile } from '../files.ts';

export const checkMtpCommand: Command = {
  name: 'check-mtp',
  summary: 'read an MLIP-2 .mtp file and print a summary (species, level, basis sizes, cutoff) or the precise error',
  usage: 'POT.mtp [--json]',
  help: [
    'The level printed is the largest level of any scalar basis function (SPEC: 2 + 4 mu + p + q + t, summed).',
    '--json prints the same as one JSON object (distances in A).',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(args) {
    const [path] = args.positionals;
    if (!path || args.positionals.length !== 1) throw new UsageError('expected one .mtp file');
    const m = loadMtpFile(path);
    const levels = momentLevels(m.alphaMomentsCount, m.alphaIndexBasic, m.alphaIndexTimes);
    const level = Math.max(...m.alphaMomentMapping.map((k) => levels[k]));
    const params =
      m.speciesCount * m.speciesCount * m.radialFuncsCount * m.radialBasisSize +
      m.speciesCount +
      m.alphaMomentMapping.length;
    const summary = {
      file: path,
      name: m.potentialName,
      tag: m.potentialTag ?? null,
      trained: isTrained(m),
      species: m.speciesCount,
      level,
      min_dist_A: m.minDist,
      max_dist_A: m.maxDist,
      radial_basis: { type: m.radialBasisType, size: m.radialBasisSize, functions: m.radialFuncsCount },
      scaling: m.scaling,
      moments: { basic: m.alphaIndexBasic.length, all: m.alphaMomentsCount, contractions: m.alphaIndexTimes.length },
      basis_functions: m.alphaMomentMapping.length,
      parameters: params,
    };
    if (args.values.json) {
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    console.log(`file:              ${path}`);
    console.log(`name:              ${m.potentialName}${m.potentialTag ? ` (tag ${m.potentialTag})` : ''}`);
    console.log(`trained:           ${summary.trained ? 'yes' : 'no (untrained template)'}`);
    console.log(`species:           ${m.speciesCount}`);
    console.log(`level:             ${level}`);
    console.log(`cutoff:            min_dist ${m.minDist} A, max_dist ${m.maxDist} A`);
    console.log(
      `radial basis:      ${m.radialBasisType}, size ${m.radialBasisSize}, ${m.radialFuncsCount} radial functions`,
    );
    console.log(`scaling:           ${m.scaling}`);
    console.log(
      `moments:           ${m.alphaIndexBasic.length} basic, ${m.alphaMomentsCount} in all, ${m.alphaIndexTimes.length} contraction steps`,
    );
    console.log(`basis functions:   ${m.alphaMomentMapping.length}`);
    console.log(`parameters:        ${params}`);
    return 0;
  },
};
