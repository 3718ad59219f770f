/**
 * The MD checkpoint file (JSON, `lilab-checkpoint-1`): the state an exact restart needs. Reading checks every field
 * before anything runs, so a truncated file or one with short arrays is refused naming the file and the field,
 * instead of a JSON error without the file or a run that stops on NaN later.
 */
import { ParseError } from './errors.ts';

export const CHECKPOINT_FORMAT = 'lilab-checkpoint-1';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  step: number;
  species: string[];
  types: number[];
  lattice: number[];
  positions: number[];
  velocities: number[];
  images: number[];
  state: number[];
}

/**
 * A checkpoint of a system of `natoms` atoms with `stateLength` bookkeeping floats. Refuses malformed JSON, another
 * format, another atom count, and arrays that are short, long, or hold anything but finite numbers (images: integers).
 */
export function parseCheckpoint(text: string, file: string, natoms: number, stateLength: number): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ParseError(file, 0, `not a readable checkpoint (${(err as Error).message}; a file cut short?)`);
  }
  return checkpointFrom(raw, file, natoms, stateLength);
}

/** The same checks on a checkpoint already read as JSON (one held inside another file, named `file` in errors). */
export function checkpointFrom(raw: unknown, file: string, natoms: number, stateLength: number): Checkpoint {
  const cp = raw as Partial<Record<keyof Checkpoint, unknown>>;
  if (typeof raw !== 'object' || raw === null || cp.format !== CHECKPOINT_FORMAT)
    throw new ParseError(file, 0, `not a LiLab checkpoint (expected "format": "${CHECKPOINT_FORMAT}")`);
  if (typeof cp.step !== 'number' || !Number.isInteger(cp.step) || cp.step < 0)
    throw new ParseError(file, 0, `"step" must be a whole number >= 0, found ${JSON.stringify(cp.step)}`);
  const numbers = (key: keyof Checkpoint, length: number, integers = false): number[] => {
    const v = cp[key];
    if (!Array.isArray(v)) throw new ParseError(file, 0, `"${key}" is missing or not an array`);
    if (v.length !== length)
      throw new ParseError(file, 0, `"${key}" has ${v.length} numbers; a checkpoint of ${natoms} atoms has ${length}`);
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || (integers && !Number.isInteger(x)));
    if (bad >= 0)
      throw new ParseError(
        file,
        0,
        `"${key}"[${bad}] is ${JSON.stringify(v[bad])}, not a finite ${integers ? 'integer' : 'number'}`,
      );
    return v as number[];
  };
  const types = numbers('types', natoms, true);
  if (!Array.isArray(cp.species) || !cp.species.every((s) => typeof s === 'string'))
    throw new ParseError(file, 0, '"species" is missing or not a list of element symbols');
  if (types.some((t) => t < 0 || t >= (cp.species as string[]).length))
    throw new ParseError(file, 0, `"types" name a species beyond the ${(cp.species as string[]).length} listed`);
  return {
    format: CHECKPOINT_FORMAT,
    step: cp.step,
    species: cp.species as string[],
    types,
    lattice: numbers('lattice', 9),
    positions: numbers('positions', 3 * natoms),
    velocities: numbers('velocities', 3 * natoms),
    images: numbers('images', 3 * natoms, true),
    state: numbers('state', stateLength),
  };
}
