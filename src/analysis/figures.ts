/**
 * Figures as standalone SVG text: the study's report writes them to files and the page's Study view puts the same
 * text in the document, so a figure looks the same wherever it is read. Colours are Okabe-Ito (distinguishable with
 * the common colour-vision deficiencies), and series differ by dash and marker too.
 */

/** Okabe & Ito, "Color Universal Design" (2008): black, orange, sky blue, bluish green, yellow, blue, vermillion, purple. */
export const OKABE_ITO = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'];
/**
 * Per-axis colours and dashes of every figure and live plot: x, y, z, total. `color` is for a white background (the
 * report), `onDark` for the page's dark plots (Okabe-Ito's black and blue vanish there: light grey and sky blue).
 * Dashes (lengths in px) tell the series apart without colour.
 */
export const AXIS_STYLE = {
  x: { color: OKABE_ITO[6], onDark: OKABE_ITO[6], dash: [6, 3], label: 'x' },
  y: { color: OKABE_ITO[5], onDark: OKABE_ITO[2], dash: [2, 2], label: 'y' },
  z: { color: OKABE_ITO[3], onDark: OKABE_ITO[3], dash: [8, 3, 2, 3], label: 'z' },
  total: { color: OKABE_ITO[0], onDark: '#dddddd', dash: [] as number[], label: 'total' },
} as const;

export interface FigurePoint {
  x: number;
  y: number;
  /** 1-sigma half-width in y (drawn as a bar), in data units. */
  yError?: number;
  /** Marker label (e.g. a boundary's name in a scatter plot). */
  label?: string;
}

export interface FigureSeries {
  label: string;
  points: FigurePoint[];
  color: string;
  /** Dash and gap lengths, px (none: solid). */
  dash?: readonly number[];
  /** Draw a line through the points (default) or markers only. */
  line?: boolean;
  markers?: boolean;
}

export interface FigureSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: FigureSeries[];
  /** Plot y as log10 (values must be positive; others are left out). */
  yLog?: boolean;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `n` round tick values spanning [lo, hi]. */
function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(0) : String(v));

/** A line/scatter plot with error bars, axes, ticks, a legend and a white background. */
export function svgFigure(spec: FigureSpec): string {
  const W = spec.width ?? 560;
  const H = spec.height ?? 360;
  const m = { l: 64, r: 16, t: 34, b: 48 };
  const ty = (y: number) => (spec.yLog ? (y > 0 ? Math.log10(y) : Number.NaN) : y);
  const pts = spec.series.flatMap((s) =>
    s.points.flatMap((p) => {
      const e = p.yError ?? 0;
      return [
        { x: p.x, y: ty(p.y) },
        { x: p.x, y: ty(p.y + e) },
        ...(e > 0 && (!spec.yLog || p.y - e > 0) ? [{ x: p.x, y: ty(p.y - e) }] : []),
      ];
    }),
  );
  const good = pts.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  let [x0, x1] = good.length ? [Math.min(...good.map((p) => p.x)), Math.max(...good.map((p) => p.x))] : [0, 1];
  let [y0, y1] = good.length ? [Math.min(...good.map((p) => p.y)), Math.max(...good.map((p) => p.y))] : [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const padX = 0.04 * (x1 - x0);
  const padY = 0.06 * (y1 - y0);
  [x0, x1, y0, y1] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(spec.title)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`,
  ];
  for (const t of ticks(x0, x1)) {
    out.push(
      `<line x1="${px(t)}" y1="${H - m.b}" x2="${px(t)}" y2="${H - m.b + 4}" stroke="#444"/>`,
      `<text x="${px(t)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of ticks(y0, y1)) {
    out.push(
      `<line x1="${m.l - 4}" y1="${py(t)}" x2="${m.l}" y2="${py(t)}" stroke="#444"/>`,
      `<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLog ? `log10 ${spec.yLabel}` : spec.yLabel)}</text>`,
  );
  for (const s of spec.series) {
    const shown = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(ty(p.y)));
    const dash = s.dash?.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
    if (s.line !== false && shown.length > 1) {
      const d = shown.map((p, k) => `${k ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(ty(p.y)).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${dash}/>`);
    }
    for (const p of shown) {
      const e = p.yError ?? 0;
      if (e > 0) {
        const hi = py(ty(p.y + e));
        const lo = !spec.yLog || p.y - e > 0 ? py(ty(p.y - e)) : H - m.b;
        out.push(
          `<line x1="${px(p.x)}" y1="${lo}" x2="${px(p.x)}" y2="${hi}" stroke="${s.color}" stroke-width="1.2"/>`,
        );
      }
      if (s.markers ?? s.line === false)
        out.push(`<circle cx="${px(p.x)}" cy="${py(ty(p.y))}" r="3.5" fill="${s.color}"/>`);
      if (p.label) out.push(`<text x="${px(p.x) + 6}" y="${py(ty(p.y)) - 6}" font-size="10">${esc(p.label)}</text>`);
    }
  }
  spec.series.forEach((s, k) => {
    const y = m.t + 14 + 16 * k;
    const dash = s.dash?.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
    out.push(
      `<line x1="${W - m.r - 120}" y1="${y - 4}" x2="${W - m.r - 96}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${W - m.r - 90}" y="${y}">${esc(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
