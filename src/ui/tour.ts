/**
 * The guided tour of the page and the short explanations beside its quantities. docs/tutorial.md has the same steps
 * (a test holds them together). The tour is dismissable and remembered in localStorage.
 */

export interface TourStep {
  title: string;
  text: string;
}

export const TOUR_STEPS: TourStep[] = [
  {
    title: 'Watch Li move at a boundary',
    text:
      'The view shows the S5 [001]/(120) grain boundary of beta-Li3PS4: purple Li, orange P, yellow S in PS4 ' +
      'tetrahedra. Colour by "region" to see which Li sit within 3 A of the boundary plane, and turn on Li trails.',
  },
  {
    title: 'Read the per-axis MSD',
    text:
      'The mean-squared displacement of the Li along x, y (in the boundary plane) and z (across it) grows linearly ' +
      'once they hop: its slope is 2D per axis. A flat curve means the Li only rattle in their cages.',
  },
  {
    title: 'Change the temperature and see D change',
    text:
      'Set the temperature (K) in the panel: the run restarts there. After 2 ps the live D per axis counts, with its ' +
      '1-sigma error from the MSD covariance; hotter runs give larger D.',
  },
  {
    title: 'Read Ea and D(300 K) off the Arrhenius plot',
    text:
      'Each finished run at a new temperature adds a point to the Arrhenius plot. With two or three, the fit gives ' +
      'the activation energy Ea and D extrapolated to 300 K, with error bars.',
  },
  {
    title: 'See where the potential is unsure',
    text:
      'Colour by "grade": the extrapolation grade of each atom against the potential\'s training data. Up to 1 is ' +
      'inside it; above 2 the potential is guessing, and such frames are worth a DFT label.',
  },
];

/** One-line explanations of the quantities the page shows, by the element they sit beside. */
export const EXPLANATIONS: Record<string, string> = {
  'plot-msd': 'MSD: the mean over Li and time origins of the squared displacement along each axis; slope 2D per axis.',
  'd-values':
    'D: the diffusion coefficient per axis, from the MSD slope by least squares with the MSD covariance (1 sigma).',
  'plot-arrhenius':
    'Arrhenius: ln D against 1/T is a line of slope -Ea/kB when one mechanism acts; extrapolated to 300 K.',
  'arrhenius-values':
    'Isotropy at a boundary: D across the plane over D along it (1 = isotropic). Ea: activation energy, eV.',
};

const DONE_KEY = 'lilab.tour.done';

/** Shows the tour (unless dismissed before) in `box`, and a "?" with its explanation beside each quantity. */
export function startTour(doc: Document, box: HTMLElement, storage: Storage | null, force = false): void {
  for (const [id, text] of Object.entries(EXPLANATIONS)) {
    const el = doc.getElementById(id);
    if (!el || el.previousElementSibling?.classList.contains('explain')) continue;
    const q = doc.createElement('button');
    q.type = 'button';
    q.className = 'explain';
    q.textContent = '?';
    q.title = text;
    q.setAttribute('aria-label', text);
    q.addEventListener('click', () => {
      q.classList.toggle('open');
      q.dataset.text = q.classList.contains('open') ? text : '';
    });
    el.before(q);
  }
  if (!force && storage?.getItem(DONE_KEY) === 'yes') {
    box.hidden = true;
    return;
  }
  let k = 0;
  const show = () => {
    const s = TOUR_STEPS[k];
    const title = doc.createElement('strong');
    title.textContent = `${k + 1}/${TOUR_STEPS.length}: ${s.title}`;
    const text = doc.createElement('p');
    text.textContent = s.text;
    const button = (label: string, fn: () => void, disabled = false) => {
      const b = doc.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.disabled = disabled;
      b.addEventListener('click', fn);
      return b;
    };
    const close = () => {
      box.hidden = true;
      storage?.setItem(DONE_KEY, 'yes');
    };
    box.replaceChildren(
      title,
      text,
      button(
        'back',
        () => {
          k--;
          show();
        },
        k === 0,
      ),
      k < TOUR_STEPS.length - 1
        ? button('next', () => {
            k++;
            show();
          })
        : button('done', close),
      button('close the tour', close),
    );
    box.dataset.step = String(k + 1);
    box.hidden = false;
  };
  show();
}
