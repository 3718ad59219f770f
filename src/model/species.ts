/**
 * Every element, for reading and drawing any structure file: standard atomic weights (amu; IUPAC 2013, Meija et al.,
 * Pure Appl. Chem. 88, 265 (2016), to five significant figures; the conventional value where IUPAC gives an
 * interval; the longest-lived isotope where there is no standard weight), Jmol's colours (jmol.sourceforge.net/jscolors;
 * none is defined past Mt) and covalent radii (Cordero et al., Dalton Trans. 2008, 2832; none past Cm).
 */
export interface Element {
  symbol: string;
  /** Atomic number. */
  number: number;
  mass: number;
  color: number;
  /** Radius used for drawing, A. */
  drawRadius: number;
}

/** Symbol, standard atomic weight (amu), Jmol colour, covalent radius (A), in order of atomic number. */
const ELEMENTS: [string, number, number | null, number | null][] = [
  ['H', 1.008, 0xffffff, 0.31],
  ['He', 4.0026, 0xd9ffff, 0.28],
  ['Li', 6.94, 0xcc80ff, 1.28],
  ['Be', 9.0122, 0xc2ff00, 0.96],
  ['B', 10.81, 0xffb5b5, 0.84],
  ['C', 12.011, 0x909090, 0.76],
  ['N', 14.007, 0x3050f8, 0.71],
  ['O', 15.999, 0xff0d0d, 0.66],
  ['F', 18.998, 0x90e050, 0.57],
  ['Ne', 20.18, 0xb3e3f5, 0.58],
  ['Na', 22.99, 0xab5cf2, 1.66],
  ['Mg', 24.305, 0x8aff00, 1.41],
  ['Al', 26.982, 0xbfa6a6, 1.21],
  ['Si', 28.085, 0xf0c8a0, 1.11],
  ['P', 30.974, 0xff8000, 1.07],
  ['S', 32.06, 0xffff30, 1.05],
  ['Cl', 35.45, 0x1ff01f, 1.02],
  ['Ar', 39.948, 0x80d1e3, 1.06],
  ['K', 39.098, 0x8f40d4, 2.03],
  ['Ca', 40.078, 0x3dff00, 1.76],
  ['Sc', 44.956, 0xe6e6e6, 1.7],
  ['Ti', 47.867, 0xbfc2c7, 1.6],
  ['V', 50.941, 0xa6a6ab, 1.53],
  ['Cr', 51.996, 0x8a99c7, 1.39],
  ['Mn', 54.938, 0x9c7ac7, 1.39],
  ['Fe', 55.845, 0xe06633, 1.32],
  ['Co', 58.933, 0xf090a0, 1.26],
  ['Ni', 58.693, 0x50d050, 1.24],
  ['Cu', 63.546, 0xc88033, 1.32],
  ['Zn', 65.38, 0x7d80b0, 1.22],
  ['Ga', 69.723, 0xc28f8f, 1.22],
  ['Ge', 72.63, 0x668f8f, 1.2],
  ['As', 74.922, 0xbd80e3, 1.19],
  ['Se', 78.971, 0xffa100, 1.2],
  ['Br', 79.904, 0xa62929, 1.2],
  ['Kr', 83.798, 0x5cb8d1, 1.16],
  ['Rb', 85.468, 0x702eb0, 2.2],
  ['Sr', 87.62, 0x00ff00, 1.95],
  ['Y', 88.906, 0x94ffff, 1.9],
  ['Zr', 91.224, 0x94e0e0, 1.75],
  ['Nb', 92.906, 0x73c2c9, 1.64],
  ['Mo', 95.95, 0x54b5b5, 1.54],
  ['Tc', 97.907, 0x3b9e9e, 1.47],
  ['Ru', 101.07, 0x248f8f, 1.46],
  ['Rh', 102.91, 0x0a7d8c, 1.42],
  ['Pd', 106.42, 0x006985, 1.39],
  ['Ag', 107.87, 0xc0c0c0, 1.45],
  ['Cd', 112.41, 0xffd98f, 1.44],
  ['In', 114.82, 0xa67573, 1.42],
  ['Sn', 118.71, 0x668080, 1.39],
  ['Sb', 121.76, 0x9e63b5, 1.39],
  ['Te', 127.6, 0xd47a00, 1.38],
  ['I', 126.9, 0x940094, 1.39],
  ['Xe', 131.29, 0x429eb0, 1.4],
  ['Cs', 132.91, 0x57178f, 2.44],
  ['Ba', 137.33, 0x00c900, 2.15],
  ['La', 138.91, 0x70d4ff, 2.07],
  ['Ce', 140.12, 0xffffc7, 2.04],
  ['Pr', 140.91, 0xd9ffc7, 2.03],
  ['Nd', 144.24, 0xc7ffc7, 2.01],
  ['Pm', 144.91, 0xa3ffc7, 1.99],
  ['Sm', 150.36, 0x8fffc7, 1.98],
  ['Eu', 151.96, 0x61ffc7, 1.98],
  ['Gd', 157.25, 0x45ffc7, 1.96],
  ['Tb', 158.93, 0x30ffc7, 1.94],
  ['Dy', 162.5, 0x1fffc7, 1.92],
  ['Ho', 164.93, 0x00ff9c, 1.92],
  ['Er', 167.26, 0x00e675, 1.89],
  ['Tm', 168.93, 0x00d452, 1.9],
  ['Yb', 173.05, 0x00bf38, 1.87],
  ['Lu', 174.97, 0x00ab24, 1.87],
  ['Hf', 178.49, 0x4dc2ff, 1.75],
  ['Ta', 180.95, 0x4da6ff, 1.7],
  ['W', 183.84, 0x2194d6, 1.62],
  ['Re', 186.21, 0x267dab, 1.51],
  ['Os', 190.23, 0x266696, 1.44],
  ['Ir', 192.22, 0x175487, 1.41],
  ['Pt', 195.08, 0xd0d0e0, 1.36],
  ['Au', 196.97, 0xffd123, 1.36],
  ['Hg', 200.59, 0xb8b8d0, 1.32],
  ['Tl', 204.38, 0xa6544d, 1.45],
  ['Pb', 207.2, 0x575961, 1.46],
  ['Bi', 208.98, 0x9e4fb5, 1.48],
  ['Po', 208.98, 0xab5c00, 1.4],
  ['At', 209.99, 0x754f45, 1.5],
  ['Rn', 222.02, 0x428296, 1.5],
  ['Fr', 223.02, 0x420066, 2.6],
  ['Ra', 226.03, 0x007d00, 2.21],
  ['Ac', 227.03, 0x70abfa, 2.15],
  ['Th', 232.04, 0x00baff, 2.06],
  ['Pa', 231.04, 0x00a1ff, 2.0],
  ['U', 238.03, 0x008fff, 1.96],
  ['Np', 237.05, 0x0080ff, 1.9],
  ['Pu', 244.06, 0x006bff, 1.87],
  ['Am', 243.06, 0x545cf2, 1.8],
  ['Cm', 247.07, 0x785ce3, 1.69],
  ['Bk', 247.07, 0x8a4fe3, null],
  ['Cf', 251.08, 0xa136d4, null],
  ['Es', 252.08, 0xb31fd4, null],
  ['Fm', 257.1, 0xb31fba, null],
  ['Md', 258.1, 0xb30da6, null],
  ['No', 259.1, 0xbd0d87, null],
  ['Lr', 262.11, 0xc70066, null],
  ['Rf', 267.12, 0xcc0059, null],
  ['Db', 268.13, 0xd1004f, null],
  ['Sg', 271.13, 0xd90045, null],
  ['Bh', 270.13, 0xe00038, null],
  ['Hs', 269.13, 0xe6002e, null],
  ['Mt', 278.16, 0xeb0026, null],
  ['Ds', 281.17, null, null],
  ['Rg', 281.17, null, null],
  ['Cn', 285.18, null, null],
  ['Nh', 286.18, null, null],
  ['Fl', 289.19, null, null],
  ['Mc', 289.19, null, null],
  ['Lv', 293.2, null, null],
  ['Ts', 293.21, null, null],
  ['Og', 294.21, null, null],
];

/** Drawn when Jmol defines no colour (elements past Mt). */
const NO_COLOUR = 0xff1493;
/**
 * Drawing radii of the elements of the lab's materials, chosen by eye for ionic solids; the others are drawn at half
 * their covalent radius (0.8 A where none is tabulated).
 */
const DRAW_RADIUS: Record<string, number> = {
  H: 0.3,
  Li: 0.6,
  O: 0.6,
  Na: 0.8,
  P: 0.75,
  S: 0.85,
  Cl: 0.85,
  Ge: 0.9,
};

const TABLE: Element[] = ELEMENTS.map(([symbol, mass, color, covalent], k) => ({
  symbol,
  number: k + 1,
  mass,
  color: color ?? NO_COLOUR,
  drawRadius: DRAW_RADIUS[symbol] ?? (covalent === null ? 0.8 : covalent / 2),
}));

const BY_SYMBOL = new Map(TABLE.map((e) => [e.symbol, e]));

export function element(symbol: string): Element {
  const e = BY_SYMBOL.get(symbol);
  if (!e) throw new Error(`unknown element '${symbol}' (not an element symbol)`);
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
export const ELEMENT_SYMBOLS = TABLE.map((e) => e.symbol);

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
