import { type ParseArgsConfig, parseArgs } from 'node:util';

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
    throw new UsageError(`${(err as Error).message}\n\n${commandHelp(cmd)}`);
  }
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
