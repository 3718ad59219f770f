/**
 * Where an output came from, written at the head of thermo CSV files (as `# key=value` lines, the convention the
 * msd CSVs already use): LiLab's version, the git commit of the checkout when there is one, the potential and its
 * SHA-256, the seed, the command line and the time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileSha256 } from './files.ts';

/** The version of package.json, the one source of it. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The checkout's commit (with `+changes` when the tree differs from it), or null outside a git checkout. */
export function gitCommit(): string | null {
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

let commandLine: string[] = [];

/** The arguments of the command being run (main sets them), for the provenance of what it writes. */
export function setCommandLine(argv: string[]): void {
  commandLine = [...argv];
}

export function provenance(o: { potential?: string; dispersionTail?: string; seed?: number }): [string, string][] {
  const rows: [string, string][] = [['lilab', VERSION]];
  const commit = gitCommit();
  if (commit) rows.push(['git_commit', commit]);
  if (o.potential) rows.push(['potential', o.potential], ['potential_sha256', fileSha256(o.potential)]);
  if (o.dispersionTail)
    rows.push(['dispersion_tail', o.dispersionTail], ['dispersion_tail_sha256', fileSha256(o.dispersionTail)]);
  if (o.seed !== undefined) rows.push(['seed', String(o.seed)]);
  rows.push(['command', ['lilab', ...commandLine].join(' ')], ['written', new Date().toISOString()]);
  return rows;
}

/** The same as `# key=value` lines. */
export function provenanceComment(o: Parameters<typeof provenance>[0]): string {
  return provenance(o)
    .map(([k, v]) => `# ${k}=${v.replace(/\n/g, ' ')}\n`)
    .join('');
}
