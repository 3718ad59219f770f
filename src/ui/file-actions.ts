/** The page's file hand-offs: downloads, plot images, and file pickers (hidden inputs the tests can fill). */
import type uPlot from 'uplot';

export function download(doc: Document, name: string, content: string | Blob): void {
  const blob = typeof content === 'string' ? new Blob([content], { type: 'text/plain' }) : content;
  const a = doc.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The page's background, behind an exported plot (the plots are drawn for it). */
const PLOT_BACKGROUND = '#12151c';

/**
 * A plot as a PNG blob that stands on its own: the page's background, the title, the plot with its axes (uPlot draws
 * them on its canvas) and a legend of every series with its colour and dash (uPlot keeps those in the page).
 */
export function plotPng(plot: uPlot): Blob {
  const src = plot.ctx.canvas;
  const series = plot.series.slice(1).filter((s) => s.show !== false);
  const dpr = src.width / Math.max(1, src.clientWidth || src.width);
  const head = Math.round(28 * dpr);
  const foot = Math.round((18 * Math.ceil(series.length / 3) + 10) * dpr);
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height + head + foot;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = PLOT_BACKGROUND;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#e6e9ef';
  ctx.font = `${Math.round(14 * dpr)}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.fillText(plot.root.querySelector('.u-title')?.textContent ?? '', out.width / 2, Math.round(19 * dpr));
  ctx.drawImage(src, 0, head);
  ctx.textAlign = 'left';
  ctx.font = `${Math.round(12 * dpr)}px sans-serif`;
  const colW = out.width / 3;
  series.forEach((s, k) => {
    const x = (k % 3) * colW + 10 * dpr;
    const y = src.height + head + (Math.floor(k / 3) * 18 + 14) * dpr;
    const stroke = typeof s.stroke === 'function' ? s.stroke(plot, k + 1) : s.stroke;
    ctx.strokeStyle = typeof stroke === 'string' ? stroke : '#e6e9ef';
    ctx.lineWidth = 2 * dpr;
    ctx.setLineDash((s.dash ?? []).map((d) => d * dpr));
    ctx.beginPath();
    ctx.moveTo(x, y - 4 * dpr);
    ctx.lineTo(x + 22 * dpr, y - 4 * dpr);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#e6e9ef';
    ctx.fillText(String(s.label ?? ''), x + 28 * dpr, y);
  });
  const url = out.toDataURL('image/png');
  const bytes = atob(url.split(',')[1]);
  return new Blob([Uint8Array.from(bytes, (c) => c.charCodeAt(0))], { type: 'image/png' });
}

/** Files chosen in a hidden input of that id (made once): one, or several with `multiple`. */
export function pickFiles(doc: Document, accept: string, id: string, multiple = true): Promise<File[]> {
  let input = doc.getElementById(id) as HTMLInputElement | null;
  if (!input) {
    input = doc.createElement('input');
    input.type = 'file';
    input.id = id;
    input.accept = accept;
    input.multiple = multiple;
    input.hidden = true;
    doc.body.appendChild(input);
  }
  const el = input;
  return new Promise((resolve) => {
    el.onchange = () => resolve([...(el.files ?? [])]);
    el.click();
  });
}

export function pickFile(doc: Document, accept: string, id: string): Promise<File | null> {
  return pickFiles(doc, accept, id, false).then((f) => f[0] ?? null);
}

/**
 * A file named by a URL (relative to the page), as a File named like the URL's last part; `suffix` is added when the
 * name lacks it (a potential's type is known from its parameter, not its name). A failed fetch says its HTTP status.
 */
export async function fetchFile(ref: string, suffix = ''): Promise<File> {
  const url = new URL(ref, location.href);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url.href}`);
  // a static host that answers every path with its start page (a single-page fallback) has no such file
  if (/text\/html/.test(res.headers.get('content-type') ?? '') && !/\.html?$/.test(url.pathname))
    throw new Error(`not found: ${url.href} answers with a web page, not a file`);
  const base = decodeURIComponent(url.pathname.split('/').pop() || 'shared');
  const name = suffix && !base.endsWith(suffix) ? `${base}${suffix}` : base;
  return new File([await res.text()], name);
}
