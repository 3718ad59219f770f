/**
 * The three.js view: instanced spheres per species (Jmol colours), the periodic cell, translucent grain-boundary
 * planes, orbit controls and an axis triad. Positions arrive once per frame as one array (the batched readback of the
 * MD engine) and go straight into the instance matrices: no per-atom JavaScript objects.
 */

import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { boundaryPlanes } from '../model/boundary-planes.ts';
import { inverse3 } from '../model/cell.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import { PS_BOND } from '../model/ps4.ts';
import { element } from '../model/species.ts';
import { BOUNDARY_REGION, type Structure } from '../model/structure.ts';
import { COLOUR_SCALES, REGION_COLOURS, viridis } from './colormap.ts';
import type { CameraView } from './settings.ts';

/** Frames kept for Li trails. */
const TRAIL = 40;

export type ColorMode = 'species' | 'displacement' | 'region' | 'grade';

export class Viewport {
  readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly perspective: THREE.PerspectiveCamera;
  private readonly orthographic = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.1, 2000);
  /** The camera drawing now: the perspective one, or the orthographic one ('o'). */
  private camera: THREE.PerspectiveCamera | THREE.OrthographicCamera;
  private readonly controls: OrbitControls;
  private readonly group = new THREE.Group();
  private meshes: { mesh: THREE.InstancedMesh; atoms: Int32Array; species: string }[] = [];
  private structure: Structure | null = null;
  private inv: Float64Array = new Float64Array(9);
  private first: Float64Array | null = null;
  private last: Float64Array | null = null;
  private readonly raycaster = new THREE.Raycaster();
  /** Picked atoms (at most two), drawn with a ring; set with `pick`. */
  private picked: number[] = [];
  private marks: THREE.InstancedMesh | null = null;
  private readonly matrix = new THREE.Matrix4();
  private readonly color = new THREE.Color();
  colorMode: ColorMode = 'species';
  /** PS4 tetrahedra (each P with its four nearest S) drawn as translucent solids. */
  showTetrahedra = true;
  /** Recent Li paths (the last TRAIL frames). */
  showTrails = false;
  private tetra: { p: number; s: number[] }[] = [];
  private tetraMesh: THREE.Mesh | null = null;
  private trailLines: THREE.LineSegments | null = null;
  private trail: Float64Array[] = [];
  private liAtoms: number[] = [];
  /** Per-atom extrapolation grades for the 'grade' colouring (empty: none known yet). */
  grades: Float64Array = new Float64Array(0);
  radiusScale = 1;

  constructor(private readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
    this.renderer.setClearColor(0x12151c);
    container.appendChild(this.renderer.domElement);
    this.perspective = new THREE.PerspectiveCamera(40, 1, 0.1, 2000);
    this.camera = this.perspective;
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener('change', () => {
      this.dirty = true;
    });
    this.controls.addEventListener('end', () => this.viewChanged());
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.55));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(1, 2, 3);
    this.scene.add(sun);
    this.scene.add(this.group);
    const axes = new THREE.AxesHelper(3);
    axes.position.set(-2, -2, -2);
    this.scene.add(axes);
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  private resize(): void {
    this.dirty = true;
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.perspective.aspect = w / h;
    this.perspective.updateProjectionMatrix();
    this.fitOrthographic();
  }

  /** The orthographic frustum that shows at the orbit target what the perspective camera shows there. */
  private fitOrthographic(): void {
    const o = this.orthographic;
    const dist = this.camera.position.distanceTo(this.controls.target);
    const h = 2 * dist * Math.tan(THREE.MathUtils.degToRad(this.perspective.fov / 2));
    const w = h * this.perspective.aspect;
    o.left = -w / 2;
    o.right = w / 2;
    o.top = h / 2;
    o.bottom = -h / 2;
    o.zoom = 1;
    o.updateProjectionMatrix();
  }

  get isOrthographic(): boolean {
    return this.camera === this.orthographic;
  }

  /** Switches between perspective and orthographic projection, keeping the view's position and direction. */
  setOrthographic(on: boolean): void {
    if (on === this.isOrthographic) return;
    this.dirty = true;
    const next = on ? this.orthographic : this.perspective;
    next.position.copy(this.camera.position);
    next.quaternion.copy(this.camera.quaternion);
    if (on) this.fitOrthographic();
    this.camera = next;
    this.controls.object = next;
    this.controls.update();
    this.viewChanged();
  }

  /**
   * The camera as numbers a URL can carry: position and orbit target (A) and the projection; `setView` restores it.
   */
  get view(): CameraView {
    return {
      position: this.camera.position.toArray(),
      target: this.controls.target.toArray(),
      orthographic: this.isOrthographic,
    };
  }

  setView(v: CameraView): void {
    this.dirty = true;
    this.controls.target.set(v.target[0], v.target[1], v.target[2]);
    this.camera.position.set(v.position[0], v.position[1], v.position[2]);
    this.controls.update();
    this.setOrthographic(v.orthographic);
    if (v.orthographic) this.fitOrthographic();
  }

  /**
   * Calls `fn` after the camera was moved (orbit, zoom or pan by the user; a view along an axis; the projection
   * switched), once the moves have paused for `ms`.
   */
  onViewChange(fn: () => void, ms = 500): void {
    let timer: ReturnType<typeof setTimeout> | null = null;
    this.viewListeners.push(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(fn, ms);
    });
  }

  private readonly viewListeners: (() => void)[] = [];

  private viewChanged(): void {
    for (const f of this.viewListeners) f();
  }

  /**
   * The atom under a point of the page (client pixels), nearest the camera; null where the ray meets none.
   */
  atomAt(clientX: number, clientY: number): number | null {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    this.raycaster.setFromCamera(ndc, this.camera);
    const hits = this.raycaster.intersectObjects(
      this.meshes.map((m) => m.mesh),
      false,
    );
    for (const hit of hits) {
      const entry = this.meshes.find((m) => m.mesh === hit.object);
      if (entry && hit.instanceId !== undefined) return entry.atoms[hit.instanceId];
    }
    return null;
  }

  /** Marks the picked atoms (at most two; empty clears). */
  pick(atoms: number[]): void {
    this.dirty = true;
    this.picked = atoms.slice(0, 2);
    this.updateMarks();
  }

  /** The structure drawn, its first frame and the latest one (unwrapped), for what the page says about an atom. */
  get frames(): { structure: Structure; start: Float64Array; current: Float64Array } | null {
    if (!this.structure || !this.first || !this.last) return null;
    return { structure: this.structure, start: this.first, current: this.last };
  }

  private updateMarks(): void {
    const marks = this.marks;
    if (!marks || !this.last) return;
    const p = [0, 0, 0];
    this.picked.forEach((i, k) => {
      this.fold(this.last!, i, p);
      this.matrix.makeTranslation(p[0], p[1], p[2]);
      marks.setMatrixAt(k, this.matrix);
    });
    marks.count = this.picked.length;
    marks.instanceMatrix.needsUpdate = true;
  }

  setStructure(s: Structure): void {
    this.dirty = true;
    this.group.clear();
    for (const m of this.meshes) m.mesh.geometry.dispose();
    this.meshes = [];
    const sameCell = this.structure?.cell.lattice.every((x, k) => x === s.cell.lattice[k]) ?? false;
    this.structure = s;
    this.first = null;
    this.last = null;
    this.picked = [];
    // a wire sphere around each picked atom, drawn over everything
    this.marks = new THREE.InstancedMesh(
      new THREE.SphereGeometry(1.1, 12, 8),
      new THREE.MeshBasicMaterial({ color: 0xffe066, wireframe: true, depthTest: false }),
      2,
    );
    this.marks.count = 0;
    this.marks.renderOrder = 10;
    this.group.add(this.marks);
    this.inv = inverse3(s.cell.lattice);
    const L = s.cell.lattice;
    s.species.forEach((sym, t) => {
      const atoms = Int32Array.from(Array.from(s.types.keys()).filter((i) => s.types[i] === t));
      if (atoms.length === 0) return;
      const el = element(sym);
      const geo = new THREE.SphereGeometry(el.drawRadius * this.radiusScale, 14, 10);
      const mat = new THREE.MeshStandardMaterial({ color: 0xffffff, roughness: 0.5, metalness: 0.05 });
      const mesh = new THREE.InstancedMesh(geo, mat, atoms.length);
      mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
      for (let k = 0; k < atoms.length; k++) mesh.setColorAt(k, this.color.setHex(el.color));
      this.group.add(mesh);
      this.meshes.push({ mesh, atoms, species: sym });
    });
    // the cell's 12 edges
    const corner = (a: number, b: number, c: number) =>
      new THREE.Vector3(a * L[0] + b * L[3] + c * L[6], a * L[1] + b * L[4] + c * L[7], a * L[2] + b * L[5] + c * L[8]);
    const pts: THREE.Vector3[] = [];
    for (const [p, q] of [
      [
        [0, 0, 0],
        [1, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 1, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 1],
      ],
      [
        [1, 1, 0],
        [0, 1, 0],
      ],
      [
        [1, 1, 0],
        [1, 0, 0],
      ],
      [
        [1, 1, 0],
        [1, 1, 1],
      ],
      [
        [1, 0, 1],
        [0, 0, 1],
      ],
      [
        [1, 0, 1],
        [1, 1, 1],
      ],
      [
        [1, 0, 1],
        [1, 0, 0],
      ],
      [
        [0, 1, 1],
        [0, 0, 1],
      ],
      [
        [0, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 1, 1],
        [0, 1, 0],
      ],
    ] as const) {
      pts.push(corner(p[0], p[1], p[2]), corner(q[0], q[1], q[2]));
    }
    this.group.add(
      new THREE.LineSegments(
        new THREE.BufferGeometry().setFromPoints(pts),
        new THREE.LineBasicMaterial({ color: 0x8090b0 }),
      ),
    );
    // grain-boundary planes (bicrystals: the normal is along the third lattice vector, boundaries where the grain changes)
    const planes = boundaryPlanes(s);
    if (planes) {
      for (const f of planes) {
        const g = new THREE.BufferGeometry().setFromPoints([
          corner(0, 0, f),
          corner(1, 0, f),
          corner(1, 1, f),
          corner(0, 0, f),
          corner(1, 1, f),
          corner(0, 1, f),
        ]);
        g.computeVertexNormals();
        const plane = new THREE.Mesh(
          g,
          new THREE.MeshBasicMaterial({
            color: 0x4fc3f7,
            transparent: true,
            opacity: 0.18,
            side: THREE.DoubleSide,
            depthWrite: false,
          }),
        );
        this.group.add(plane);
      }
    }
    // PS4 units: each P with its four nearest S
    this.tetra = [];
    const nl = buildNeighborList(s.positions, s.cell, 2.6);
    for (let i = 0; i < s.types.length; i++) {
      if (s.species[s.types[i]] !== 'P') continue;
      const near: [number, number][] = [];
      for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
        const j = nl.index[e];
        if (s.species[s.types[j]] === 'S')
          near.push([Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]), j]);
      }
      near.sort((a, b) => a[0] - b[0]);
      if (near.length >= 4) this.tetra.push({ p: i, s: near.slice(0, 4).map((x) => x[1]) });
    }
    const tg = new THREE.BufferGeometry();
    tg.setAttribute('position', new THREE.BufferAttribute(new Float32Array(this.tetra.length * 12 * 3), 3));
    this.tetraMesh = new THREE.Mesh(
      tg,
      new THREE.MeshStandardMaterial({
        color: 0xff8000,
        transparent: true,
        opacity: 0.35,
        side: THREE.DoubleSide,
        depthWrite: false,
      }),
    );
    this.group.add(this.tetraMesh);
    this.liAtoms = Array.from(s.types.keys()).filter((i) => s.species[s.types[i]] === 'Li');
    this.trail = [];
    const lg = new THREE.BufferGeometry();
    lg.setAttribute(
      'position',
      new THREE.BufferAttribute(new Float32Array(this.liAtoms.length * (TRAIL - 1) * 2 * 3), 3),
    );
    this.trailLines = new THREE.LineSegments(
      lg,
      new THREE.LineBasicMaterial({ color: 0xe1bee7, transparent: true, opacity: 0.7 }),
    );
    this.group.add(this.trailLines);
    // a new cell is framed; the same cell again (a restart at another temperature) keeps the user's camera
    if (!sameCell) {
      const centre = corner(0.5, 0.5, 0.5);
      const size = Math.max(...[0, 1, 2].map((k) => Math.hypot(L[3 * k], L[3 * k + 1], L[3 * k + 2])));
      this.controls.target.copy(centre);
      this.camera.position.copy(centre).add(new THREE.Vector3(0.9 * size, 0.7 * size, 1.4 * size));
      this.controls.update();
      if (this.isOrthographic) this.fitOrthographic();
    }
    this.updatePositions(s.positions);
  }

  /** Looks along a cell vector (0, 1, 2) or the boundary normal (2 for bicrystals). */
  viewAlong(k: 0 | 1 | 2): void {
    this.dirty = true;
    if (!this.structure) return;
    const L = this.structure.cell.lattice;
    const dir = new THREE.Vector3(L[3 * k], L[3 * k + 1], L[3 * k + 2]).normalize();
    const dist = this.camera.position.distanceTo(this.controls.target);
    this.camera.position.copy(this.controls.target).addScaledVector(dir, -dist);
    this.controls.update();
    this.viewChanged();
  }

  /** Unwrapped positions (3N, A): folded into the cell for drawing; colours follow `colorMode`. */
  updatePositions(positions: Float64Array): void {
    this.dirty = true;
    const s = this.structure;
    if (!s) return;
    this.first ??= Float64Array.from(positions);
    this.last = positions;
    const p = [0, 0, 0];
    for (const { mesh, atoms, species } of this.meshes) {
      const base = element(species).color;
      for (let k = 0; k < atoms.length; k++) {
        const i = atoms[k];
        const x = positions[3 * i];
        const y = positions[3 * i + 1];
        const z = positions[3 * i + 2];
        this.fold(positions, i, p);
        this.matrix.makeTranslation(p[0], p[1], p[2]);
        mesh.setMatrixAt(k, this.matrix);
        if (this.colorMode === 'grade') {
          const g = this.grades[i];
          const scale = COLOUR_SCALES.grade;
          if (g === undefined || Number.isNaN(g)) this.color.setHex(0x777777);
          else this.color.setHex(viridis((g - scale.min) / (scale.max - scale.min)));
          mesh.setColorAt(k, this.color);
        } else if (species === 'Li' && this.colorMode !== 'species') {
          if (this.colorMode === 'displacement') {
            const d = Math.hypot(x - this.first[3 * i], y - this.first[3 * i + 1], z - this.first[3 * i + 2]);
            const scale = COLOUR_SCALES.displacement;
            this.color.setHex(viridis((d - scale.min) / (scale.max - scale.min)));
          } else {
            const dist = Math.abs(s.labels?.boundaryDistance?.[i] ?? 99);
            this.color.setHex(dist < BOUNDARY_REGION ? REGION_COLOURS.boundary : REGION_COLOURS.bulk);
          }
          mesh.setColorAt(k, this.color);
        } else if (this.colorMode === 'species') {
          mesh.setColorAt(k, this.color.setHex(base));
        }
      }
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    }
    this.updateTetrahedra(positions);
    this.updateTrails(positions);
    this.updateMarks();
  }

  /** Folded position of atom i (into the cell), written to out[0..2]. */
  private fold(positions: Float64Array, i: number, out: number[]): void {
    const L = this.structure!.cell.lattice;
    const inv = this.inv;
    const x = positions[3 * i];
    const y = positions[3 * i + 1];
    const z = positions[3 * i + 2];
    let f0 = x * inv[0] + y * inv[3] + z * inv[6];
    let f1 = x * inv[1] + y * inv[4] + z * inv[7];
    let f2 = x * inv[2] + y * inv[5] + z * inv[8];
    f0 -= Math.floor(f0);
    f1 -= Math.floor(f1);
    f2 -= Math.floor(f2);
    for (let d = 0; d < 3; d++) out[d] = f0 * L[d] + f1 * L[3 + d] + f2 * L[6 + d];
  }

  private updateTetrahedra(positions: Float64Array): void {
    const mesh = this.tetraMesh;
    if (!mesh) return;
    mesh.visible = this.showTetrahedra;
    if (!this.showTetrahedra) return;
    const L = this.structure!.cell.lattice;
    const inv = this.inv;
    const attr = mesh.geometry.getAttribute('position') as THREE.BufferAttribute;
    const arr = attr.array as Float32Array;
    const p = [0, 0, 0];
    const v: number[][] = [[], [], [], []];
    const faces = [
      [0, 1, 2],
      [0, 1, 3],
      [0, 2, 3],
      [1, 2, 3],
    ];
    this.tetra.forEach((t, k) => {
      this.fold(positions, t.p, p);
      let intact = true;
      t.s.forEach((j, n) => {
        // the S image nearest to P (minimum image through fractional coordinates)
        const d = [0, 1, 2].map((c) => positions[3 * j + c] - positions[3 * t.p + c]);
        const f = [0, 1, 2]
          .map((c) => d[0] * inv[c] + d[1] * inv[3 + c] + d[2] * inv[6 + c])
          .map((x) => x - Math.round(x));
        v[n] = [0, 1, 2].map((c) => p[c] + f[0] * L[c] + f[1] * L[3 + c] + f[2] * L[6 + c]);
        if (Math.hypot(v[n][0] - p[0], v[n][1] - p[1], v[n][2] - p[2]) >= PS_BOND) intact = false; // the census's bond length (model/ps4.ts)
      });
      // a unit whose S atoms wandered off is no tetrahedron any more: collapse its faces to a point
      if (!intact) for (let n = 0; n < 4; n++) v[n] = [p[0], p[1], p[2]];
      faces.forEach((face, fi) => {
        face.forEach((vi, q) => {
          arr.set(v[vi], (k * 12 + fi * 3 + q) * 3);
        });
      });
    });
    attr.needsUpdate = true;
    mesh.geometry.computeVertexNormals();
  }

  private updateTrails(positions: Float64Array): void {
    const lines = this.trailLines;
    if (!lines) return;
    lines.visible = this.showTrails;
    const folded = new Float64Array(this.liAtoms.length * 3);
    const p = [0, 0, 0];
    this.liAtoms.forEach((i, k) => {
      this.fold(positions, i, p);
      folded.set(p, 3 * k);
    });
    this.trail.push(folded);
    if (this.trail.length > TRAIL) this.trail.shift();
    if (!this.showTrails) return;
    const attr = lines.geometry.getAttribute('position') as THREE.BufferAttribute;
    const arr = attr.array as Float32Array;
    arr.fill(0);
    const L = this.structure!.cell.lattice;
    const half = 0.5 * Math.min(...[0, 1, 2].map((c) => Math.hypot(L[3 * c], L[3 * c + 1], L[3 * c + 2])));
    let at = 0;
    for (let t = 1; t < this.trail.length; t++) {
      const a = this.trail[t - 1];
      const b = this.trail[t];
      for (let k = 0; k < this.liAtoms.length; k++) {
        const dx = b[3 * k] - a[3 * k];
        const dy = b[3 * k + 1] - a[3 * k + 1];
        const dz = b[3 * k + 2] - a[3 * k + 2];
        if (Math.hypot(dx, dy, dz) > half) continue; // crossed the cell: no segment across the view
        arr.set([a[3 * k], a[3 * k + 1], a[3 * k + 2], b[3 * k], b[3 * k + 1], b[3 * k + 2]], at);
        at += 6;
      }
    }
    lines.geometry.setDrawRange(0, at / 3);
    attr.needsUpdate = true;
  }

  render(): void {
    this.controls.update();
    this.renderer.render(this.scene, this.camera);
    this.dirty = false;
  }

  /**
   * Something drawn changed since the last render (positions, structure, camera, size). The page draws only then, or
   * now and again for settings that change the look (colours), so a paused or slow scene leaves the CPU (and, on
   * SwiftShader, the GPU work that shares it) to the MD.
   */
  dirty = true;

  screenshot(): string {
    this.render();
    return this.renderer.domElement.toDataURL('image/png');
  }
}
