/**
 * The GPU neighbour list (shaders/neighbors.wgsl): binning in fractional coordinates, count -> scan -> fill, sorted
 * bins, a full list per atom with a fixed number of slots that grows when any atom overflows it.
 *
 * It lives beside the CPU list in src/potential rather than in src/md: the GPU potentials need it, and src/md sits
 * above src/potential (docs/adr/0004-gpu-neighbour-list.md).
 */
import neighborsWgsl from '../../shaders/neighbors.wgsl?raw';
import {
  bindGroup,
  checked,
  compileModule,
  computePipeline,
  readBuffer,
  storageBuffer,
  uniformBuffer,
  workgroups,
} from '../gpu/compute.ts';
import { withCellCommon } from '../gpu/shader-source.ts';
import { type Cell, faceSpacings, inverse3, volume } from '../model/cell.ts';

export interface GpuCellGeometry {
  /** Uniform block CellParams (shaders/common/cell.wgsl), 160 bytes. */
  params: ArrayBuffer;
  nbins: [number, number, number];
  lattice: Float64Array;
}

export const CELL_PARAMS_BYTES = 160;

/**
 * The CellParams block for a cell, or for the bounding box of a free cluster (`cell` null: an orthorhombic box with a
 * margin, pbc off, origin stored in the inverse rows' w).
 */
export function cellGeometry(
  cell: Cell | null,
  positions: ArrayLike<number>,
  listCutoff: number,
  capacity: number,
  follower = false,
): GpuCellGeometry {
  const natoms = positions.length / 3;
  let lattice: Float64Array;
  let pbc: [boolean, boolean, boolean];
  const origin = [0, 0, 0];
  if (cell) {
    lattice = cell.lattice;
    pbc = cell.pbc;
  } else {
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < natoms; i++) {
      for (let d = 0; d < 3; d++) {
        lo[d] = Math.min(lo[d], positions[3 * i + d]);
        hi[d] = Math.max(hi[d], positions[3 * i + d]);
      }
    }
    if (natoms === 0) {
      lo.fill(0);
      hi.fill(0);
    }
    const size = [0, 1, 2].map((d) => hi[d] - lo[d] + 2);
    for (let d = 0; d < 3; d++) origin[d] = lo[d] - 1;
    lattice = Float64Array.from([size[0], 0, 0, 0, size[1], 0, 0, 0, size[2]]);
    pbc = [false, false, false];
  }
  const inv = inverse3(lattice);
  const h = faceSpacings({ lattice, pbc });
  // A follower's long list keeps about a tenth of what bins as wide as its cutoff hold: bins a third as wide scan
  // about a third as many atoms for the same list.
  const binsPerCutoff = follower ? 3 : 1;
  const nb = h.map((hk) => Math.max(1, Math.min(255, Math.floor((binsPerCutoff * hk) / listCutoff))));
  // Keep the grid no larger than a few bins per atom (a sparse cluster would otherwise make a huge, empty grid).
  while (nb[0] * nb[1] * nb[2] > Math.max(64, 4 * natoms)) {
    const k = nb.indexOf(Math.max(...nb));
    nb[k] = Math.max(1, Math.floor(nb[k] / 2));
  }
  const reach = nb.map((n, k) => Math.ceil(listCutoff / (h[k] / n)));
  const buf = new ArrayBuffer(CELL_PARAMS_BYTES);
  const f = new Float32Array(buf);
  const u = new Uint32Array(buf);
  const i = new Int32Array(buf);
  for (let r = 0; r < 3; r++) {
    f.set([lattice[3 * r], lattice[3 * r + 1], lattice[3 * r + 2], 0], 4 * r);
    // column k of the inverse: f_k = sum_d r_d inv[d][k]; w = fractional offset of the origin
    const col = [inv[r], inv[3 + r], inv[6 + r]];
    const offset = -(origin[0] * col[0] + origin[1] * col[1] + origin[2] * col[2]);
    f.set([col[0], col[1], col[2], offset], 12 + 4 * r);
  }
  u.set([nb[0], nb[1], nb[2], nb[0] * nb[1] * nb[2]], 24);
  i.set([reach[0], reach[1], reach[2], 0], 28);
  u.set([pbc[0] ? 1 : 0, pbc[1] ? 1 : 0, pbc[2] ? 1 : 0, 0], 32);
  u[36] = natoms;
  u[37] = capacity;
  f[38] = listCutoff * listCutoff;
  u[39] = follower ? 1 : 0;
  return { params: buf, nbins: nb as [number, number, number], lattice };
}

