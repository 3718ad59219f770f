/** The page's file hand-offs: downloads, plot images, and file pickers (hidden inputs the tests can fill). */

export function download(doc: Document, name: string, content: string | Blob): void {
  const blob = typeof content === 'string' ? new Blob([content], { type: 'text/plain' }) : content;
  const a = doc.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** A plot's canvas as a PNG blob (uPlot draws on one canvas). */
export function plotPng(plot: { ctx: CanvasRenderingContext2D }): Blob {
  const url = plot.ctx.canvas.toDataURL('image/png');
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
