import { describe, expect, it } from 'vitest';
import { makeCell } from '../src/model/cell.ts';
import { ELEMENT_SYMBOLS, element, nearestElementByMass } from '../src/model/species.ts';
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

describe('the element table', () => {
  it('holds every element in order of atomic number, with IUPAC weights and Jmol colours', () => {
    expect(ELEMENT_SYMBOLS).toHaveLength(118);
    expect(ELEMENT_SYMBOLS.slice(0, 3)).toEqual(['H', 'He', 'Li']);
    expect(ELEMENT_SYMBOLS.at(-1)).toBe('Og');
    ELEMENT_SYMBOLS.forEach((sym, k) => {
      const e = element(sym);
      expect(e.number).toBe(k + 1);
      expect(e.drawRadius).toBeGreaterThan(0);
      if (k > 0) expect(e.mass).toBeGreaterThan(element(ELEMENT_SYMBOLS[k - 1]).mass - 2); // Ar/K, Co/Ni, Te/I, Th/Pa
    });
    expect([element('Li').mass, element('P').mass, element('S').mass]).toEqual([6.94, 30.974, 32.06]);
    expect(element('Fe')).toMatchObject({ number: 26, mass: 55.845, color: 0xe06633 });
    expect(element('Au').mass).toBe(196.97);
    expect(nearestElementByMass(55.85).symbol).toBe('Fe');
    expect(() => element('Xx')).toThrow(/unknown element 'Xx'/);
  });
});
