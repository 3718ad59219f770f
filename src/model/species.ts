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

/** The species order of the lab's Li-P-S potentials (and of test/fixtures/mtp-vectors): type 0 = Li, 1 = P, 2 = S. */
export const LI_P_S = ['Li', 'P', 'S'] as const;
