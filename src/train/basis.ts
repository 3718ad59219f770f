/**
 * The MTP basis of a level, generated (untrained template: alpha_index_basic / times / mapping).
 *
 * The rule, which reproduces MLIP's standard templates for every level 2-28 (counts of radial functions, basic moments
 * and scalar basis functions; test/train-basis.test.ts checks them and, for levels 6, 8, 16 and 24, that the scalar
 * basis functions are the same functions as in MLIP's own files):
 * - radial functions: min(6, floor((L - 2) / 4) + 1); tensors M_{mu,nu} with nu <= 10 and level 2 + 4 mu + nu <= L;
 * - scalar basis functions: products of connected full contractions of those tensors (multigraphs without self-loops:
 *   a tensor of rank nu has nu legs, every leg contracted with a leg of another tensor), at most 4 tensors per product,
 *   total level <= L.
 * The contraction tree differs from MLIP's (allowed: only the functions must be the same). Each connected contraction
 * is computed by merging tensors pairwise; intermediate tensors keep one symmetric index group per bundle of legs to
 * each original tensor, so every contraction over a bundle of e legs is a sum over symmetric components with
 * multinomial weights e! / (p! q! t!), exactly MLIP's multiplicities.
 */
import type { MtpFile } from '../io/mtp.ts';

type Tensor = [number, number]; // mu, nu
type Triple = [number, number, number];

const levelOf = (t: Tensor) => 2 + 4 * t[0] + t[1];

export function radialFunctionCount(level: number): number {
  return Math.min(6, Math.floor((level - 2) / 4) + 1);
}

function triples(rank: number): Triple[] {
  const out: Triple[] = [];
  for (let p = rank; p >= 0; p--) for (let q = rank - p; q >= 0; q--) out.push([p, q, rank - p - q]);
  return out;
}

const FACT = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800];
const multinomial = (t: Triple) => FACT[t[0] + t[1] + t[2]] / (FACT[t[0]] * FACT[t[1]] * FACT[t[2]]);

/** A connected contraction: tensors and the number of contracted legs between each pair. */
interface Graph {
  tensors: Tensor[];
  edges: number[][];
  level: number;
  key: string;
}

function isConnected(edges: number[][]): boolean {
  const n = edges.length;
  const seen = new Set([0]);
  const stack = [0];
  while (stack.length) {
    const v = stack.pop()!;
    for (let u = 0; u < n; u++) {
      if (edges[v][u] > 0 && !seen.has(u)) {
        seen.add(u);
        stack.push(u);
      }
    }
  }
  return seen.size === n;
}

/** Canonical key: smallest edge listing over permutations within groups of equal tensors (tensors are sorted). */
function canonicalKey(tensors: Tensor[], edges: number[][]): string {
  const n = tensors.length;
  const groups: number[][] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && tensors[j][0] === tensors[i][0] && tensors[j][1] === tensors[i][1]) j++;
    groups.push(Array.from({ length: j - i }, (_, k) => i + k));
    i = j;
  }
  const perms = (a: number[]): number[][] =>
    a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p]));
  const perm = new Array<number>(n);
  let best: string | null = null;
  const rec = (g: number) => {
    if (g === groups.length) {
      let s = '';
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += `${edges[perm[i]][perm[j]]},`;
      if (best === null || s < best) best = s;
      return;
    }
    for (const p of perms(groups[g])) {
      groups[g].forEach((pos, k) => {
        perm[pos] = p[k];
      });
      rec(g + 1);
    }
  };
  rec(0);
  return `${tensors.map((t) => t.join('.')).join('|')}#${best}`;
}

