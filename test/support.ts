import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type Ps4Census, ps4Census } from '../src/analysis/ps4.ts';
import { parseCfg } from '../src/io/cfg.ts';
import { parseMtp } from '../src/io/mtp.ts';
import type { MdSystem } from '../src/md/engine.ts';
import { applyStrain } from '../src/model/cell.ts';
import type { Configuration } from '../src/model/configuration.ts';
import { FORMAL_CHARGE, MIN_BUILT_DISTANCE } from '../src/model/ps4.ts';
import { seededUniform } from '../src/model/random.ts';
import { element } from '../src/model/species.ts';
import { countBySpecies, type Structure } from '../src/model/structure.ts';
import { compileMtp, type MtpModel } from '../src/potential/mtp/model.ts';
import { softSphereMtpFile } from '../src/potential/mtp/soft-sphere.ts';
import type { EfsResult } from '../src/potential/types.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';

/** Reference data carried in the checkout (MLIP vectors, structures, GB table, MTP specification): fixtures/README.md. */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const VECTORS = `${FIXTURES}mtp-vectors/`;
export const VECTOR_POTENTIALS = ['l06-1sp-scaled', 'l08', 'l16', 'l24'] as const;

export function loadVectorModel(name: string): MtpModel {
  return compileMtp(parseMtp(readFileSync(`${VECTORS}${name}.mtp`, 'utf8'), `${name}.mtp`));
}

export function loadVectorConfigs(name: string, which: 'in' | 'out') {
  return parseCfg(readFileSync(`${VECTORS}${name}.${which}.cfg`, 'utf8'), `${name}.${which}.cfg`);
}

/** Seeded uniform numbers in [0, 1) for test inputs: the lab's own generator. */
export const rng = seededUniform;

/**
 * A random triclinic Li-P-S cell with shear, atoms placed with a minimum separation (`minSep`, small cells) or on a
 * jittered grid (large cells), so the configuration is physical-looking.
 */
export function randomTriclinicConfig(
  seed: number,
  n: number,
  speciesCount = 3,
  minSep = 2.0,
  density = 0.05,
): Configuration {
  const r = rng(seed);
  const vol = n / density;
  const edge = Math.cbrt(vol);
  const lattice = new Float64Array([
    edge * (0.9 + 0.2 * r()),
    0,
    0,
    edge * 0.3 * (r() - 0.5),
    edge * (0.9 + 0.2 * r()),
    0,
    edge * 0.3 * (r() - 0.5),
    edge * 0.3 * (r() - 0.5),
    edge * (0.9 + 0.2 * r()),
  ]);
  const positions = new Float64Array(3 * n);
  const types = new Int32Array(n);
  if (n > 64) {
    // Large cells: a jittered grid (rejection sampling would be O(n^2)); n of the m^3 sites, chosen at random.
    const m = Math.ceil(Math.cbrt(n));
    const sites = Array.from({ length: m * m * m }, (_, k) => k);
    for (let k = sites.length - 1; k > 0; k--) {
      const j = Math.floor(r() * (k + 1));
      [sites[k], sites[j]] = [sites[j], sites[k]];
    }
    for (let a = 0; a < n; a++) {
      const k = sites[a];
      const f = [k % m, Math.floor(k / m) % m, Math.floor(k / (m * m))].map((g) => (g + 0.5 + 0.25 * (r() - 0.5)) / m);
      for (let d = 0; d < 3; d++)
        positions[3 * a + d] = f[0] * lattice[d] + f[1] * lattice[3 + d] + f[2] * lattice[6 + d];
      types[a] = Math.floor(r() * speciesCount);
    }
    return { types, positions, cell: { lattice, pbc: [true, true, true] }, features: [] };
  }
  let placed = 0;
  let tries = 0;
  while (placed < n) {
    if (++tries > 200000) throw new Error('could not place atoms');
    const f = [r(), r(), r()];
    const p = [0, 1, 2].map((d) => f[0] * lattice[d] + f[1] * lattice[3 + d] + f[2] * lattice[6 + d]);
    let ok = true;
    for (let j = 0; j < placed && ok; j++) {
      for (let a = -1; a <= 1 && ok; a++)
        for (let b = -1; b <= 1 && ok; b++)
          for (let c = -1; c <= 1 && ok; c++) {
            let d2 = 0;
            for (let d = 0; d < 3; d++) {
              const dx = p[d] - positions[3 * j + d] + a * lattice[d] + b * lattice[3 + d] + c * lattice[6 + d];
              d2 += dx * dx;
            }
            if (d2 < minSep * minSep) ok = false;
          }
    }
    if (!ok) continue;
    positions.set(p, 3 * placed);
    types[placed] = Math.floor(r() * speciesCount);
    placed++;
  }
  return { types, positions, cell: { lattice, pbc: [true, true, true] }, features: [] };
}

