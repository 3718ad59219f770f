import { describe, expect, it } from 'vitest';
import { FORMAL_CHARGE, MAX_GRAIN_FIELD } from '../src/model/ps4.ts';
import { COULOMB_EV_A } from '../src/model/units.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import {
  meanField,
  type NormalFrame,
  removalEnergy,
  sheetPotential,
  sheetPotentials,
} from '../src/structure/gb/field.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../src/structure/gb/presets.ts';

/** Plane-averaged Coulomb energy of the charges, summed pair by pair (the reference for removalEnergy). */
function energy(frame: NormalFrame, q: Float64Array, alive: Uint8Array): number {
  let e = 0;
  for (let i = 0; i < q.length; i++)
    for (let j = 0; j < q.length; j++)
      if (alive[i] && alive[j])
        e += 0.5 * q[i] * q[j] * sheetPotential(frame.z[i] - frame.z[j], frame.length, frame.area);
  return e;
}

describe('electrostatics of formal charges along a boundary normal', () => {
  it('a periodic capacitor: the field between the plates is 2 pi k sigma, outside minus that', () => {
    // +2 e at L/4, -2 e at 3L/4 over 100 A^2: half the period each way, so the field is +-2 pi k q / A
    const frame: NormalFrame = { z: Float64Array.from([5, 15]), length: 20, area: 100 };
    const q = Float64Array.from([2, -2]);
    const expected = (2 * Math.PI * COULOMB_EV_A * 2) / 100;
    expect(meanField(frame, q, 6, 14)).toBeCloseTo(expected, 12);
    expect(meanField(frame, q, 16, 24)).toBeCloseTo(-expected, 12);
    // a sheet's potential solves phi'' = -4 pi k (delta - 1/L) / A: its curvature away from the sheet
    const h = 1e-3;
    const c =
      (sheetPotential(3 + h, 20, 100) - 2 * sheetPotential(3, 20, 100) + sheetPotential(3 - h, 20, 100)) / h ** 2;
    expect(c).toBeCloseTo((4 * Math.PI * COULOMB_EV_A) / (100 * 20), 6);
  });

  it('the energy change of a removal equals the difference of the pair sums', () => {
    const z = Float64Array.from([0.3, 2.1, 4.4, 7.9, 9.5, 12.2, 15.0]);
    const q = Float64Array.from([1, -2, 5, -2, 1, -2, -1]);
    const frame: NormalFrame = { z, length: 17, area: 60 };
    const alive = new Uint8Array(q.length).fill(1);
    const v = sheetPotentials(frame, q, alive);
    const removed = [1, 4, 6]; // charge -2: what is left is neutral, as the pair sum needs
    const after = alive.slice();
    for (const r of removed) after[r] = 0;
    const before = [...q].reduce((a, b) => a + b, 0);
    expect(before).toBe(0);
    expect(removalEnergy(frame, q, v, removed)).toBeCloseTo(energy(frame, q, after) - energy(frame, q, alive), 9);
  });

  it(`every preset as built: neither boundary a charged plate, under ${MAX_GRAIN_FIELD} V/A of formal-charge field in either grain`, () => {
    const standard = betaLi3PS4Standard();
    for (const preset of GB_PRESETS) {
      const { structure, report } = buildBicrystal(standard, presetSpec(preset));
      for (const f of report.grainFields) expect(Math.abs(f), preset.id).toBeLessThan(MAX_GRAIN_FIELD);
      const q = [...structure.types].map((t) => FORMAL_CHARGE[structure.species[t]]);
      expect(q.reduce((a, b) => a + b, 0)).toBe(0);
    }
  }, 60_000);
});