/** Every connected contraction with at most `maxTensors` tensors and level <= L. */
function connectedContractions(level: number, maxTensors = 4): Graph[] {
  const R = radialFunctionCount(level);
  const all: Tensor[] = [];
  for (let mu = 0; mu < R; mu++) for (let nu = 0; nu <= 10 && 2 + 4 * mu + nu <= level; nu++) all.push([mu, nu]);
  const found = new Map<string, Graph>();
  for (const t of all) {
    if (t[1] === 0) {
      const key = `${t.join('.')}#`;
      found.set(key, { tensors: [t], edges: [[0]], level: levelOf(t), key });
    }
  }
  const ranked = all.filter((t) => t[1] > 0);
  const choose = (start: number, chosen: Tensor[], lev: number) => {
    if (chosen.length >= 2 && chosen.reduce((s, t) => s + t[1], 0) % 2 === 0) {
      const n = chosen.length;
      const edges = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      const rem = chosen.map((t) => t[1]);
      const pairs: [number, number][] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
      const fill = (k: number) => {
        if (k === pairs.length) {
          if (rem.every((r) => r === 0) && isConnected(edges)) {
            const key = canonicalKey(chosen, edges);
            if (!found.has(key))
              found.set(key, { tensors: [...chosen], edges: edges.map((r) => [...r]), level: lev, key });
          }
          return;
        }
        const [i, j] = pairs[k];
        for (let c = 0; c <= Math.min(rem[i], rem[j]); c++) {
          edges[i][j] = edges[j][i] = c;
          rem[i] -= c;
          rem[j] -= c;
          fill(k + 1);
          rem[i] += c;
          rem[j] += c;
        }
        edges[i][j] = edges[j][i] = 0;
      };
      fill(0);
    }
    if (chosen.length === maxTensors) return;
    for (let k = start; k < ranked.length; k++) {
      const l = lev + levelOf(ranked[k]);
      if (l <= level) choose(k, [...chosen, ranked[k]], l);
    }
  };
  choose(0, [], 0);
  return [...found.values()].sort(
    (a, b) => a.level - b.level || a.tensors.length - b.tensors.length || (a.key < b.key ? -1 : 1),
  );
}

/** A tensor during contraction: symmetric index groups, one per bundle of legs to an original tensor. */
interface Partial {
  /** the original tensors it contains */
  members: number[];
  /** groups: [from member, to original tensor, rank] */
  groups: [number, number, number][];
  /** moment index of each component, keyed by the groups' triples joined */
  index: Map<string, number>;
}

export interface GeneratedBasis {
  level: number;
  radialFuncsCount: number;
  alphaIndexBasic: [number, number, number, number][];
  alphaIndexTimes: [number, number, number, number][];
  alphaMomentMapping: number[];
  alphaMomentsCount: number;
}