/** max |a - b| relative to the largest |b| (absolute when that is below 1): the tolerance rule of the vectors. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / Math.max(scale, 1);
}

/** The soft-sphere MTP (src/potential/mtp/soft-sphere.ts) with the parameters the MD tests use. */
export function softSphereMtp(species = 3, a = 0.5, rc = 3.0): import('../src/io/mtp.ts').MtpFile {
  return softSphereMtpFile(species, a, rc, 'soft_sphere_test');
}

/**
 * The chemistry a structure as built must have (the grain-boundary issue's criteria): every P with four S within
 * the bond length, no S-S bond, no P on top of P, no pair under MIN_BUILT_DISTANCE, Li3PS4 and neutral with formal
 * charges. Returns the census.
 */
export function expectChemistryAsBuilt(s: Structure): Ps4Census {
  const census = ps4Census(s);
  expect(census.centres).toBeGreaterThan(0);
  expect(census.intact).toBe(census.centres);
  expect(census.sulfurBonds).toBe(0);
  expect(census.phosphorusContacts).toBe(0);
  expect(census.minDistance).toBeGreaterThanOrEqual(MIN_BUILT_DISTANCE);
  const counts = countBySpecies(s);
  expect(counts.get('Li')).toBe(3 * census.centres);
  expect(counts.get('S')).toBe(4 * census.centres);
  expect([...counts].reduce((q, [el, n]) => q + FORMAL_CHARGE[el] * n, 0)).toBe(0);
  return census;
}

/** The virial by finite differences: minus the derivative of the energy under each of the nine strain components. */
export function strainDerivativeVirial(
  config: Configuration,
  energy: (c: Configuration) => number,
  h = 1e-6,
): Float64Array {
  const fd = new Float64Array(9);
  for (let ab = 0; ab < 9; ab++) {
    const strained = (s: number): Configuration => {
      const eps = new Float64Array(9);
      eps[ab] = s;
      return {
        ...config,
        positions: applyStrain(config.positions, eps),
        cell: { lattice: applyStrain(config.cell!.lattice, eps), pbc: [true, true, true] },
      };
    };
    fd[ab] = -(energy(strained(h)) - energy(strained(-h))) / (2 * h);
  }
  return fd;
}

interface Tolerance {
  energyPerAtom: number;
  forceRelRms: number;
  forceMaxAbs: number;
  virialRel: number;
}

/** The WebGPU issue's tolerances for configurations in physical ranges. */
export const PHYSICAL: Tolerance = { energyPerAtom: 2e-5, forceRelRms: 1e-4, forceMaxAbs: 1e-3, virialRel: 1e-4 };

export function compareEfs(gpu: EfsResult, ref: EfsResult, n: number) {
  let diff2 = 0;
  let norm2 = 0;
  let maxAbs = 0;
  ref.forces.forEach((v, k) => {
    diff2 += (v - gpu.forces[k]) ** 2;
    norm2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v - gpu.forces[k]));
  });
  let vDiff = 0;
  let vScale = 0;
  ref.virial.forEach((v, k) => {
    vDiff = Math.max(vDiff, Math.abs(v - gpu.virial[k]));
    vScale = Math.max(vScale, Math.abs(v));
  });
  return {
    energyPerAtom: Math.abs(gpu.energy - ref.energy) / n,
    energyRel: Math.abs(gpu.energy - ref.energy) / Math.max(Math.abs(ref.energy), n),
    // forces that vanish by symmetry (one atom among its own images) are compared absolutely
    forceRelRms: norm2 > 1e-12 ? Math.sqrt(diff2 / norm2) : Math.sqrt(diff2),
    forceMaxAbs: maxAbs,
    forceMaxRel: maxAbs / Math.max(1, Math.sqrt(norm2 / Math.max(1, n))),
    virialRel: vDiff / Math.max(vScale, 1),
  };
}

export function expectPhysical(gpu: EfsResult, ref: EfsResult, n: number, tol = PHYSICAL) {
  const c = compareEfs(gpu, ref, n);
  expect(c.energyPerAtom).toBeLessThan(tol.energyPerAtom);
  expect(c.forceRelRms).toBeLessThan(tol.forceRelRms);
  expect(c.forceMaxAbs).toBeLessThan(tol.forceMaxAbs);
  expect(c.virialRel).toBeLessThan(tol.virialRel);
}

/** beta-Li3PS4 1x1x2 expanded by 25%: soft spheres of range 3 A then just touch, a smooth and stable test system. */
export function softSphereTestSystem(): MdSystem {
  const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
  const scale = 1.25;
  return {
    types: s.types,
    positions: s.positions.map((x) => x * scale),
    cell: { lattice: s.cell.lattice.map((x) => x * scale), pbc: [true, true, true] },
    masses: Float64Array.from(s.types, (t) => element(s.species[t]).mass),
  };
}
