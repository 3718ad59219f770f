import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES, VECTOR_POTENTIALS, VECTORS } from './support.ts';

/**
 * A clone of the project must pass its own tests and run its bench with nothing beside it. These checks read every
 * source file for paths that leave the checkout, and check that the fixtures those paths lead to are present.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SCANNED = ['src', 'test', 'bin', 'scripts', 'tools', '.ci', 'vite.config.ts', 'package.json'];
const SOURCE = /\.(ts|mts|mjs|js|sh|json)$/;

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full).flatMap((name) =>
    name === 'node_modules' || name === 'fixtures' ? [] : sourceFiles(join(path, name)),
  );
}

const files = SCANNED.flatMap(sourceFiles).filter((f) => SOURCE.test(f) || f.endsWith('/.ci/run'));

/** Relative paths as code spells them: `new URL('REL', import.meta.url)` resolves against the file itself. */
const URL_LITERAL = /new URL\(\s*['"`]([^'"`]+)['"`]\s*,\s*import\.meta\.url/g;
/** A reference to the sibling folder that only this setup has. */
const SIBLING = /(^|[\s"'`(=:])(\.\.\/)+shared\b/;

describe('a clone tests itself', () => {
  it('scans the project (the scan is not empty)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.endsWith('test/support.ts'))).toBe(true);
  });

  it('no source, test, script or bench path names ../shared', () => {
    const offenders: string[] = [];
    for (const f of files) {
      if (f.endsWith('self-contained.test.ts')) continue;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (SIBLING.test(line)) offenders.push(`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('every path resolved against import.meta.url stays inside the checkout', () => {
    const outside: string[] = [];
    let seen = 0;
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(URL_LITERAL)) {
        const rel = m[1];
        if (/^[a-z]+:/.test(rel)) continue; // absolute URLs (node:, file:) are not relative paths
        seen++;
        const target = resolve(dirname(f), rel);
        if (relative(ROOT, target).startsWith('..')) outside.push(`${relative(ROOT, f)}: ${rel}`);
      }
    }
    expect(seen).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it('the fixtures the tests and the bench read are in the checkout, with their provenance', () => {
    const readme = readFileSync(`${FIXTURES}README.md`, 'utf8');
    for (const name of VECTOR_POTENTIALS) {
      for (const suffix of ['.mtp', '.in.cfg', '.out.cfg']) {
        const file = `${VECTORS}${name}${suffix}`;
        expect(existsSync(file), file).toBe(true);
        expect(readme).toContain(`mtp-vectors/${name}${suffix}`);
      }
    }
    for (const f of [
      'structures/beta-Li3PS4.cif',
      'structures/beta-Li3PS4.POSCAR',
      'gb-reference/README.md',
      'mtp/SPEC.md',
    ]) {
      expect(existsSync(`${FIXTURES}${f}`), f).toBe(true);
      expect(readme).toContain(f);
    }
  });
});
