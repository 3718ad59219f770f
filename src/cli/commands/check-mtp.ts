import { isTrained } from '../../io/mtp.ts';
import { momentLevels } from '../../potential/mtp/model.ts';
import { type Command, UsageError } from '../command.ts';
import { loadMtpFile } from '../files.ts';

export const checkMtpCommand: Command = {
  name: 'check-mtp',
  summary: 'read an MLIP-2 .mtp file and print a summary (species, level, basis sizes, cutoff) or the precise error',
  usage: 'POT.mtp',
  help: 'The level printed is the largest level of any scalar basis function (SPEC: 2 + 4 mu + p + q + t, summed).',
  options: {},
  async run(args) {
    const [path] = args.positionals;
    if (!path || args.positionals.length !== 1) throw new UsageError('expected one .mtp file');
    const m = loadMtpFile(path);
    const levels = momentLevels(m.alphaMomentsCount, m.alphaIndexBasic, m.alphaIndexTimes);
    const level = Math.max(...m.alphaMomentMapping.map((k) => levels[k]));
    console.log(`file:              ${path}`);
    console.log(`name:              ${m.potentialName}${m.potentialTag ? ` (tag ${m.potentialTag})` : ''}`);
    console.log(`trained:           ${isTrained(m) ? 'yes' : 'no (untrained template)'}`);
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
    const params =
      m.speciesCount * m.speciesCount * m.radialFuncsCount * m.radialBasisSize +
      m.speciesCount +
      m.alphaMomentMapping.length;
    console.log(`parameters:        ${params}`);
    return 0;
  },
};