/** A first guess of list slots per atom from the density (grown on overflow anyway). */
export function estimateCapacity(natoms: number, cell: Cell | null, listCutoff: number): number {
  if (!cell || natoms === 0) return 64;
  const density = natoms / volume(cell);
  return Math.ceil(density * (4 / 3) * Math.PI * listCutoff ** 3 * 1.3) + 16;
}

const KERNELS = ['prepare', 'scan', 'fill', 'sort', 'build', 'reverse', 'request', 'settle'] as const;

/**
 * The words of a list's `overflow` buffer: the largest neighbour count when it exceeded the slots and the entries
 * without a reverse, for the list and then for its follower (which writes into its leader's buffer).
 */
export const OVERFLOW_WORDS = { needed: 0, unpaired: 1, followerNeeded: 2, followerUnpaired: 3 } as const;
export const OVERFLOW_WORD_COUNT = 4;

/**
 * The list's bookkeeping words (u32), shared with the MD engine's kernels (nl_rebuild in shaders/integrate.wgsl):
 * the rebuild gate, rebuilds done, the largest displacement^2 since the build (f32 bits) and the steps since it, the
 * same two for the last complete interval, the stale flag and this step's mark.
 */
export const LIST_WORDS = {
  rebuildNow: 0,
  rebuilds: 1,
  maxDisp2: 2,
  lastMaxDisp2: 3,
  lastSteps: 4,
  steps: 5,
  stale: 6,
  mark: 7,
} as const;
export const LIST_WORD_COUNT = 8;
type Kernel = (typeof KERNELS)[number];
type Pipelines = Record<Kernel, GPUComputePipeline>;

export class GpuNeighborList {
  capacity = 0;
  natoms = 0;
  listCutoff = 0;
  /** How many rebuilds had to grow the list (for tests and diagnostics). */
  regrowths = 0;
  /** Changes whenever the list's buffers are replaced, so users can drop bind groups that name the old ones. */
  generation = 0;
  cellUniform!: GPUBuffer;
  frac!: GPUBuffer;
  nbr!: GPUBuffer;
  nbrCount!: GPUBuffer;
  /** For each list slot i->j, the slot of j->i (the same pair seen from j). */
  reverseSlot!: GPUBuffer;
  private atomBin!: GPUBuffer;
  private binCount!: GPUBuffer;
  private binStart!: GPUBuffer;
  private binAtoms!: GPUBuffer;
  /** The OVERFLOW_WORDS: this list's and its follower's largest count past the slots and unpaired entries. */
  overflow!: GPUBuffer;
  /** The bookkeeping words of LIST_WORDS: the rebuild gate, counts, displacements, the stale flag. */
  rebuildCounter!: GPUBuffer;
  /** Fractional positions at the last build: the MD engine's drifts measure displacements from them. */
  fracRef!: GPUBuffer;
  private groups = new Map<string, GPUBindGroup>();
  /** The rebuild kernels in order with their fixed grids (atoms or bins), set by `configure`. */
  private rebuildGrids: [Kernel, number][] = [];
  private geometry!: GpuCellGeometry;
  private cell: Cell | null = null;
  /**
   * A second list over the same atoms with a longer cutoff (a long-range pair term's), rebuilt whenever this one is:
   * built at the same step with the same skin, so this list's schedule and stale check hold for it too. It raises its
   * overflow in this list's buffer and reads this list's rebuild gate (its own bookkeeping words stay unused).
   */
  follower: { list: GpuNeighborList; extraCutoff: number } | null = null;
  private leader: GpuNeighborList | null = null;

  private constructor(
    readonly device: GPUDevice,
    private readonly pipelines: Pipelines,
  ) {}

  static async create(device: GPUDevice): Promise<GpuNeighborList> {
    const module = await compileModule(device, 'neighbors', withCellCommon(['neighbors.wgsl', neighborsWgsl]));
    const list = await Promise.all(KERNELS.map((k) => computePipeline(device, module, `nl_${k}`)));
    return new GpuNeighborList(device, Object.fromEntries(KERNELS.map((k, n) => [k, list[n]])) as Pipelines);
  }

