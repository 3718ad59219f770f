/**
 * Colours of the per-atom colourings and their legend. Continuous quantities use viridis (perceptually uniform,
 * readable in grey and with the common colour-vision deficiencies; van der Walt and Smith, matplotlib, 2015),
 * linear between its standard samples at ninths; categories use Okabe-Ito colours (analysis/figures.ts).
 */
import { OKABE_ITO } from '../analysis/figures.ts';

/** viridis at t = 0, 1/8, ..., 1. */
const VIRIDIS = [0x440154, 0x482878, 0x3e4a89, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xfde725];

/** viridis at t in [0, 1] (clamped), as 0xRRGGBB. */
export function viridis(t: number): number {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - k;
  const [a, b] = [VIRIDIS[k], VIRIDIS[k + 1]];
  const mix = (shift: number) => Math.round(((a >> shift) & 255) * (1 - f) + ((b >> shift) & 255) * f);
  return (mix(16) << 16) | (mix(8) << 8) | mix(0);
}

const hex = (c: number) => `#${c.toString(16).padStart(6, '0')}`;

/** Li at a boundary (within BOUNDARY_REGION of a plane) and the others. */
export const REGION_COLOURS = {
  boundary: Number.parseInt(OKABE_ITO[6].slice(1), 16),
  bulk: Number.parseInt(OKABE_ITO[2].slice(1), 16),
};

/** The range each continuous colouring spans (values beyond take the end colours). */
export const COLOUR_SCALES = {
  displacement: { quantity: 'Li displacement since the start', unit: 'A', min: 0, max: 4 },
  grade: { quantity: 'extrapolation grade (<= 1: inside the training data)', unit: '', min: 0, max: 3 },
} as const;

/** Fills `el` with the legend of a colouring: a colour bar with its quantity, unit and range, or category chips. */
export function renderColourLegend(el: HTMLElement, mode: 'species' | 'displacement' | 'region' | 'grade'): void {
  const doc = el.ownerDocument;
  el.replaceChildren();
  el.hidden = mode === 'species';
  if (mode === 'species') return;
  if (mode === 'region') {
    for (const [label, c] of [
      ['Li within 3 A of a boundary', REGION_COLOURS.boundary],
      ['other Li', REGION_COLOURS.bulk],
    ] as const) {
      const chip = doc.createElement('span');
      chip.className = 'chip';
      chip.style.background = hex(c);
      el.append(chip, doc.createTextNode(` ${label} `));
    }
    return;
  }
  const s = COLOUR_SCALES[mode];
  const title = doc.createElement('div');
  title.textContent = `${s.quantity}${s.unit ? ` (${s.unit})` : ''}`;
  const bar = doc.createElement('div');
  bar.className = 'bar';
  bar.style.background = `linear-gradient(to right, ${VIRIDIS.map(hex).join(', ')})`;
  const ends = doc.createElement('div');
  ends.className = 'ends';
  ends.append(
    Object.assign(doc.createElement('span'), { textContent: String(s.min) }),
    Object.assign(doc.createElement('span'), { textContent: `${s.max}+` }),
  );
  el.append(title, bar, ends);
}
