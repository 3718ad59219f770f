import { describe, expect, it } from 'vitest';
import { DEFAULT_POTENTIAL } from '../src/cli/default-potential.ts';
import { loadPotential } from '../src/cli/files.ts';
import { scanTranslations } from '../src/md/gb-scan.ts';
import { MAX_GRAIN_FIELD } from '../src/model/ps4.ts';
import { LI_P_S } from '../src/model/species.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS } from '../src/structure/gb/presets.ts';

describe('translation scan of a boundary', () => {
  it('chooses the lowest relaxed candidate among those whose grains stay under the field limit', async () => {
    const potential = loadPotential(DEFAULT_POTENTIAL);
    const crystal = betaLi3PS4Standard();
    const { spec } = GB_PRESETS.find((p) => p.id === 'sigma5-010-201')!;
    const options = {
      species: LI_P_S,
      grid: 4,
      gaps: [0, 0.5],
      screenSteps: 5,
      relaxTop: 2,
      fmax: 0.2,
      maxSteps: 60,
      minDistance: potential.model.minDist,
    };
    const free = await scanTranslations(potential.cpu(), crystal, spec, { ...options, maxGrainField: Infinity });
    expect(free.candidates).toHaveLength(32);
    for (const c of free.candidates.slice(0, 3)) {
      const built = buildBicrystal(crystal, { ...spec, cut: 'units', shift: c.shift, gap: c.gap }).report;
      expect(c.grainFields).toEqual(built.grainFields);
    }
    const field = (c: { grainFields: number[] }) => Math.max(...c.grainFields.map(Math.abs));
    // a limit just under the free choice's field: the scan must pass it over for a candidate under the limit
    const limit = field(free.best) - 1e-9;
    if (!free.candidates.some((c) => field(c) < limit && c.screenGbEnergy !== null))
      throw new Error('every candidate has the field of the free choice: the test needs another boundary');
    const held = await scanTranslations(potential.cpu(), crystal, spec, { ...options, maxGrainField: limit });
    expect(field(held.best)).toBeLessThan(limit);
    expect(held.best.shift).not.toEqual(free.best.shift);
    const ranked = held.candidates.filter((c) => c.relaxed && field(c) < limit);
    for (const c of ranked) expect(held.best.relaxed!.gbEnergy).toBeLessThanOrEqual(c.relaxed!.gbEnergy);
    // the lab's limit is the default, and nothing at all under a limit is refused, saying why
    const few = { ...options, grid: 2, gaps: [0] };
    const lab = await scanTranslations(potential.cpu(), crystal, spec, few);
    expect(field(lab.best)).toBeLessThan(MAX_GRAIN_FIELD);
    await expect(scanTranslations(potential.cpu(), crystal, spec, { ...few, maxGrainField: 0 })).rejects.toThrow(
      /formal-charge field/,
    );
  }, 600_000);
});
