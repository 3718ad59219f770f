/**
 * The byte layouts the MD engine shares with its kernels, each written once: the parameter block (struct MdParams of
 * shaders/integrate.wgsl; a test reads the struct and holds this table to it) and the record copied back for each
 * record interval. Packing and decoding both go through these tables.
 */

import { LIST_WORD_COUNT, OVERFLOW_WORD_COUNT } from '../potential/neighbors-gpu.ts';

/** MdParams, in the struct's order: every field 4 bytes. */
export const MD_PARAMS = [
  { name: 'natoms', type: 'u32' },
  { name: 'seed_lo', type: 'u32' },
  { name: 'seed_hi', type: 'u32' },
  { name: 'ndof', type: 'f32' },
  { name: 'dt', type: 'f32' },
  { name: 'kT', type: 'f32' },
  { name: 'decay', type: 'f32' },
  { name: 'tau', type: 'f32' },
  { name: 'has_list', type: 'u32' },
  { name: 'half_skin2', type: 'f32' },
  { name: '_pad0', type: 'u32' },
  { name: '_pad1', type: 'u32' },
] as const;

export type MdParamName = (typeof MD_PARAMS)[number]['name'];

/** The uniform block for `values` (u32 fields rounded down and wrapped as the GPU would read them). */
export function packMdParams(values: Record<MdParamName, number>): ArrayBuffer {
  const buf = new ArrayBuffer(4 * MD_PARAMS.length);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  MD_PARAMS.forEach(({ name, type }, k) => {
    if (type === 'u32') u[k] = Math.floor(values[name]) >>> 0;
    else f[k] = values[name];
  });
  return buf;
}

/** Floats of the engine's bookkeeping block (`state` in integrate.wgsl). */
export const STATE_FLOATS = 16;

/**
 * One record, in the order it is copied: the name of its source, 4-byte words per atom or in all, and how the words
 * are read. `list` fields come from the neighbour list (zeros without one).
 */
export const RECORD_FIELDS = [
  { name: 'state', words: { fixed: STATE_FLOATS }, type: 'f32' },
  { name: 'atomEnergy', words: { perAtom: 1 }, type: 'f32' },
  { name: 'atomMinDist', words: { perAtom: 1 }, type: 'f32' },
  { name: 'velocities', words: { perAtom: 4 }, type: 'f32' },
  { name: 'atomVirial', words: { perAtom: 9 }, type: 'f32' },
  { name: 'overflow', words: { fixed: OVERFLOW_WORD_COUNT }, type: 'u32', list: true },
  { name: 'rebuildCounter', words: { fixed: LIST_WORD_COUNT }, type: 'u32', list: true },
  { name: 'positions', words: { perAtom: 4 }, type: 'f32' },
  { name: 'images', words: { perAtom: 4 }, type: 'i32' },
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];
export type RecordName = RecordField['name'];

const wordsOf = (f: RecordField, natoms: number): number =>
  'perAtom' in f.words ? f.words.perAtom * natoms : f.words.fixed;

/** Byte offset and length of every field of a record for `natoms` atoms, and the record's size. */
export function recordLayout(natoms: number): {
  fields: { field: RecordField; offset: number; bytes: number }[];
  bytes: number;
} {
  let offset = 0;
  const fields = RECORD_FIELDS.map((field) => {
    const bytes = 4 * wordsOf(field, natoms);
    const entry = { field, offset, bytes };
    offset += bytes;
    return entry;
  });
  return { fields, bytes: offset };
}

export type RecordLayout = ReturnType<typeof recordLayout>;

/** A record's fields as typed views of `data` (a mapped copy of the record laid out by `layout`). */
export function decodeRecord(
  data: ArrayBuffer,
  layout: RecordLayout,
): { [K in 'state' | 'atomEnergy' | 'atomMinDist' | 'velocities' | 'atomVirial' | 'positions']: Float32Array } & {
  overflow: Uint32Array;
  rebuildCounter: Uint32Array;
  images: Int32Array;
} {
  const out: Record<string, Float32Array | Uint32Array | Int32Array> = {};
  for (const { field, offset, bytes } of layout.fields) {
    const Ctor = field.type === 'f32' ? Float32Array : field.type === 'u32' ? Uint32Array : Int32Array;
    out[field.name] = new Ctor(data, offset, bytes / 4);
  }
  return out as ReturnType<typeof decodeRecord>;
}
