/**
 * Labelled configurations from files: MLIP .cfg (Energy, fx fy fz, PlusStress) or extended XYZ as the lab's DFT
 * pipeline writes it (energy=, forces per atom, virial="9 numbers" in eV). Species map to types in `species` order.
 */

import { parseCfg } from '../io/cfg.ts';
import { ParseError } from '../io/errors.ts';
import { parseExtxyz } from '../io/extxyz.ts';
import { volume } from '../model/cell.ts';
import { LI_P_S } from '../model/species.ts';
import { type DispersionTail, dispersionTailEfs, tailSpeciesIndex } from '../potential/dispersion-tail.ts';
import { plusStressOf } from '../potential/types.ts';
import type { LabelledConfiguration } from './linear-fit.ts';

/**
 * MLIP's PlusStress (virial, eV) from ASE's `stress=` key: the Cauchy stress in eV/A^3, 9 numbers row by row or 6 in
 * Voigt order (xx yy zz yz xz xy), positive under tension. The virial is minus the stress times the volume (the
 * lab's stressGPa is its inverse).
 */
export function plusStressOfAseStress(text: string, cellVolume: number, file: string, frame: number): Float64Array {
  const v = text.trim().split(/\s+/).map(Number);
  if (!v.every(Number.isFinite) || (v.length !== 9 && v.length !== 6))
    throw new ParseError(file, 0, `frame ${frame + 1}: stress needs 9 or 6 numbers (eV/A^3)`);
  const voigt = v.length === 6 ? v : [v[0], v[4], v[8], v[5], v[2], v[1]];
  return Float64Array.from(voigt, (x) => -x * cellVolume);
}

export function readLabelled(text: string, file: string, species: string[] = [...LI_P_S]): LabelledConfiguration[] {
  if (file.endsWith('.cfg')) {
    return parseCfg(text, file).map((c, k) => {
      if (c.energy === undefined || !c.forces)
        throw new ParseError(file, 0, `configuration ${k + 1} has no Energy or forces: not labelled`);
      if (c.types.length === 0) throw new ParseError(file, 0, `configuration ${k + 1} has no atoms`);
      return { ...c, energy: c.energy, forces: c.forces };
    });
  }
  return parseExtxyz(text, file, species).map((f, k) => {
    const energy = Number(f.info.energy);
    const forces = f.arrays.forces;
    if (!Number.isFinite(energy) || !forces)
      throw new ParseError(file, 0, `frame ${k + 1} has no energy= or forces column: not labelled`);
    const s = f.structure;
    if (s.types.length === 0) throw new ParseError(file, 0, `frame ${k + 1} has no atoms`);
    let plusStress: Float64Array | undefined;
    if (f.info.virial) {
      const v = f.info.virial.trim().split(/\s+/).map(Number);
      if (v.length !== 9 || !v.every(Number.isFinite))
        throw new ParseError(file, 0, `frame ${k + 1}: virial needs 9 numbers`);
      plusStress = plusStressOf(v);
    } else if (f.info.stress) {
      plusStress = plusStressOfAseStress(f.info.stress, volume(s.cell), file, k);
    }
    return {
      types: Int32Array.from(s.types, (t) => species.indexOf(s.species[t])),
      positions: s.positions,
      cell: s.cell,
      energy,
      forces,
      plusStress,
      ...(f.arrays.selected ? { selected: Uint8Array.from(f.arrays.selected, (v) => (v ? 1 : 0)) } : {}),
      features: [
        ...(f.info.config_id ? [['config_id', f.info.config_id] as [string, string]] : []),
        ...(f.info.source ? [['source', f.info.source] as [string, string]] : []),
      ],
    };
  });
}

/**
 * A reproducible train/validation split (seeded shuffle). The shuffle keeps its own small LCG rather than the lab's
 * generator (model/random.ts) so that `--seed N` still gives the split every shipped potential was fitted and
 * validated with (data/README.md lists those commands).
 */