export function generateBasis(level: number): GeneratedBasis {
  if (!Number.isInteger(level) || level < 2 || level % 2 !== 0 || level > 28)
    throw new Error('MTP levels are the even numbers 2 to 28');
  const graphs = connectedContractions(level);
  // basic moments: every component of every tensor used, ordered by mu, then rank, then components (MLIP's order)
  const used = new Map<string, Tensor>();
  for (const g of graphs) for (const t of g.tensors) used.set(t.join('.'), t);
  const tensors = [...used.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const basic: [number, number, number, number][] = [];
  const basicIndex = new Map<string, number>();
  for (const [mu, nu] of tensors) {
    for (const [p, q, t] of triples(nu)) {
      basicIndex.set(`${mu}:${p}.${q}.${t}`, basic.length);
      basic.push([mu, p, q, t]);
    }
  }
  let count = basic.length;
  const times: [number, number, number, number][] = [];

  /** Contracts two partial tensors over all bundles between them; emits the times entries of the result. */
  const contract = (x: Partial, y: Partial): Partial => {
    const between = (g: [number, number, number], other: Partial) => other.members.includes(g[1]);
    const xc = x.groups.filter((g) => between(g, y));
    const yc = xc.map((g) => y.groups.find((h) => h[0] === g[1] && h[1] === g[0])!);
    const free = [...x.groups.filter((g) => !between(g, y)), ...y.groups.filter((g) => !between(g, x))];
    const result: Partial = { members: [...x.members, ...y.members], groups: free, index: new Map() };
    const acc = new Map<string, number>(); // "xi|yi|ti" -> multiplicity
    const freeChoices = free.map((g) => triples(g[2]));
    const bondChoices = xc.map((g) => triples(g[2]));
    const product = <T>(lists: T[][]): T[][] =>
      lists.reduce<T[][]>((acc2, l) => acc2.flatMap((a) => l.map((v) => [...a, v])), [[]]);
    for (const fc of product(freeChoices)) {
      const key = fc.map((t) => t.join('.')).join('/');
      let target = result.index.get(key);
      if (target === undefined) {
        target = count++;
        result.index.set(key, target);
      }
      for (const bc of product(bondChoices)) {
        let m = 1;
        for (const t of bc) m *= multinomial(t);
        const comp = (p: Partial, bonds: [number, number, number][]) => {
          const parts = p.groups.map((g) => {
            const b = bonds.findIndex((h) => h[0] === g[0] && h[1] === g[1]);
            if (b >= 0) return bc[b];
            const f = free.findIndex((h) => h[0] === g[0] && h[1] === g[1]);
            return fc[f];
          });
          return p.index.get(parts.map((t) => t.join('.')).join('/'))!;
        };
        const xi = comp(x, xc);
        const yi = comp(y, yc);
        const k = `${xi}|${yi}|${target}`;
        acc.set(k, (acc.get(k) ?? 0) + m);
      }
    }
    for (const [k, m] of acc) {
      const [a, b, t] = k.split('|').map(Number);
      times.push([a, b, m, t]);
    }
    return result;
  };

  /** The view of an original tensor as a partial: groups per neighbour, components mapped to basic moments. */
  const leaf = (g: Graph, v: number): Partial => {
    const [mu, nu] = g.tensors[v];
    const groups: [number, number, number][] = [];
    g.edges[v].forEach((e, u) => {
      if (u !== v && e > 0) groups.push([v, u, e]);
    });
    const index = new Map<string, number>();
    const product = <T>(lists: T[][]): T[][] =>
      lists.reduce<T[][]>((acc2, l) => acc2.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    for (const parts of product(groups.map((gr) => triples(gr[2])))) {
      const sum: Triple = [0, 0, 0];
      for (const t of parts) for (let d = 0; d < 3; d++) sum[d] += t[d];
      if (sum[0] + sum[1] + sum[2] !== nu) continue;
      index.set(parts.map((t) => t.join('.')).join('/'), basicIndex.get(`${mu}:${sum.join('.')}`)!);
    }
    return { members: [v], groups, index };
  };

  // each connected contraction: merge tensors along a connected order (each new tensor touches the merged part)
  const scalarOf: number[] = [];
  for (const g of graphs) {
    if (g.tensors.length === 1) {
      scalarOf.push(basicIndex.get(`${g.tensors[0][0]}:0.0.0`)!);
      continue;
    }
    const order = [0];
    while (order.length < g.tensors.length) {
      const next = g.tensors.findIndex((_, u) => !order.includes(u) && order.some((v) => g.edges[v][u] > 0));
      order.push(next);
    }
    let acc = leaf(g, order[0]);
    for (const v of order.slice(1)) acc = contract(acc, leaf(g, v));
    scalarOf.push(acc.index.get('')!);
  }

  // products of connected scalars: at most 4 tensors in all, level <= L
  const mapping: number[] = [];
  const productIndex = new Map<string, number>();
  const sizes = graphs.map((g) => g.tensors.length);
  const rec = (start: number, factors: number[], lev: number, tensorsUsed: number) => {
    if (factors.length > 0) {
      if (factors.length === 1) mapping.push(scalarOf[factors[0]]);
      else {
        const key = factors.join(',');
        const prefix = factors.slice(0, -1).join(',');
        const left = factors.length === 2 ? scalarOf[factors[0]] : productIndex.get(prefix)!;
        const target = count++;
        times.push([left, scalarOf[factors[factors.length - 1]], 1, target]);
        productIndex.set(key, target);
        mapping.push(target);
      }
    }
    for (let k = start; k < graphs.length; k++) {
      if (lev + graphs[k].level <= level && tensorsUsed + sizes[k] <= 4)
        rec(k, [...factors, k], lev + graphs[k].level, tensorsUsed + sizes[k]);
    }
  };
  rec(0, [], 0, 0);
  return {
    level,
    radialFuncsCount: radialFunctionCount(level),
    alphaIndexBasic: basic,
    alphaIndexTimes: times,
    alphaMomentMapping: mapping,
    alphaMomentsCount: count,
  };
}

/** The name basisTemplate gives a level's template (MLIP's own templates are named otherwise). */
function templateName(level: number): string {
  return `MTP${String(level).padStart(2, '0')}`;
}

/** The level of a potential whose basis basisTemplate made (its name survives training), or undefined. */
export function levelOfTemplateName(name: string): number | undefined {
  const m = /^MTP(\d+)$/.exec(name.trim());
  return m && templateName(Number(m[1])) === name.trim() ? Number(m[1]) : undefined;
}

/** An untrained MLIP template of this level (radial basis size 8 and cutoffs as MLIP's defaults unless given). */
export function basisTemplate(
  level: number,
  species: number,
  options: { minDist?: number; maxDist?: number; radialBasisSize?: number } = {},
): MtpFile {
  const b = generateBasis(level);
  return {
    version: '1.1.0',
    potentialName: templateName(level),
    scaling: 1,
    scalingWritten: false,
    speciesCount: species,
    potentialTag: '',
    radialBasisType: 'RBChebyshev',
    minDist: options.minDist ?? 2.0,
    maxDist: options.maxDist ?? 5.0,
    radialBasisSize: options.radialBasisSize ?? 8,
    radialFuncsCount: b.radialFuncsCount,
    radialCoeffs: null,
    alphaMomentsCount: b.alphaMomentsCount,
    alphaIndexBasic: b.alphaIndexBasic,
    alphaIndexTimes: b.alphaIndexTimes,
    alphaMomentMapping: b.alphaMomentMapping,
    speciesCoeffs: null,
    momentCoeffs: null,
  };
}
