import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LI_P_S } from '../model/species.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) after `lilab NAME`, e.g. `POT.mtp IN.cfg OUT.cfg [--backend cpu|webgpu]`. */
  usage: string;
  /** Longer help: what it does, units, defaults. */
  help: string;
  options: OptionSpec;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** A user mistake on the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(cmd: Command, argv: string[], program = 'lilab'): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const unknown = /Unknown option '--([^']+)'/.exec((err as Error).message)?.[1];
    const near = unknown ? nearest(unknown, Object.keys(cmd.options)) : null;
    const text = unknown
      ? `unknown option --${unknown}${near ? ` (did you mean --${near}?)` : ''}`
      : (err as Error).message;
    throw new UsageError(`${text}\n\n${commandHelp(cmd, program)}`);
  }
}

/** Edit distance between two words (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The known word nearest a mistyped one, if near enough to be what was meant (two edits, or a third of it). */
export function nearest(word: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

export function commandHelp(cmd: Command, program = 'lilab'): string {
  const opts = Object.entries(cmd.options)
    .map(
      ([name, o]) =>
        `  --${name}${o.type === 'string' ? ' VALUE' : ''}${o.default !== undefined ? ` (default ${String(o.default)})` : ''}`,
    )
    .join('\n');
  return `${program} ${cmd.name} ${cmd.usage}\n\n${cmd.summary}\n\n${cmd.help}${opts ? `\n\nOptions:\n${opts}` : ''}\n  --help, -h`;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringOption(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got '${v}'`);
  return n;
}

/** A number option that has a default in the command's options (so its value is always there: one source for it). */
export function numberValue(args: ParsedArgs, name: string): number {
  const n = numberOption(args, name, Number.NaN);
  if (Number.isNaN(n)) throw new UsageError(`--${name} is required`);
  return n;
}

/** The species option of every command: the potential's species order, default Li,P,S (the lab's potentials). */
export const SPECIES_OPTION = { type: 'string', default: LI_P_S.join(',') } as const;

export function speciesOption(args: ParsedArgs): string[] {
  return (stringOption(args, 'species') ?? SPECIES_OPTION.default).split(',');
}

/**
 * Runs `argv` (a command name, then its arguments) against `commands`: the overview without a name, a command's help
 * with --help, the nearest name for a mistyped one; usage errors exit 2 without a stack, other errors 1 with their
 * message (the stack with LILAB_DEBUG set).
 */
export async function dispatch(
  program: string,
  commands: Command[],
  argv: string[],
  overview: () => string,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    const near = nearest(
      name,
      commands.map((c) => c.name),
    );
    console.error(`${program}: unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}\n\n${overview()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(cmd, rest, program);
    if (args.values.help) {
      console.log(commandHelp(cmd, program));
      return 0;
    }
    return await cmd.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${program} ${cmd.name}: ${err.message}`);
      return 2;
    }
    const e = err as Error;
    // Input errors (files, GPU) carry their own precise message; the stack only helps for internal errors.
    console.error(`${program} ${cmd.name}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    if (process.env.LILAB_DEBUG) console.error(e.stack);
    return 1;
  }
}

/** The list of commands as an overview's lines: name and summary, aligned. */
export function commandList(commands: Command[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  return commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
}
