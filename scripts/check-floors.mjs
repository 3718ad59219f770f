#!/usr/bin/env node
// The house's floors (docs/adr and the README's layout table): a room of src/ imports only from its own floor or
// below, and nothing in src/ imports tools/. Run by `npm test` after the linter; prints every upward import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Floor of each room: model, gpu < io, structure < potential, analysis < md, train < worker < ui, cli. */
export const FLOORS = {
  model: 0,
  gpu: 0,
  io: 1,
  structure: 1,
  potential: 2,
  analysis: 2,
  md: 3,
  train: 3,
  worker: 4,
  ui: 5,
  cli: 5,
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|mjs|js)$/.test(name) ? [p] : [];
  });
}

/** Every import of `src/` (under `root`) that goes up a floor or into tools/, as "file: import" lines. */
export function floorViolations(root) {
  const src = join(root, 'src');
  const out = [];
  for (const file of files(src)) {
    const room = relative(src, file).split('/')[0];
    if (!(room in FLOORS)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]);
      const rel = relative(src, target);
      if (rel.startsWith('..')) {
        if (relative(root, target).startsWith('tools'))
          out.push(`${relative(root, file)}: ${m[1]} (src must not import tools)`);
        continue;
      }
      const to = rel.split('/')[0];
      if (to in FLOORS && FLOORS[to] > FLOORS[room])
        out.push(
          `${relative(root, file)}: ${m[1]} (${room}, floor ${FLOORS[room]}, imports ${to}, floor ${FLOORS[to]})`,
        );
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const bad = floorViolations(root);
  if (bad.length > 0) {
    console.error(`imports against the floors of src/ (${bad.length}):\n${bad.join('\n')}`);
    process.exit(1);
  }
  console.log('floors: every import of src/ goes to its own floor or below');
}