  /** Sets the system: allocates buffers for `natoms` atoms in `cell` (null: free cluster, boxed around `positions`). */
  configure(cell: Cell | null, positions: ArrayLike<number>, listCutoff: number, capacity?: number): void {
    this.releaseBuffers();
    this.cell = cell;
    this.natoms = positions.length / 3;
    this.listCutoff = listCutoff;
    this.capacity = capacity ?? estimateCapacity(this.natoms, cell, listCutoff);
    this.geometry = cellGeometry(cell, positions, listCutoff, this.capacity, this.leader !== null);
    const d = this.device;
    const n = this.natoms;
    const nbins = this.geometry.nbins[0] * this.geometry.nbins[1] * this.geometry.nbins[2];
    this.cellUniform = uniformBuffer(d, 'cell params', this.geometry.params);
    this.frac = storageBuffer(d, 'fractional positions', 16 * n);
    this.atomBin = storageBuffer(d, 'atom bin', 4 * n);
    this.binCount = storageBuffer(d, 'bin count', 4 * nbins);
    this.binStart = storageBuffer(d, 'bin start', 4 * (nbins + 1));
    this.binAtoms = storageBuffer(d, 'bin atoms', 4 * n);
    this.nbr = storageBuffer(d, 'neighbour list', 8 * n * this.capacity);
    this.nbrCount = storageBuffer(d, 'neighbour count', 4 * n);
    this.reverseSlot = storageBuffer(d, 'reverse slot', this.reverseBytes());
    // OVERFLOW_WORDS (a follower writes its own into its leader's)
    this.overflow = storageBuffer(d, 'overflow', 4 * OVERFLOW_WORD_COUNT);
    this.fracRef = storageBuffer(d, 'fractional positions at build', 16 * n);
    this.rebuildCounter = storageBuffer(d, 'list bookkeeping', 4 * LIST_WORD_COUNT);
    const atoms = workgroups(n, 64);
    this.rebuildGrids = [
      ['prepare', atoms],
      ['scan', 1],
      ['fill', atoms],
      ['sort', workgroups(nbins, 64)],
      ['build', atoms],
      ['reverse', atoms],
    ];
    this.groups.clear();
    this.generation++;
    const f = this.follower;
    // a follower keeps its slots across a new cell, as this list does when the caller passes its capacity
    if (f)
      f.list.configure(
        cell,
        positions,
        listCutoff + f.extraCutoff,
        capacity === undefined ? undefined : f.list.capacity,
      );
  }

  /** A follower's pair term needs no reverse entries (nl_reverse leaves them out): its buffer is a placeholder. */
  private reverseBytes(): number {
    return this.leader ? 4 : 4 * this.natoms * this.capacity;
  }

  /**
   * Makes `list` this list's follower (null: none), `extraCutoff` A beyond this list's cutoff; it is configured and
   * rebuilt with this list from the next `configure` on.
   */
  setFollower(list: GpuNeighborList | null, extraCutoff = 0): void {
    if (this.follower) this.follower.list.leader = null;
    this.follower = list ? { list, extraCutoff } : null;
    if (list) list.leader = this;
  }

  growTo(capacity: number): void {
    this.capacity = capacity;
    new Uint32Array(this.geometry.params)[37] = capacity;
    this.device.queue.writeBuffer(this.cellUniform, 0, this.geometry.params);
    this.nbr.destroy();
    this.nbr = storageBuffer(this.device, 'neighbour list', 8 * this.natoms * capacity);
    this.reverseSlot.destroy();
    this.reverseSlot = storageBuffer(this.device, 'reverse slot', this.reverseBytes());
    this.groups.clear();
    this.generation++;
    this.regrowths++;
  }

  private group(kernel: Kernel, positions: GPUBuffer | null): GPUBindGroup {
    const key = kernel;
    const cached = this.groups.get(key);
    if (cached && this.groupsFor === positions) return cached;
    if (this.groupsFor !== positions) {
      this.groups.clear();
      this.groupsFor = positions;
    }
    const all: Record<number, GPUBuffer | null> = {
      0: this.cellUniform,
      1: positions,
      2: this.frac,
      3: this.atomBin,
      4: this.binCount,
      5: this.binStart,
      6: this.binAtoms,
      7: this.nbr,
      8: this.nbrCount,
      9: (this.leader ?? this).overflow,
      10: this.reverseSlot,
      11: this.fracRef,
      12: (this.leader ?? this).rebuildCounter,
    };
    const used: Record<Kernel, number[]> = {
      prepare: [0, 1, 2, 3, 4, 11, 12],
      scan: [0, 4, 5, 12],
      fill: [0, 3, 4, 5, 6, 12],
      sort: [0, 5, 6, 12],
      build: [0, 2, 5, 6, 7, 8, 9, 12],
      reverse: [0, 4, 7, 8, 9, 10, 12],
      request: [12],
      settle: [12],
    };
    const entries: Record<number, GPUBuffer> = {};
    for (const b of used[kernel]) {
      const buf = all[b];
      if (!buf) throw new Error(`neighbour list kernel ${kernel} needs the positions buffer`);
      entries[b] = buf;
    }
    const g = bindGroup(this.device, this.pipelines[kernel], entries);
    this.groups.set(key, g);
    return g;
  }

