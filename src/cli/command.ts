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

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
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
    throw new UsageError(`${text}\n\n${commandHelp(cmd)}`);
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

export function commandHelp(cmd: Command): string {
  const opts = Object.entries(cmd.options)
    .map(
      ([name, o]) =>
        `  --${name}${o.type === 'string' ? ' VALUE' : ''}${o.default !== undefined ? ` (default ${String(o.default)})` : ''}`,
    )
    .join('\n');
  return `lilab ${cmd.name} ${cmd.usage}\n\n${cmd.summary}\n\n${cmd.help}${opts ? `\n\nOptions:\n${opts}` : ''}\n  --help, -h`;
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

/** The species option of every command: the potential's species order, default Li,P,S (the lab's potentials). */
export const SPECIES_OPTION = { type: 'string', default: LI_P_S.join(',') } as const;

export function speciesOption(args: ParsedArgs): string[] {
  return (stringOption(args, 'species') ?? SPECIES_OPTION.default).split(',');
}
