import { describe, expect, it } from 'vitest';
import { boundaryPlanes, distanceToPlanes } from '../src/model/boundary-planes.ts';
import { nearestImage } from '../src/model/cell.ts';
import { BOUNDARY_REGION, type Structure } from '../src/model/structure.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../src/structure/gb/presets.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';
import { atomInfo, formatAtomInfo, formatPair, pairDistance } from '../src/ui/atom-info.ts';
import { formatCamera, parseCamera } from '../src/ui/settings.ts';

/** Minimum-image distance by brute force over every image within `n` cells. */
function bruteDistance(lattice: ArrayLike<number>, a: number[], b: number[], n = 5): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = -n; i <= n; i++)
    for (let j = -n; j <= n; j++)
      for (let k = -n; k <= n; k++) {
        const d = [0, 1, 2].map((c) => b[c] - a[c] + i * lattice[c] + j * lattice[3 + c] + k * lattice[6 + c]);
        best = Math.min(best, Math.hypot(...d));
      }
  return best;
}

describe('boundary planes from the grain labels', () => {
  it("agree with the builder's own distances for every two-boundary preset", () => {
    for (const p of GB_PRESETS) {
      const s = STRUCTURE_PRESETS[p.id].build();
      const planes = boundaryPlanes(s);
      expect(planes, p.id).not.toBeNull();
      const label = s.labels!.boundaryDistance!;
      let worst = 0;
      for (let i = 0; i < s.types.length; i++) {
        const d = distanceToPlanes(s, planes!, s.positions.subarray(3 * i, 3 * i + 3));
        worst = Math.max(worst, Math.abs(d - Math.abs(label[i])));
      }
      // the builder measures from the planes it placed mid-gap before whole units were kept or removed; these lie
      // mid-way between the grains' outermost atoms as built: the same planes where no outer unit was removed, and
      // up to half a unit's width (about 2 A) away where the outermost units went (the (150) and (170): 1.2, 0.9 A)
      const u = buildBicrystal(betaLi3PS4Standard(), presetSpec(p)).report.units!;
      expect(worst, p.id).toBeLessThan(u.overlappingUnits + u.balanceUnits > 0 ? 1.5 : 0.5);
    }
  });

  it('move with the atoms: a bicrystal shifted along c (wrapped) has the same distances', () => {
    const s = STRUCTURE_PRESETS['sigma3-110-111'].build();
    const planes = boundaryPlanes(s)!;
    const L = s.cell.lattice;
    const shifted: Structure = {
      ...s,
      positions: Float64Array.from(s.positions, (x, k) => x + 0.37 * L[6 + (k % 3)]),
    };
    const moved = boundaryPlanes(shifted)!;
    for (let i = 0; i < s.types.length; i += 7) {
      const at = (t: Structure) => t.positions.subarray(3 * i, 3 * i + 3);
      expect(distanceToPlanes(shifted, moved, at(shifted))).toBeCloseTo(distanceToPlanes(s, planes, at(s)), 9);
    }
  });

  it('are none for the bulk crystal or a polycrystal of many grains', () => {
    expect(boundaryPlanes(STRUCTURE_PRESETS['beta-li3ps4'].build())).toBeNull();
    expect(boundaryPlanes(STRUCTURE_PRESETS.polycrystal.build())).toBeNull();
  });
});

describe('what the page says about a picked atom', () => {
  const s = STRUCTURE_PRESETS['sigma5-001-120'].build();
  const start = s.positions;
  // the frame a while later: atom 5 hopped by (1, 2, 2) A and atom 9 travelled three cells along a (unwrapped)
  const now = Float64Array.from(start);
  now[15] += 1;
  now[16] += 2;
  now[17] += 2;
  for (let c = 0; c < 3; c++) now[27 + c] += 3 * s.cell.lattice[c];

  it('species, index, displacement since the start, region and grade', () => {
    const grades = new Float64Array(s.types.length).fill(Number.NaN);
    grades[5] = 1.73;
    const a = atomInfo(s, now, start, grades, 5);
    expect(a.species).toBe(s.species[s.types[5]]);
    expect(a.index).toBe(5);
    expect(a.displacement).toBeCloseTo(3, 12);
    expect(a.grade).toBe(1.73);
    expect(a.region).toBe(a.boundaryDistance! < BOUNDARY_REGION ? 'boundary' : 'bulk-like');
    expect(formatAtomInfo(a)).toMatch(new RegExp(`^${a.species} #5 \\| .* grade 1\\.73$`));
    expect(atomInfo(s, now, start, new Float64Array(0), 6).grade).toBeNull();
    expect(() => atomInfo(s, now, start, grades, s.types.length)).toThrow(/no atom/);
  });

  it('the distance of a pair is the minimum image, whatever the unwrapped positions', () => {
    for (const [i, j] of [
      [9, 10],
      [9, 200],
      [0, s.types.length - 1],
      [5, 9],
    ]) {
      const d = pairDistance(s, now, i, j);
      const pi = Array.from(now.subarray(3 * i, 3 * i + 3));
      const pj = Array.from(now.subarray(3 * j, 3 * j + 3));
      expect(d).toBeCloseTo(bruteDistance(s.cell.lattice, pi, pj), 9);
    }
    const a = atomInfo(s, now, start, [], 9);
    const b = atomInfo(s, now, start, [], 10);
    expect(formatPair(a, b, pairDistance(s, now, 9, 10))).toMatch(/#9 - .* #10: \d+\.\d{3} A \(minimum image\)$/);
  });

  it('nearestImage gives the translation that reaches the nearest image', () => {
    const r = nearestImage(s.cell.lattice, now, 9, 10);
    const v = [0, 1, 2].map((c) => now[30 + c] + r.shift[c] - now[27 + c]);
    expect(Math.hypot(...v)).toBeCloseTo(r.distance, 12);
  });
});

describe('the camera in a link', () => {
  it('round-trips to 0.01 A, with the projection', () => {
    const v = { position: [10.123, -4.5, 30], target: [5, 5, 12.345], orthographic: true };
    const back = parseCamera(formatCamera(v))!;
    expect(back.orthographic).toBe(true);
    for (let k = 0; k < 3; k++) {
      expect(back.position[k]).toBeCloseTo(v.position[k], 2);
      expect(back.target[k]).toBeCloseTo(v.target[k], 2);
    }
    expect(parseCamera(formatCamera({ ...v, orthographic: false }))!.orthographic).toBe(false);
    expect(parseCamera(null)).toBeNull();
  });

  it('refuses malformed values with the reason', () => {
    expect(() => parseCamera('1,2,3')).toThrow(/six numbers/);
    expect(() => parseCamera('1,2,3,4,5,x')).toThrow(/six numbers/);
    expect(() => parseCamera('1,2,3,1,2,3')).toThrow(/sits on the point/);
  });
});
