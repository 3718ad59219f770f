/**
 * The page's two loops: drawing at the display's rate (only when something changed, or now and again for looks that
 * change without marking anything), and MD batches one after the other while playing (a look once per frame when
 * paused, for queued commands). The frame rate and the render path are shown and mirrored for tests.
 */
import type { Lab } from './lab.ts';
import type { Report } from './messages.ts';
import type { Picker } from './picking.ts';
import type { StatusLine } from './status-line.ts';

/** Looks that change without marking the view dirty (colours, radii) are drawn within this, ms. */
const REDRAW_MS = 500;
/** The frame rate is measured over this, ms. */
const FPS_WINDOW_MS = 2000;

export function startLoops(lab: Lab, picker: Picker, status: StatusLine, report: Report, onGpu: boolean): void {
  const doc = document;
  // which path positions take to the screen, and the frame rate it gives
  const renderPath = onGpu
    ? 'WebGL2, positions by one batched readback per frame'
    : 'WebGL2, positions from the CPU engine';
  doc.body.dataset.renderPath = renderPath;
  const fps = { frames: 0, t: performance.now(), drawn: 0 };
  const draw = () => {
    const now0 = performance.now();
    if (lab.render(now0 - fps.drawn > REDRAW_MS)) {
      fps.drawn = now0;
      picker.refresh();
    }
    fps.frames++;
    const now = performance.now();
    if (now - fps.t > FPS_WINDOW_MS) {
      const value = (fps.frames * 1000) / (now - fps.t);
      doc.body.dataset.fps = value.toFixed(1);
      doc.body.dataset.batchSteps = String(lab.batchSteps);
      status.render(`${renderPath} | ${value.toFixed(0)} fps | ${lab.batchSteps} MD steps per batch`);
      fps.frames = 0;
      fps.t = now;
    }
    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
  const pump = () => {
    void lab
      .tick()
      .catch((e) => report((e as Error).message))
      .finally(() => (lab.playing ? setTimeout(pump, 0) : requestAnimationFrame(pump)));
  };
  pump();
}
