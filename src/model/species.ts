/** Element data the lab needs: standard atomic masses (amu, IUPAC 2013 abridged) and Jmol colours. */
export interface Element {
  symbol: string;
  mass: number;
  color: number;
  /** Radius used for drawing, A (about 0.5 of the covalent radius reads well for ionic solids). */
  drawRadius: number;
}

const TABLE: Element[] = [
  { symbol: 'H', mass: 1.008, color: 0xffffff, drawRadius: 0.3 },
  { symbol: 'Li', mass: 6.94, color: 0xcc80ff, drawRadius: 0.6 },
  { symbol: 'O', mass: 15.999, color: 0xff0d0d, drawRadius: 0.6 },
  { symbol: 'Na', mass: 22.99, color: 0xab5cf2, drawRadius: 0.8 },
  { symbol: 'P', mass: 30.974, color: 0xff8000, drawRadius: 0.75 },
  { symbol: 'S', mass: 32.06, color: 0xffff30, drawRadius: 0.85 },
  { symbol: 'Cl', mass: 35.45, color: 0x1ff01f, drawRadius: 0.85 },
  { symbol: 'Ge', mass: 72.63, color: 0x668f8f, drawRadius: 0.9 },
];

const BY_SYMBOL = new Map(TABLE.map((e) => [e.symbol, e]));

export function element(symbol: string): Element {
  const e = BY_SYMBOL.get(symbol);
  if (!e) throw new Error(`unknown element '${symbol}' (known: ${TABLE.map((t) => t.symbol).join(', ')})`);
  return e;
}

/** The lab's element whose mass is nearest `mass` (amu), and how far it is: files that give masses, not names. */
export function nearestElementByMass(mass: number): { symbol: string; difference: number } {
  let best = TABLE[0];
  for (const e of TABLE) if (Math.abs(e.mass - mass) < Math.abs(best.mass - mass)) best = e;
  return { symbol: best.symbol, difference: Math.abs(best.mass - mass) };
}

/** The species order of the lab's Li-P-S potentials (and of test/fixtures/mtp-vectors): type 0 = Li, 1 = P, 2 = S. */
export const LI_P_S = ['Li', 'P', 'S'] as const;

/** Every element symbol, in order of atomic number (IUPAC): for telling an element from a label such as "LI1". */
export const ELEMENT_SYMBOLS = (
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo ' +
  'Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl ' +
  'Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' ');

const SYMBOL_SET = new Set(ELEMENT_SYMBOLS);

/** Whether `symbol` is an element symbol as written (Li, not LI or Xx). */
export function isElementSymbol(symbol: string): boolean {
  return SYMBOL_SET.has(symbol);
}

/**
 * The element a site label or type symbol names, in any letter case ("Li1", "LI1", "li", "S2-" -> Li, Li, Li, S): the
 * two leading letters if they spell an element, else the first; null when neither does.
 */
export function elementOfLabel(label: string): string | null {
  const letters = /^[A-Za-z]{1,2}/.exec(label.trim())?.[0] ?? '';
  const norm = (x: string) => x.charAt(0).toUpperCase() + x.slice(1).toLowerCase();
  if (letters.length === 2 && SYMBOL_SET.has(norm(letters))) return norm(letters);
  if (letters.length >= 1 && SYMBOL_SET.has(norm(letters[0]))) return norm(letters[0]);
  return null;
}
