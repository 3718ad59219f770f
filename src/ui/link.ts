/**
 * The page's link: the settings (ui/settings.ts), the files a shared link names (?potential=URL, ?structure=URL,
 * kept as the settings change) and the camera (cam=, once the link came with one or the user moved it, until a new
 * cell is framed afresh). `save` rewrites the address without a reload.
 */
import type { Report } from './messages.ts';
import { type CameraView, formatCamera, type LabSettings, parseCamera, settingsToUrl } from './settings.ts';
import type { Viewport } from './viewport.ts';

export type SharedFile = 'potential' | 'structure';

export class Link {
  private readonly query: URLSearchParams;
  /** The files the link names, the potential first (a structure then runs with it). */
  readonly files: { kind: SharedFile; ref: string }[];
  private camera: CameraView | null = null;

  constructor(
    search: string,
    private readonly settings: LabSettings,
    private readonly viewport: Viewport,
    report: Report,
  ) {
    this.query = new URLSearchParams(search);
    this.files = (['potential', 'structure'] as const)
      .filter((k) => this.query.get(k))
      .map((kind) => ({ kind, ref: this.query.get(kind)! }));
    try {
      this.camera = parseCamera(this.query.get('cam'));
      if (this.camera) viewport.setView(this.camera);
    } catch (err) {
      report((err as Error).message);
    }
    viewport.onViewChange(() => {
      this.camera = viewport.view;
      this.save();
    });
  }

  save(): void {
    const url = new URL(settingsToUrl(this.settings), location.href);
    for (const f of this.files) url.searchParams.set(f.kind, f.ref);
    if (this.camera) url.searchParams.set('cam', formatCamera(this.camera));
    history.replaceState(null, '', `${url.pathname}${url.search}`);
  }

  /** Runs `restart`; when it framed a new cell, the link's camera is dropped. */
  async around(restart: () => Promise<void>): Promise<void> {
    const before = formatCamera(this.viewport.view);
    await restart();
    if (formatCamera(this.viewport.view) !== before) this.camera = null;
    this.save();
  }
}
