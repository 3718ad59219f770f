import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseMtp } from '../io/mtp.ts';
import { LI_P_S } from '../model/species.ts';
import { parseDispersionTail, tailSpeciesIndex } from '../potential/dispersion-tail.ts';
import { type MtpPotential, mtpPotential } from '../potential/mtp/potential.ts';
import { UsageError } from './command.ts';

export class InputFileError extends Error {
  override name = 'InputFileError';
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputFileError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

export function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new InputFileError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/** Writes through a temporary name, so that an interrupted run never leaves half a file where a resume looks. */
export function writeTextAtomic(path: string, text: string): void {
  writeText(`${path}.part`, text);
  try {
    renameSync(`${path}.part`, path);
  } catch (err) {
    throw new InputFileError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

export function loadMtpFile(path: string) {
  return parseMtp(readText(path), basename(path));
}

/** A potential as a command loads it: with the path of the tail it runs with, if any (for provenance). */
export type LoadedPotentialFile = MtpPotential & { tailPath?: string };

/**
 * A trained `.mtp` file, compiled, with its CPU and GPU evaluators; with a tail (a `lilab-dispersion-tail-1` file,
 * ADR 0018: `givenTail`, or the one its training report names, see `tailFor`) both add the dispersion tail beyond
 * the cutoff, its coefficients looked up by `species`.
 */
export function loadPotential(
  path: string,
  givenTail?: string,
  species: readonly string[] = LI_P_S,
): LoadedPotentialFile {
  const tailPath = tailFor(path, givenTail);
  const file = loadMtpFile(path);
  if (!tailPath) return mtpPotential(file);
  const tail = parseDispersionTail(readText(tailPath), tailPath);
  // the tail's own shortcoming is named by its file; the MTP is compiled once, below, with its own messages
  try {
    tailSpeciesIndex(tail, species);
  } catch (e) {
    throw new InputFileError(`${tailPath}: ${(e as Error).message}`);
  }
  return { ...mtpPotential(file, tail, species), tailPath };
}

/**
 * The dispersion tail a potential was fitted with (ADR 0018). A potential fitted to the labels less the tail is only
 * half a potential without it (the crystal 0.5-0.8 GPa over its pressure, the boundaries priced too high), and its
 * `.mtp` carries no sign of it; its training report does (`dispersionTail`: the tail's file name and SHA-256). So
 * the report beside a potential (POT.json for POT.mtp, as `lilab train --report` names it in this project) decides:
 * a tail given that is not the one fitted is refused, and with none given the tail beside the potential
 * (POT.tail.json, the way a tail-fitted default ships) is taken when its hash is the report's, else the command is
 * refused before it reads anything else.
 */
export interface FittedTail {
  /** the training report that names it */
  report: string;
  /** the tail's file name when it was fitted */
  file: string;
  sha256: string;
}

function stem(potentialPath: string): string {
  return potentialPath.replace(/\.mtp$/, '');
}

/** What the report beside `potentialPath` says of its tail; null without a report, or one that names none. */
export function fittedTailOf(potentialPath: string): FittedTail | null {
  const report = `${stem(potentialPath)}.json`;
  if (!existsSync(report)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(report));
  } catch {
    // a JSON file of another kind beside the potential says nothing of its fit
    return null;
  }
  const tail = (parsed as { dispersionTail?: unknown } | null)?.dispersionTail as
    | { file?: unknown; sha256?: unknown }
    | null
    | undefined;
  if (!tail || typeof tail.file !== 'string' || typeof tail.sha256 !== 'string') return null;
  return { report, file: tail.file, sha256: tail.sha256 };
}

/** The sidecar a tail-fitted potential's tail is looked for at when none is given. */
export function tailBeside(potentialPath: string): string {
  return `${stem(potentialPath)}.tail.json`;
}

/** The tail to run `potentialPath` with: `given`, checked against its report, or the one beside it (see above). */
export function tailFor(potentialPath: string, given: string | undefined): string | undefined {
  const fitted = fittedTailOf(potentialPath);
  if (given) {
    if (fitted && fileSha256(given) !== fitted.sha256)
      throw new UsageError(
        `--dispersion-tail ${given} is not the tail ${potentialPath} was fitted with (${fitted.report} names ` +
          `${fitted.file}, SHA-256 ${fitted.sha256})`,
      );
    return given;
  }
  if (!fitted) return undefined;
  const beside = tailBeside(potentialPath);
  if (existsSync(beside) && fileSha256(beside) === fitted.sha256) {
    console.error(`dispersion tail: ${beside} (the one ${potentialPath} was fitted with)`);
    return beside;
  }
  const found = existsSync(beside) ? `${beside} is another tail` : `no ${beside}`;
  throw new UsageError(
    `${potentialPath} was fitted to the labels less the dispersion tail ${fitted.file} (${fitted.report}; ${found}): ` +
      'give it with --dispersion-tail TAIL.json',
  );
}

/** The option of every command that evaluates a potential: the dispersion tail to add to it (ADR 0018). */
export const DISPERSION_TAIL_OPTION = { type: 'string' } as const;
export const DISPERSION_TAIL_HELP =
  '--dispersion-tail TAIL.json adds the D3 dispersion beyond the cutoff (for a potential fitted with it; ADR 0018).';

/**
 * What a run was made with, for reports and resumable progress: the potential's SHA-256, or with a tail the SHA-256
 * of the two files' hashes joined (a tail-fitted MTP without its tail, or with another, is another potential).
 */
export function potentialSha256(path: string, tailPath?: string): string {
  const mtp = fileSha256(path);
  if (!tailPath) return mtp;
  return createHash('sha256')
    .update(`${mtp}+${fileSha256(tailPath)}`)
    .digest('hex');
}

/** SHA-256 of a text file, hex: the provenance of a potential or dataset in reports. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readText(path)).digest('hex');
}

/**
 * The lines of a file, read in chunks of `chunkBytes` (UTF-8 decoded across chunk ends): a trajectory of any size is
 * read with memory bounded by the chunk and the longest line.
 */
export function* fileLines(path: string, chunkBytes = 1 << 20): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputFileError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const buf = Buffer.alloc(chunkBytes);
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n === 0) break;
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      const parts = text.split('\n');
      rest = parts.pop()!;
      yield* parts;
    }
    rest += decoder.decode();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}
