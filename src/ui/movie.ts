/**
 * A movie of the view: each display frame the view's canvas is copied onto a canvas of its own with a time label
 * burnt in, and that canvas's stream is recorded with MediaRecorder as WebM (the format every WebGPU browser records).
 */
export class MovieRecorder {
  private recorder: MediaRecorder | null = null;
  private chunks: Blob[] = [];
  private frame = 0;

  constructor(
    private readonly source: HTMLCanvasElement,
    private readonly label: () => string,
  ) {}

  get recording(): boolean {
    return this.recorder !== null;
  }

  start(): void {
    if (this.recorder) return;
    const canvas = document.createElement('canvas');
    canvas.width = this.source.width;
    canvas.height = this.source.height;
    const ctx = canvas.getContext('2d')!;
    const size = Math.max(12, Math.round(canvas.height / 30));
    const draw = () => {
      ctx.fillStyle = '#12151c';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(this.source, 0, 0, canvas.width, canvas.height);
      ctx.font = `${size}px sans-serif`;
      ctx.fillStyle = '#e6e8ee';
      ctx.fillText(this.label(), size, canvas.height - size);
      this.frame = requestAnimationFrame(draw);
    };
    draw();
    const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) =>
      MediaRecorder.isTypeSupported(t),
    );
    this.chunks = [];
    this.recorder = new MediaRecorder(canvas.captureStream(30), type ? { mimeType: type } : {});
    this.recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    };
    this.recorder.start(500);
  }

  /** Stops and returns the movie. */
  stop(): Promise<Blob> {
    const r = this.recorder;
    if (!r) return Promise.reject(new Error('no movie is being recorded'));
    return new Promise((resolve) => {
      r.onstop = () => {
        cancelAnimationFrame(this.frame);
        this.recorder = null;
        resolve(new Blob(this.chunks, { type: r.mimeType || 'video/webm' }));
      };
      r.stop();
    });
  }
}
