import { type Command, commandList, dispatch } from './command.ts';
import { arrheniusCommand } from './commands/arrhenius.ts';
import { benchCommand } from './commands/bench.ts';
import { buildCommand } from './commands/build.ts';
import { calcEfsCommand } from './commands/calc-efs.ts';
import { checkMtpCommand } from './commands/check-mtp.ts';
import { convertCommand } from './commands/convert.ts';
import { exportLammpsCommand } from './commands/export-lammps.ts';
import { gpuInfoCommand } from './commands/gpu-info.ts';
import { gradeCommand } from './commands/grade.ts';
import { mdCommand } from './commands/md.ts';
import { msdCommand } from './commands/msd.ts';
import { physicsCommand } from './commands/physics.ts';
import { selectCommand } from './commands/select.ts';
import { studyCommand } from './commands/study.ts';
import { trainCommand } from './commands/train.ts';
import { validateCommand } from './commands/validate.ts';
import { setCommandLine, VERSION } from './provenance.ts';

const COMMANDS: Command[] = [
  gpuInfoCommand,
  checkMtpCommand,
  calcEfsCommand,
  buildCommand,
  convertCommand,
  exportLammpsCommand,
  mdCommand,
  msdCommand,
  arrheniusCommand,
  studyCommand,
  trainCommand,
  validateCommand,
  gradeCommand,
  selectCommand,
  benchCommand,
  physicsCommand,
];

function overview(): string {
  return [
    'lilab: WebGPU molecular dynamics with Moment Tensor Potentials (units: A, eV, fs, K, amu)',
    '',
    'Usage: lilab <command> [options]   (from a checkout: npm run cli -- <command> [options])',
    '',
    'Commands:',
    ...commandList(COMMANDS),
    '',
    'lilab <command> --help shows the options of one command; lilab --version the version.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  setCommandLine(argv);
  if (argv[0] === '--version' || argv[0] === '-V') {
    console.log(`lilab ${VERSION}`);
    return 0;
  }
  return dispatch('lilab', COMMANDS, argv, overview);
}
