import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeRecord, MD_PARAMS, packMdParams, RECORD_FIELDS, recordLayout, STATE_FLOATS } from '../src/md/layout.ts';
import { LIST_WORD_COUNT, LIST_WORDS, OVERFLOW_WORD_COUNT } from '../src/potential/neighbors-gpu.ts';

const integrate = readFileSync(new URL('../shaders/integrate.wgsl', import.meta.url), 'utf8');
const neighbors = readFileSync(new URL('../shaders/neighbors.wgsl', import.meta.url), 'utf8');

/** The fields of `struct NAME { ... }` in a WGSL source, as [name, type] in order. */
function wgslStruct(src: string, name: string): [string, string][] {
  const body = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(src)?.[1];
  if (!body) throw new Error(`no struct ${name}`);
  return body
    .split('\n')
    .map((l) => l.replace(/\/\/.*/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\w+):\s*([\w<>, ]+),$/.exec(l);
      if (!m) throw new Error(`struct ${name}: cannot read '${l}'`);
      return [m[1], m[2]];
    });
}

describe('the MD engine layouts (src/md/layout.ts) against shaders/integrate.wgsl', () => {
  it('MdParams: the same fields, in the same order, with the same types', () => {
    expect(wgslStruct(integrate, 'MdParams')).toEqual(MD_PARAMS.map((f) => [f.name, f.type]));
    const values = {
      natoms: 318,
      seed_lo: 7,
      seed_hi: 1,
      ndof: 951,
      dt: 0.5,
      kT: 0.0689,
      decay: 0.995,
      tau: 100,
      has_list: 1,
      half_skin2: 0.0625,
      _pad0: 0,
      _pad1: 0,
    };
    const buf = packMdParams(values);
    // a uniform block: a whole number of 16-byte rows
    expect(buf.byteLength).toBe(48);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    expect([u[0], u[1], u[2], u[8]]).toEqual([318, 7, 1, 1]);
    expect(f[4]).toBe(0.5);
    expect(f[6]).toBe(Math.fround(0.995));
    expect(f[9]).toBe(0.0625);
  });

  it("the neighbour list's bookkeeping words: one count for both shaders, every index inside it", () => {
    expect(/nl_rebuild: array<atomic<u32>, (\d+)>/.exec(integrate)?.[1]).toBe(String(LIST_WORD_COUNT));
    const used = [
      ...[...integrate.matchAll(/nl_rebuild\[(\d+)\]/g)],
      ...[...neighbors.matchAll(/rebuild\[(\d+)\]/g)],
    ].map((m) => Number(m[1]));
    expect(new Set(used)).toEqual(new Set(Object.values(LIST_WORDS)));
  });

  it('the bookkeeping block is large enough for every index the kernels use', () => {
    const used = [...integrate.matchAll(/state\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(used.length).toBeGreaterThan(5);
    expect(Math.max(...used)).toBeLessThan(STATE_FLOATS);
  });

  it('a record: fields back to back, per-atom ones scaling with the atoms, decoded where they were copied', () => {
    const n = 5;
    const { fields, bytes } = recordLayout(n);
    expect(fields.map((f) => f.field.name)).toEqual(RECORD_FIELDS.map((f) => f.name));
    expect(bytes).toBe(
      4 * (STATE_FLOATS + n + n + 4 * n + 9 * n + OVERFLOW_WORD_COUNT + LIST_WORD_COUNT + 4 * n + 4 * n),
    );
    for (let k = 1; k < fields.length; k++) expect(fields[k].offset).toBe(fields[k - 1].offset + fields[k - 1].bytes);
    const data = new ArrayBuffer(bytes);
    const at = (name: string) => fields.find((f) => f.field.name === name)!.offset;
    new Int32Array(data, at('images'), 4 * n)[2] = -3;
    new Float32Array(data, at('velocities'), 4 * n)[7] = 1.5;
    new Uint32Array(data, at('rebuildCounter'), 2)[1] = 42;
    const r = decodeRecord(data, recordLayout(n));
    expect(r.images[2]).toBe(-3);
    expect(r.velocities[7]).toBe(1.5);
    expect(r.rebuildCounter[1]).toBe(42);
    expect(r.atomVirial.length).toBe(9 * n);
  });
});
