import { describe, expect, it } from 'vitest';
import { makeCell } from '../src/model/cell.ts';
import type { Structure } from '../src/model/structure.ts';
import { massesOf, toAtomicSystem } from '../src/model/system.ts';

describe('a structure as an engine system', () => {
  const s: Structure = {
    cell: makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]),
    species: ['S', 'Li'],
    types: Int32Array.from([0, 1, 1]),
    positions: Float64Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]),
  };
  it('maps types into the potential order and gives each atom its mass', () => {
    const sys = toAtomicSystem(s, ['Li', 'P', 'S']);
    expect(Array.from(sys.types)).toEqual([2, 0, 0]);
    expect(Array.from(sys.masses)).toEqual([32.06, 6.94, 6.94]);
    expect(Array.from(massesOf([1], ['Li', 'P', 'S']))).toEqual([30.974]);
  });
  it('refuses a species the potential does not have', () => {
    expect(() => toAtomicSystem({ ...s, species: ['Xe', 'Li'] }, ['Li', 'P', 'S'])).toThrow(/Xe/);
  });
});
