/**
 * The status line: adapter, atoms, ns/day and temperature at a glance; the potential's name opens its provenance
 * and the run's numbers (step, steps/s, energy, render path). What tests read is mirrored on body.dataset.
 */
import type { LabStatus, LoadedPotential } from './lab.ts';

export type PotentialState = 'default' | 'placeholder' | 'loaded';

export class StatusLine {
  private readonly el: Record<'adapter' | 'run' | 'potential' | 'provenance' | 'numbers' | 'render', HTMLElement>;

  constructor(private readonly doc: Document) {
    const get = (id: string) => doc.getElementById(`status-${id}`)!;
    this.el = {
      adapter: get('adapter'),
      run: get('run'),
      potential: get('potential'),
      provenance: get('provenance'),
      numbers: get('numbers'),
      render: get('render'),
    };
  }

  /** The adapter's description, or what runs without one; `ok` false marks it in the warning colour. */
  adapter(text: string, ok: boolean, dataset: string): void {
    this.el.adapter.textContent = text;
    this.el.adapter.dataset.state = ok ? 'ok' : 'error';
    this.doc.body.dataset.adapter = dataset;
  }

  potential(p: LoadedPotential, state: PotentialState): void {
    this.el.potential.textContent = p.label;
    this.el.potential.dataset.state = state;
    this.el.provenance.textContent = p.provenance;
  }

  run(s: LabStatus, dtFs: number, msdPoints: number): void {
    this.el.run.textContent = `${s.atoms} atoms | ${s.nsPerDay.toFixed(2)} ns/day | T ${s.temperature.toFixed(0)} K`;
    this.el.numbers.textContent =
      `step ${s.step} | ${s.stepsPerSecond.toFixed(0)} steps/s | E ${s.energy.toFixed(3)} eV | ` +
      `time step ${dtFs} fs`;
    this.doc.body.dataset.step = String(s.step);
    this.doc.body.dataset.msdPoints = String(msdPoints);
  }

  /** A line in place of the run's while something else works (a relaxation). */
  note(text: string): void {
    this.el.run.textContent = text;
  }

  render(text: string): void {
    this.el.render.textContent = text;
  }
}
