import { describe, expect, it } from 'vitest';
import { MdCensus, ps4Census, ps4Problem } from '../src/analysis/ps4.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { CENSUS_SAMPLE_FS, CENSUS_WINDOW_FS, PS_BOND, SS_BOND } from '../src/model/ps4.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';

const bulk = STRUCTURE_PRESETS['beta-li3ps4'].build();
const sOf = (p: number) => {
  const nl = buildNeighborList(bulk.positions, bulk.cell, PS_BOND);
  const out: { j: number; v: number[] }[] = [];
  for (let e = nl.offsets[p]; e < nl.offsets[p + 1]; e++)
    if (bulk.species[bulk.types[nl.index[e]]] === 'S')
      out.push({ j: nl.index[e], v: [0, 1, 2].map((k) => nl.vectors[3 * e + k]) });
  return out;
};
const firstP = [...bulk.types.keys()].find((i) => bulk.species[bulk.types[i]] === 'P')!;

describe('the PS4 census and what it refuses', () => {
  it('the crystal: every P with four S, no S-S pair, no P-P contact, nothing refused', () => {
    const c = ps4Census(bulk);
    expect(c.centres).toBe(4 * (bulk.types.length / 32));
    expect(c.intact).toBe(c.centres);
    expect(c.sulfurBonds).toBe(0);
    expect(c.phosphorusContacts).toBe(0);
    expect(ps4Problem(c)).toBeNull();
    // the shortest pair of the crystal is a P-S bond (about 2.05 A): a floor above it is named
    expect(ps4Problem(c, 2.5)).toMatch(/^a contact of 2\.0\d A$/);
  });

  it('an S pulled off its P breaks one unit; two S of one unit pushed together make one S-S pair', () => {
    const ligands = sOf(firstP);
    expect(ligands).toHaveLength(4);
    const pulled = Float64Array.from(bulk.positions);
    const s0 = ligands[0];
    // move the S outwards along its bond to 1.5 x PS_BOND from the P
    const scale = (1.5 * PS_BOND) / Math.hypot(...s0.v) - 1;
    for (let k = 0; k < 3; k++) pulled[3 * s0.j + k] += scale * s0.v[k];
    const broken = ps4Census(bulk, pulled);
    expect(broken.intact).toBe(broken.centres - 1);
    expect(ps4Problem(broken)).toBe('1 PS4 units broken');

    const pushed = Float64Array.from(bulk.positions);
    const [a, b] = ligands;
    // put S b at 0.9 x SS_BOND from S a, on the side of a's bond (still within PS_BOND of its P)
    const ab = [0, 1, 2].map((k) => b.v[k] - a.v[k]);
    const d = Math.hypot(...ab);
    for (let k = 0; k < 3; k++)
      pushed[3 * b.j + k] = bulk.positions[3 * firstP + k] + a.v[k] + (0.9 * SS_BOND * ab[k]) / d;
    const bonded = ps4Census(bulk, pushed);
    expect(bonded.sulfurBonds).toBe(1);
    expect(ps4Problem(bonded)).toBe('1 S-S pairs');
  });

  it('in MD: a bond stretched past PS_BOND for one frame is a vibration, a bond that stays long is broken', () => {
    const s0 = sOf(firstP)[0];
    // the S at `d` A from its P along its bond
    const at = (d: number) => {
      const x = Float64Array.from(bulk.positions);
      const scale = d / Math.hypot(...s0.v) - 1;
      for (let k = 0; k < 3; k++) x[3 * s0.j + k] += scale * s0.v[k];
      return x;
    };
    const whole = bulk.positions;
    const stretched = at(2.6);
    expect(ps4Census(bulk, stretched).intact).toBe(ps4Census(bulk).centres - 1);
    const run = (frameAt: (t: number) => Float64Array) => {
      const census = new MdCensus(bulk);
      const out: number[] = [];
      for (let t = CENSUS_SAMPLE_FS; t <= 3000; t += CENSUS_SAMPLE_FS) {
        census.add(t, frameAt(t));
        if (t % 1000 === 0) {
          const c = census.take(frameAt(t));
          out.push(c.centres - c.intact);
        }
      }
      return out;
    };
    // one census a picosecond
    expect(run(() => whole)).toEqual([0, 0, 0]);
    // stretched in one frame of each window (its mean bond 2.08 A): whole
    expect(run((t) => (t % 1000 === 960 ? stretched : whole))).toEqual([0, 0, 0]);
    // stretched through the second picosecond's window: broken there only
    const window = (t: number) => t > 2000 - CENSUS_WINDOW_FS && t <= 2000;
    expect(run((t) => (window(t) ? stretched : whole))).toEqual([0, 1, 0]);
    // stretched outside every window: not seen
    expect(run((t) => (t % 1000 === 500 ? at(3.5) : whole))).toEqual([0, 0, 0]);
  });
});
