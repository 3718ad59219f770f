/**
 * The progress of one long MD check (a boundary at a temperature), kept in a file so that a run stopped by a kill or
 * the end of a working day goes on where it stopped: the engine's state at the last picosecond and what the check had
 * measured up to it; once the run is over, its result, so that a rerun does not measure it again. The (170) tilt's
 * checks take about 4 hours on two CPU cores, longer than one sitting.
 *
 * A file is refused, naming it and the field, when it is not such a file, is cut short, or belongs to another run
 * (boundary, its start structure, temperature, length or potential): going on from it would mix two runs in one figure.
 */
import { type Checkpoint, checkpointFrom } from '../io/checkpoint.ts';
import { ParseError } from '../io/errors.ts';
import { STATE_FLOATS } from './layout.ts';
import type { RunCheck } from './physics-checks.ts';

export const RUN_PROGRESS_FORMAT = 'lilab-physics-run-1';

/** Which run a progress file belongs to. */
export interface RunIdentity {
  preset: string;
  temperature: number;
  targetPs: number;
  potentialSha256: string;
  /** The boundary's start structure (`systemStart`): a preset moved to another translation is another run. */
  structure: string;
}

export interface RunProgress extends RunIdentity {
  format: typeof RUN_PROGRESS_FORMAT;
  /** Wall seconds spent on the run so far, over every sitting. */
  seconds: number;
  /** Sum of the temperatures of the picosecond records so far, and their number (the run's mean temperature). */
  tSum: number;
  records: number;
  /** Fraction of PS4 units whole in the relaxed start. */
  start: number;
  check: RunCheck;
  /** The run's printed line once it has ended (finished or failed); null while it goes on. */
  line: string | null;
  /** The engine at the last picosecond record; null once the run has ended. */
  md: Checkpoint | null;
}

const IDENTITY_KEYS = ['preset', 'temperature', 'targetPs', 'potentialSha256', 'structure'] as const;

/** A progress file of the run `expected`, checked field by field before anything runs. */
export function parseRunProgress(text: string, file: string, expected: RunIdentity): RunProgress {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ParseError(file, 0, `not a readable run progress file (${(err as Error).message}; a file cut short?)`);
  }
  const p = raw as Partial<Record<keyof RunProgress, unknown>>;
  if (typeof raw !== 'object' || raw === null || p.format !== RUN_PROGRESS_FORMAT)
    throw new ParseError(file, 0, `not a run progress file (expected "format": "${RUN_PROGRESS_FORMAT}")`);
  for (const key of IDENTITY_KEYS)
    if (p[key] !== expected[key])
      throw new ParseError(
        file,
        0,
        `is the progress of another run ("${key}" ${JSON.stringify(p[key])}, this run's ${JSON.stringify(expected[key])}): ` +
          'remove it to start afresh, or give another directory',
      );
  const finite = (key: 'seconds' | 'tSum' | 'records' | 'start') => {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ParseError(file, 0, `"${key}" must be a finite number >= 0, found ${JSON.stringify(v)}`);
    return v;
  };
  const check = p.check as Partial<Record<keyof RunCheck, unknown>> | undefined;
  if (typeof check !== 'object' || check === null) throw new ParseError(file, 0, '"check" is missing');
  for (const key of ['temperature', 'targetPs', 'reachedPs', 'minDistance', 'intactPs4', 'sulfurBonds'] as const)
    if (typeof check[key] !== 'number' || Number.isNaN(check[key]))
      throw new ParseError(file, 0, `"check.${key}" must be a number, found ${JSON.stringify(check[key])}`);
  if (typeof check.what !== 'string') throw new ParseError(file, 0, '"check.what" must be a string');
  const line = p.line ?? null;
  if (line !== null && typeof line !== 'string') throw new ParseError(file, 0, '"line" must be a string or null');
  let md: Checkpoint | null = null;
  if (line === null) {
    const types = (p.md as { types?: unknown } | null | undefined)?.types;
    if (!Array.isArray(types)) throw new ParseError(file, 0, 'a run that goes on needs "md" with its "types"');
    md = checkpointFrom(p.md, file, types.length, STATE_FLOATS);
  }
  return {
    format: RUN_PROGRESS_FORMAT,
    ...expected,
    seconds: finite('seconds'),
    tSum: finite('tSum'),
    records: finite('records'),
    start: finite('start'),
    check: check as RunCheck,
    line,
    md,
  };
}
