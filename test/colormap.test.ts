import { describe, expect, it } from 'vitest';
import { viridis } from '../src/ui/colormap.ts';

const channels = (c: number) => [(c >> 16) & 255, (c >> 8) & 255, c & 255];
/** Relative luminance (sRGB, ITU-R BT.709 weights on linearised channels). */
const luminance = (c: number) => {
  const [r, g, b] = channels(c).map((v) => {
    const x = v / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

describe('viridis colour map', () => {
  it('runs from dark purple to yellow through its standard samples, clamped outside [0, 1]', () => {
    expect(viridis(0)).toBe(0x440154);
    expect(viridis(0.5)).toBe(0x26828e);
    expect(viridis(1)).toBe(0xfde725);
    expect(viridis(-3)).toBe(viridis(0));
    expect(viridis(7)).toBe(viridis(1));
    expect(viridis(Number.NaN)).toBe(viridis(0));
  });
  it('gets brighter all the way (readable in grey and without colour vision)', () => {
    let last = -1;
    for (let t = 0; t <= 1.0001; t += 0.02) {
      const l = luminance(viridis(t));
      expect(l).toBeGreaterThan(last);
      last = l;
    }
  });
});
