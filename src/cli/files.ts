import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseMtp } from '../io/mtp.ts';
import { LI_P_S } from '../model/species.ts';
import { parseDispersionTail, tailSpeciesIndex } from '../potential/dispersion-tail.ts';
import { type MtpPotential, mtpPotential } from '../potential/mtp/potential.ts';

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

/**
 * A trained `.mtp` file, compiled, with its CPU and GPU evaluators; with `tailPath` (a `lilab-dispersion-tail-1`
 * file, ADR 0018) both add the dispersion tail beyond the cutoff, its coefficients looked up by `species`.
 */
export function loadPotential(path: string, tailPath?: string, species: readonly string[] = LI_P_S): MtpPotential {
  const file = loadMtpFile(path);
  if (!tailPath) return mtpPotential(file);
  const tail = parseDispersionTail(readText(tailPath), tailPath);
  // the tail's own shortcoming is named by its file; the MTP is compiled once, below, with its own messages
  try {
    tailSpeciesIndex(tail, species);
  } catch (e) {
    throw new InputFileError(`${tailPath}: ${(e as Error).message}`);
  }
  return mtpPotential(file, tail, species);
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
