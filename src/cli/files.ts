import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseMtp } from '../io/mtp.ts';

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

export function loadMtpFile(path: string) {
  return parseMtp(readText(path), basename(path));
}

/** SHA-256 of a text file, hex: the provenance of a potential or dataset in reports. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readText(path)).digest('hex');
}
