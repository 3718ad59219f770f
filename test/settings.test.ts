import { describe, expect, it } from 'vitest';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS } from '../src/structure/gb/presets.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';
import { DEFAULT_SETTINGS, parseCells, settingsFromUrl, settingsToUrl } from '../src/ui/settings.ts';

describe('lab settings in the URL', () => {
  it('round-trips every setting, the size included', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      preset: 'sigma3-110-111',
      cells: { a: 2, b: 1, c: 3 },
      temperature: 1200,
      thermostat: 'nhc' as const,
    };
    expect(settingsFromUrl(settingsToUrl(s))).toEqual(s);
    const block = { ...s, kernel: 'block' as const };
    expect(settingsFromUrl(settingsToUrl(block))).toEqual(block);
    // the default kernel is no setting at all, and a name that is not a kernel is dropped
    expect(settingsToUrl(s)).not.toContain('kernel');
    expect(settingsFromUrl('?kernel=fastest').kernel).toBeUndefined();
  });

  it('falls back to 1x1x1 for malformed or oversized repeats', () => {
    for (const bad of [null, '', '2x2', '0x1x1', '5x1x1', 'axbxc', '1x1x1x1'])
      expect(parseCells(bad)).toEqual(DEFAULT_SETTINGS.cells);
    expect(parseCells('4x3x2')).toEqual({ a: 4, b: 3, c: 2 });
  });

  it('sizes presets: bulk repeats its cell, a bicrystal grows in plane and per grain', () => {
    const bulk = STRUCTURE_PRESETS['beta-li3ps4'];
    expect(bulk.build({ a: 2, b: 1, c: 3 }).types.length).toBe(32 * 6);
    const gb = STRUCTURE_PRESETS['sigma5-001-120'];
    const one = gb.build();
    const two = gb.build({ a: 1, b: 1, c: 2 });
    const wide = gb.build({ a: 2, b: 1, c: 1 });
    // thicker grains move the boundaries apart; the spacing at each boundary (the scanned gap) stays as it is
    const gap = GB_PRESETS.find((p) => p.id === 'sigma5-001-120')!.translation.gap;
    expect(two.cell.lattice[8]).toBeCloseTo(2 * one.cell.lattice[8] - 2 * gap, 6);
    expect(wide.types.length).toBe(2 * one.types.length);
    // whole units: the same bodies are removed at each boundary, however thick the grains, so the thicker cell is
    // twice the raw bicrystal less the one-cell build's removals
    const p = GB_PRESETS.find((q) => q.id === 'sigma5-001-120')!;
    const raw = buildBicrystal(betaLi3PS4Standard(), { ...p.spec, cut: 'raw' }).structure.types.length;
    expect(raw).toBeGreaterThan(one.types.length);
    expect(two.types.length).toBe(2 * raw - (raw - one.types.length));
  });
});
