import type { Structure } from './structure.ts';

/**
 * A short fingerprint of a structure's cell, species order and positions (rounded to 1e-6 A, so that rounding noise
 * does not change it): two builds with the same fingerprint are the same structure. It names what a check or a
 * progress file ran on where a description in words (a preset's translation) would not tell a builder's change.
 * FNV-1a over 64 bits; not for security.
 */
export function structureFingerprint(s: Structure): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  const mix = (x: number) => {
    h = ((h ^ BigInt.asUintN(64, BigInt(x))) * prime) & mask;
  };
  for (const x of s.cell.lattice) mix(Math.round(x * 1e6));
  for (const name of s.species) for (let k = 0; k < name.length; k++) mix(name.charCodeAt(k));
  for (const t of s.types) mix(t);
  for (const x of s.positions) mix(Math.round(x * 1e6));
  return h.toString(16).padStart(16, '0');
}
