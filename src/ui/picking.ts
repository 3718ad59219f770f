/**
 * Picking in the view: a click on an atom says what it is (ui/atom-info.ts) and rings it; a shift-click on a second
 * gives the pair's minimum-image distance; a click on empty space clears. A press that moved more than a few pixels
 * was an orbit, not a click. The text follows the atom as the run goes on (`refresh`, once per drawn frame).
 * The info box mirrors what it shows on its dataset (atoms, distance) for tests and scripts.
 */
import { boundaryPlanes } from '../model/boundary-planes.ts';
import type { Structure } from '../model/structure.ts';
import { atomInfo, formatAtomInfo, formatPair, pairDistance } from './atom-info.ts';
import type { Viewport } from './viewport.ts';

/** A press that moved further than this (px) is a drag of the camera, not a pick. */
const CLICK_SLOP_PX = 5;

export class Picker {
  private atoms: number[] = [];
  /** The structure the atoms were picked in (a new one, after a restart or load, clears the pick) and its planes. */
  private structure: Structure | null = null;
  private planes: [number, number] | null = null;

  constructor(
    private readonly viewport: Viewport,
    private readonly box: HTMLElement,
    private readonly grades: () => ArrayLike<number>,
    /** Called on each pick: the page computes the frame's grades if it has not. */
    private readonly onPick: () => void = () => {},
  ) {
    const canvas = viewport.renderer.domElement;
    let down: { x: number; y: number } | null = null;
    canvas.addEventListener('pointerdown', (e) => {
      down = { x: e.clientX, y: e.clientY };
    });
    canvas.addEventListener('pointerup', (e) => {
      if (!down || Math.hypot(e.clientX - down.x, e.clientY - down.y) > CLICK_SLOP_PX) return;
      down = null;
      this.click(viewport.atomAt(e.clientX, e.clientY), e.shiftKey);
    });
  }

  /** A click that hit atom `i` (null: nothing), with shift held or not. */
  click(i: number | null, shift: boolean): void {
    if (i === null) this.atoms = [];
    else if (shift && this.atoms.length >= 1 && this.atoms[0] !== i) this.atoms = [this.atoms[0], i];
    else this.atoms = [i];
    const structure = this.viewport.frames?.structure ?? null;
    // the planes once per structure, not per drawn frame (an O(N) pass with sorting)
    if (structure !== this.structure) this.planes = structure ? boundaryPlanes(structure) : null;
    this.structure = structure;
    this.viewport.pick(this.atoms);
    this.refresh();
    if (this.atoms.length > 0) this.onPick();
  }

  /** Something is picked (its grade is worth computing). */
  get active(): boolean {
    return this.atoms.length > 0;
  }

  /** Rewrites the box for the current frame. */
  refresh(): void {
    const f = this.viewport.frames;
    const box = this.box;
    if (f && f.structure !== this.structure) this.atoms = [];
    if (this.atoms.length === 0 || !f) {
      box.hidden = true;
      box.textContent = '';
      for (const k of ['atoms', 'distance', 'positions', 'lattice']) delete box.dataset[k];
      return;
    }
    const grades = this.grades();
    const info = this.atoms.map((i) => atomInfo(f.structure, f.current, f.start, grades, i, this.planes));
    const lines = info.map(formatAtomInfo);
    box.dataset.atoms = this.atoms.join(',');
    if (info.length === 2) {
      const d = pairDistance(f.structure, f.current, this.atoms[0], this.atoms[1]);
      lines.push(formatPair(info[0], info[1], d));
      box.dataset.distance = d.toFixed(6);
      box.dataset.positions = JSON.stringify(this.atoms.map((i) => Array.from(f.current.subarray(3 * i, 3 * i + 3))));
      box.dataset.lattice = JSON.stringify(Array.from(f.structure.cell.lattice));
    } else {
      for (const k of ['distance', 'positions', 'lattice']) delete box.dataset[k];
    }
    box.textContent = lines.join('\n');
    box.hidden = false;
  }
}