export function splitData<T>(data: T[], validationFraction: number, seed: number): { train: T[]; validation: T[] } {
  let s = seed >>> 0 || 1;
  const order = data.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nv = Math.round(validationFraction * data.length);
  return { validation: order.slice(0, nv).map((i) => data[i]), train: order.slice(nv).map((i) => data[i]) };
}

/** The configuration id a labelled configuration carries (extxyz config_id=), or '' when it has none. */
export function configId(c: { features: [string, string][] }): string {
  return c.features.find(([k]) => k === 'config_id')?.[1] ?? '';
}

/** Its kind: the id without a trailing two-digit counter (r2-thermal800-03 -> r2-thermal800). */
export function configKind(c: { features: [string, string][] }): string {
  return configId(c).replace(/-\d{2}$/, '') || '(no id)';
}

/**
 * What a training set covers, counted from each configuration's `source` (written by the DFT tools): boundary
 * neighbourhoods (cells cut around an atom of a boundary's MD), bicrystals (whole periodic boundary cells), boundary
 * slabs, point defects (Frenkel pairs), short contacts (pairs pushed together) and bulk cells (everything else:
 * ideal, strained, thermal, MD snapshots). The lab's status line says it, so it stays true after a retrain.
 */
export function coverageOf(data: { features: [string, string][] }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of data) {
    const source = c.features.find(([k]) => k === 'source')?.[1] ?? '';
    const kind = /^neighbourhood of /i.test(source)
      ? 'boundary neighbourhoods'
      : /bicrystal/i.test(source)
        ? 'bicrystals'
        : /slab/i.test(source)
          ? 'boundary slabs'
          : /frenkel/i.test(source)
            ? 'point defects'
            : /pushed/i.test(source)
              ? 'short contacts'
              : 'bulk cells';
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** Drops configurations whose id matches `pattern` (a regular expression); none dropped without a pattern. */
export function excludeById<T extends { features: [string, string][] }>(data: T[], pattern: string | undefined): T[] {
  if (!pattern) return data;
  const re = new RegExp(pattern);
  return data.filter((c) => !re.test(configId(c)));
}

/**
 * Relative loss weights by configuration id: each rule "REGEX=W" gives weight W to the configurations whose config_id
 * matches (the last matching rule wins; the others keep theirs). A malformed rule is an error naming it. `field`
 * says which weight: the whole configuration's (`weight`) or its energy term's (`energyWeight`).
 */
export function weightById<T extends { features: [string, string][]; weight?: number; energyWeight?: number }>(
  data: T[],
  rules: string[],
  field: 'weight' | 'energyWeight' = 'weight',
): T[] {
  const parsed = rules.map((rule) => {
    const at = rule.lastIndexOf('=');
    const w = Number(rule.slice(at + 1));
    if (at <= 0 || !(w >= 0) || !Number.isFinite(w))
      throw new Error(`weight rule "${rule}": expected REGEX=W with W a number >= 0`);
    return { re: new RegExp(rule.slice(0, at)), w };
  });
  return data.map((c) => {
    let weight = c[field];
    for (const r of parsed) if (r.re.test(configId(c))) weight = r.w;
    return weight === c[field] ? c : { ...c, [field]: weight };
  });
}

/**
 * The labels with the long-range dispersion tail taken out (energy, forces and virial), for a fit of the MTP to what
 * the tail leaves (potential/dispersion-tail.ts); errors measured on such labels are those of the MTP plus the tail.
 * The configurations' types index `species`.
 */
export function withoutDispersionTail<T extends LabelledConfiguration>(
  data: T[],
  tail: DispersionTail,
  species: readonly string[],
): T[] {
  const index = tailSpeciesIndex(tail, species);
  return data.map((c) => {
    const t = dispersionTailEfs(tail, index, c);
    const tailStress = plusStressOf(t.virial);
    return {
      ...c,
      energy: c.energy - t.energy,
      forces: Float64Array.from(c.forces, (f, k) => f - t.forces[k]),
      ...(c.plusStress ? { plusStress: Float64Array.from(c.plusStress, (s, k) => s - tailStress[k]) } : {}),
    };
  });
}
