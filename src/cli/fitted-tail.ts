/**
 * The dispersion tail a potential was fitted with (ADR 0018). A potential fitted to the labels less the tail is only
 * half a potential without it (the crystal 0.5-0.8 GPa over its pressure, the boundaries priced too high), and its
 * `.mtp` carries no sign of it; its training report does (`dispersionTail`: the tail's file name and SHA-256). So
 * the report beside a potential (POT.json for POT.mtp, as `lilab train --report` names it in this project) decides:
 * a tail given that is not the one fitted is refused, and with none given the tail beside the potential
 * (POT.tail.json, the way a tail-fitted default ships) is taken when its hash is the report's, else the command is
 * refused before it reads anything else.
 */
import { existsSync } from 'node:fs';
import { UsageError } from './command.ts';
import { fileSha256, readText } from './files.ts';

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
