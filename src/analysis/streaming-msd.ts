/**
 * MSD for runs of any length in bounded memory: a multiple-tau ("order-n") correlator on positions. Level 0 keeps the
 * last B frames and gives lags 1..B frames from every origin; level k keeps B frames sampled every B^k frames and gives
 * lags B^k..B^(k+1) (exact values at those lags, averaged over origins spaced B^k apart). Memory: levels x B x 3N
 * numbers; work per frame about (B + 1) x 3N.
 * Ref: Frenkel & Smit, Understanding Molecular Simulation, 2nd ed., sec. 4.4.2; Dubbeldam et al., Mol. Sim. 35 (2009).
 */
export class StreamingMsd {
  private readonly buffers: Float64Array[][] = [];
  private readonly sums: Float64Array[] = []; // per level: B lags x 3 axes
  private readonly counts: Float64Array[] = [];
  private frames = 0;

  constructor(
    readonly atoms: number,
    readonly blockSize = 16,
    readonly levels = 8,
  ) {
    for (let l = 0; l < levels; l++) {
      this.buffers.push([]);
      this.sums.push(new Float64Array(3 * blockSize));
      this.counts.push(new Float64Array(blockSize));
    }
  }

  /** Memory held, bytes (for the bench). */
  get bytes(): number {
    return this.levels * this.blockSize * 3 * this.atoms * 8 + this.levels * this.blockSize * 4 * 8;
  }

  /** Adds one frame: unwrapped positions of the selected atoms (3 x atoms). */
  push(positions: Float64Array): void {
    const B = this.blockSize;
    for (let l = 0; l < this.levels; l++) {
      if (this.frames % B ** l !== 0) break;
      const buf = this.buffers[l];
      const sums = this.sums[l];
      const counts = this.counts[l];
      // lag (j + 1) B^l against the j-th newest stored frame
      for (let j = 0; j < buf.length; j++) {
        const old = buf[buf.length - 1 - j];
        let sx = 0;
        let sy = 0;
        let sz = 0;
        for (let k = 0; k < positions.length; k += 3) {
          const dx = positions[k] - old[k];
          const dy = positions[k + 1] - old[k + 1];
          const dz = positions[k + 2] - old[k + 2];
          sx += dx * dx;
          sy += dy * dy;
          sz += dz * dz;
        }
        sums[3 * j] += sx;
        sums[3 * j + 1] += sy;
        sums[3 * j + 2] += sz;
        counts[j] += 1;
      }
      buf.push(Float64Array.from(positions));
      if (buf.length > B) buf.shift();
    }
    this.frames++;
  }

  /** Lags (in frames) with data, and the per-axis MSD (A^2) averaged over atoms and origins. */
  result(): { lagFrames: number[]; x: number[]; y: number[]; z: number[]; origins: number[] } {
    const out = {
      lagFrames: [] as number[],
      x: [] as number[],
      y: [] as number[],
      z: [] as number[],
      origins: [] as number[],
    };
    const B = this.blockSize;
    for (let l = 0; l < this.levels; l++) {
      for (let j = 0; j < B; j++) {
        const lag = (j + 1) * B ** l;
        const c = this.counts[l][j];
        // lower levels already cover lags up to B; a level repeats those lags of the level below with fewer origins
        if (c === 0 || (l > 0 && lag <= B ** l)) continue;
        out.lagFrames.push(lag);
        out.x.push(this.sums[l][3 * j] / (c * this.atoms));
        out.y.push(this.sums[l][3 * j + 1] / (c * this.atoms));
        out.z.push(this.sums[l][3 * j + 2] / (c * this.atoms));
        out.origins.push(c);
      }
    }
    return out;
  }
}
