import { type Command, commandHelp, nearest, parseCommandArgs, UsageError } from './command.ts';
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
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'lilab: WebGPU molecular dynamics with Moment Tensor Potentials (units: A, eV, fs, K, amu)',
    '',
    'Usage: lilab <command> [options]   (from a checkout: npm run cli -- <command> [options])',
    '',
    'Commands:',
    ...lines,
    '',
    'lilab <command> --help shows the options of one command; lilab --version the version.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  setCommandLine(argv);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    console.log(`lilab ${VERSION}`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const near = nearest(
      name,
      COMMANDS.map((c) => c.name),
    );
    console.error(`lilab: unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}\n\n${overview()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(cmd, rest);
    if (args.values.help) {
      console.log(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`lilab ${cmd.name}: ${err.message}`);
      return 2;
    }
    const e = err as Error;
    // Input errors (files, GPU) carry their own precise message; the stack only helps for internal errors.
    console.error(`lilab ${cmd.name}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    if (process.env.LILAB_DEBUG) console.error(e.stack);
    return 1;
  }
}
