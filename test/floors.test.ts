import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FLOORS, floorViolations } from '../scripts/check-floors.mjs';

describe('the floors of src/', () => {
  it('the project has no upward import and none into tools/', () => {
    expect(floorViolations(fileURLToPath(new URL('../', import.meta.url)))).toEqual([]);
  });

  it('the check finds an upward import, an import of tools/, and lets sideways and downward ones be', () => {
    const root = mkdtempSync(join(tmpdir(), 'lilab-floors-'));
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('src/model/cell.ts', "import { x } from '../md/engine.ts';\n");
    write('src/io/cif.ts', "import { y } from '../structure/symmetry.ts';\nimport { c } from '../model/cell.ts';\n");
    write('src/ui/app.ts', "import { z } from '../../tools/dft/label.ts';\n");
    const found = floorViolations(root);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/src\/model\/cell\.ts: \.\.\/md\/engine\.ts \(model, floor 0, imports md, floor 3\)/);
    expect(found[1]).toMatch(/src\/ui\/app\.ts: .*tools.*src must not import tools/);
    expect(Object.keys(FLOORS)).toContain('train');
  });
});