  private groupsFor: GPUBuffer | null = null;

  /**
   * The rebuild kernels in order, each on its fixed grid, into an open compute pass: they do nothing unless the gate
   * (LIST_WORDS.rebuildNow) is raised, which the MD engine does at the steps it schedules a rebuild.
   */
  encodeRebuild(pass: GPUComputePassEncoder, positions: GPUBuffer): void {
    for (const [k, groups] of this.rebuildGrids) {
      pass.setPipeline(this.pipelines[k]);
      pass.setBindGroup(0, this.group(k, positions));
      pass.dispatchWorkgroups(groups);
    }
    this.follower?.list.encodeRebuild(pass, positions);
  }

  clearOverflow(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.overflow);
  }

  /** Records a full rebuild from `positions` (vec4f per atom, type bits in w) into `encoder`. */
  encode(encoder: GPUCommandEncoder, positions: GPUBuffer): void {
    encoder.clearBuffer(this.overflow);
    // a fresh list: no displacement, no steps, nothing stale (the rebuild count stays)
    encoder.clearBuffer(this.rebuildCounter, 4 * LIST_WORDS.maxDisp2);
    const pass = encoder.beginComputePass({ label: 'neighbour list' });
    const run = (k: Kernel) => {
      pass.setPipeline(this.pipelines[k]);
      pass.setBindGroup(0, this.group(k, positions));
      pass.dispatchWorkgroups(1);
    };
    // the same gated kernels as in MD, with the gate raised for this build and lowered after it (not counted)
    run('request');
    this.encodeRebuild(pass, positions);
    run('settle');
    pass.end();
  }

  /** Builds the list and waits for it; grows the slots and rebuilds until no atom overflows. */
  async build(positions: GPUBuffer): Promise<void> {
    for (;;) {
      const encoder = this.device.createCommandEncoder({ label: 'neighbour list' });
      await checked(this.device, 'neighbour list', () => {
        this.encode(encoder, positions);
        this.device.queue.submit([encoder.finish()]);
      });
      const words = new Uint32Array(await readBuffer(this.device, this.overflow, 4 * OVERFLOW_WORD_COUNT));
      const follower = this.follower?.list;
      let grown = false;
      if (words[OVERFLOW_WORDS.needed] > this.capacity) {
        this.growTo(Math.ceil(words[OVERFLOW_WORDS.needed] * 1.25) + 8);
        grown = true;
      }
      if (follower && words[OVERFLOW_WORDS.followerNeeded] > follower.capacity) {
        follower.growTo(Math.ceil(words[OVERFLOW_WORDS.followerNeeded] * 1.25) + 8);
        grown = true;
      }
      if (grown) continue;
      const unpaired = words[OVERFLOW_WORDS.unpaired] + words[OVERFLOW_WORDS.followerUnpaired];
      if (unpaired > 0) throw new Error(`neighbour list: ${unpaired} entries have no reverse entry (asymmetric list)`);
      return;
    }
  }

  /** The list as host arrays (for tests): counts and (j, packed shift) pairs. */
  async read(): Promise<{ count: Uint32Array; entries: Uint32Array }> {
    const count = new Uint32Array(await readBuffer(this.device, this.nbrCount, 4 * this.natoms));
    const entries = new Uint32Array(await readBuffer(this.device, this.nbr, 8 * this.natoms * this.capacity));
    return { count, entries };
  }

  get isPeriodic(): boolean {
    return this.cell !== null;
  }

  /** Frees the list's buffers (its follower is its owner's to destroy). */
  destroy(): void {
    this.releaseBuffers();
  }

  private releaseBuffers(): void {
    for (const b of [
      this.cellUniform,
      this.frac,
      this.atomBin,
      this.binCount,
      this.binStart,
      this.binAtoms,
      this.nbr,
      this.nbrCount,
      this.reverseSlot,
      this.overflow,
      this.fracRef,
      this.rebuildCounter,
    ]) {
      b?.destroy();
    }
  }
}

/** Positions as the GPU holds them: vec4f per atom, xyz in A, w = the species type's bits. */
export function packPositions(positions: ArrayLike<number>, types: ArrayLike<number>): Float32Array {
  const n = types.length;
  const out = new Float32Array(4 * n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    out[4 * i] = positions[3 * i];
    out[4 * i + 1] = positions[3 * i + 1];
    out[4 * i + 2] = positions[3 * i + 2];
    bits[4 * i + 3] = types[i];
  }
  return out;
}

export function unpackShift(p: number): [number, number, number] {
  return [(p & 1023) - 512, ((p >>> 10) & 1023) - 512, ((p >>> 20) & 1023) - 512];
}
