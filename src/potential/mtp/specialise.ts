/**
 * Fills the specialised MTP kernels (shaders/mtp-specialised.wgsl and mtp-block.wgsl, with their neighbour walks from
 * mtp-specialised-walks.wgsl) with one model's basis as straight-line statements: each basic moment, contracted
 * moment, dE/dM and monomial of the unit vector becomes a named scalar. Only what a basis function depends on is
 * emitted (a moment with a zero coefficient that feeds no other is dropped). docs/adr/0009-md-step-speed.md and
 * 0012-block-parallel-mtp-kernel.md record why and the measurements.
 */
import blockWgsl from '../../../shaders/mtp-block.wgsl?raw';
import threadWgsl from '../../../shaders/mtp-specialised.wgsl?raw';
import walksWgsl from '../../../shaders/mtp-specialised-walks.wgsl?raw';
import type { MtpModel } from './model.ts';

/**
 * How the specialised kernel spreads the work: one thread per atom (shaders/mtp-specialised.wgsl), or a workgroup of
 * BLOCK_LANES threads per atom over its neighbours (shaders/mtp-block.wgsl).
 */
export type SpecialisedLayout = 'thread' | 'block';

/** Threads per atom of the block layout (the template's LANES and workgroup size). */
export const BLOCK_LANES = 32;
/**
 * Moments summed per round of the block layout's tree: its workgroup memory is RED_ROWS x BLOCK_LANES f32, 16 KiB,
 * the least every WebGPU device gives (maxComputeWorkgroupStorageSize).
 */
const RED_ROWS = 16384 / 4 / BLOCK_LANES;

/**
 * The largest model the specialised kernel is made for (contractions left after pruning). Level 16 has 969; level 24
 * has 36,170, whose straight-line code would take the shader compiler minutes: such models use the generic kernel.
 */
export const SPECIALISE_MAX_CONTRACTIONS = 4000;

/** A float as a WGSL f32 literal that reads back to the same f32 (negative values parenthesised). */
function lit(x: number): string {
  const v = Math.fround(x);
  if (!Number.isFinite(v)) throw new Error(`specialised MTP kernel: coefficient ${x} is not a finite f32`);
  let s = v.toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return v < 0 ? `(${s})` : s;
}

/** Which moments the energy depends on: those with a coefficient, and the factors of a needed contraction. */
function neededMoments(model: MtpModel, linear: Float64Array): boolean[] {
  const need = Array.from(linear, (c) => c !== 0);
  for (let t = model.timesMult.length - 1; t >= 0; t--) {
    if (!need[model.times[3 * t + 2]]) continue;
    need[model.times[3 * t]] = true;
    need[model.times[3 * t + 1]] = true;
  }
  return need;
}

/** The energy's coefficient of each moment (zero for a moment that is not a basis function). */
export function linearCoefficients(model: MtpModel): Float64Array {
  const linear = new Float64Array(model.momentsCount);
  model.mapping.forEach((k, n) => {
    linear[k] += model.momentCoeffs[n];
  });
  return linear;
}

/** Contractions the energy depends on, in file order. */
function liveContractions(model: MtpModel, need: boolean[]): number[] {
  const live: number[] = [];
  for (let t = 0; t < model.timesMult.length; t++) if (need[model.times[3 * t + 2]]) live.push(t);
  return live;
}

export function canSpecialise(model: MtpModel): boolean {
  return liveContractions(model, neededMoments(model, linearCoefficients(model))).length <= SPECIALISE_MAX_CONTRACTIONS;
}

const monomialName = (p: number, q: number, t: number) => `p${p}_${q}_${t}`;

function monomialStatements(used: Set<string>, maxPower: [number, number, number]): string[] {
  const out: string[] = [];
  const axes = ['x', 'y', 'z'];
  for (let k = 0; k < 3; k++) {
    if (maxPower[k] >= 1) out.push(`let ${axes[k]}1 = u.${axes[k]};`);
    for (let n = 2; n <= maxPower[k]; n++) out.push(`let ${axes[k]}${n} = ${axes[k]}${n - 1} * ${axes[k]}1;`);
  }
  for (const key of used) {
    const [p, q, t] = key.split(',').map(Number);
    const factors = [p ? `x${p}` : '', q ? `y${q}` : '', t ? `z${t}` : ''].filter(Boolean);
    out.push(`let ${monomialName(p, q, t)} = ${factors.length ? factors.join(' * ') : '1.0'};`);
  }
  return out;
}

function chebyshev(nq: number, derivatives: boolean): string[] {
  const out = ['let t0 = 1.0;'];
  if (nq > 1) out.push('let t1 = x;');
  for (let q = 2; q < nq; q++) out.push(`let t${q} = 2.0 * x * t${q - 1} - t${q - 2};`);
  if (derivatives) {
    out.push('let dt0 = 0.0;');
    if (nq > 1) out.push('let dt1 = 1.0;');
    for (let q = 2; q < nq; q++) out.push(`let dt${q} = 2.0 * t${q - 1} + 2.0 * x * dt${q - 1} - dt${q - 2};`);
  }
  return out;
}

/** f_mu = c sum_q C_q T_q; f'_mu = dc sum_q C_q T_q + c dxdr sum_q C_q T'_q (C from `tab` at row rc). */
function radialStatements(model: MtpModel, mus: number[], derivatives: boolean): string[] {
  const nq = model.radialBasisSize;
  const out = chebyshev(nq, derivatives);
  for (const mu of mus) {
    const coeff = (q: number) => `tabf(rc + ${mu * nq + q}u)`;
    const terms = Array.from({ length: nq }, (_, q) => `${coeff(q)} * t${q}`);
    out.push(`let sum${mu} = ${terms.join(' + ')};`);
    if (derivatives) {
      const dterms = Array.from({ length: nq - 1 }, (_, q) => `${coeff(q + 1)} * dt${q + 1}`);
      out.push(`let dsum${mu} = ${dterms.length ? dterms.join(' + ') : '0.0'};`);
      out.push(`let f${mu} = c * sum${mu};`);
      out.push(`let df${mu} = dc * sum${mu} + c * dxdr * dsum${mu};`);
    } else {
      out.push(`let f${mu} = c * sum${mu};`);
    }
  }
  return out;
}

/**
 * The block layout's sum of every lane's partial basic moments: in rounds of at most RED_ROWS moments, each written to
 * its row of workgroup memory and summed by a fixed tree, then read back into the moment's variable in every lane.
 */
function blockReduction(basics: number[]): string[] {
  const out: string[] = [];
  for (let start = 0; start < basics.length; start += RED_ROWS) {
    const chunk = basics.slice(start, start + RED_ROWS);
    out.push('workgroupBarrier();');
    chunk.forEach((b, k) => {
      out.push(`red[${k}u * LANES + lane] = m${b};`);
    });
    out.push('for (var stride = LANES / 2u; stride > 0u; stride = stride / 2u) {', '  workgroupBarrier();');
    out.push('  if (lane < stride) {');
    chunk.forEach((_, k) => {
      out.push(`    red[${k}u * LANES + lane] += red[${k}u * LANES + lane + stride];`);
    });
    out.push('  }', '}', 'workgroupBarrier();');
    chunk.forEach((b, k) => {
      out.push(`m${b} = red[${k}u * LANES];`);
    });
  }
  return out;
}

/** The walks' bodies by name (`//@fragment NAME` up to the next fragment), as lines. */
function walkFragments(): Map<string, string[]> {
  const fragments = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of walksWgsl.split('\n')) {
    const m = /^\/\/@fragment (\w+)\s*$/.exec(line);
    if (m) {
      current = [];
      fragments.set(m[1], current);
    } else if (current) current.push(line);
  }
  for (const lines of fragments.values()) while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return fragments;
}

/** `template` with each `//@walk NAME` line replaced by that walk's body, indented as the line is. */
function withWalks(template: string, file: string): string {
  const fragments = walkFragments();
  return template
    .split('\n')
    .flatMap((line) => {
      const m = /^(\s*)\/\/@walk (\w+)\s*$/.exec(line);
      if (!m) return [line];
      const body = fragments.get(m[2]);
      if (!body) throw new Error(`${file} asks for an unknown walk '${m[2]}' (shaders/mtp-specialised-walks.wgsl)`);
      return body.map((l) => (l ? m[1] + l : l));
    })
    .join('\n');
}

/** The specialised kernel's source for `model` (before the shared cell and MTP declarations are prepended). */
export function specialisedMtpSource(model: MtpModel, layout: SpecialisedLayout = 'thread'): string {
  const templateWgsl = layout === 'block' ? blockWgsl : threadWgsl;
  const template = layout === 'block' ? 'shaders/mtp-block.wgsl' : 'shaders/mtp-specialised.wgsl';
  if (layout === 'block' && !templateWgsl.includes(`const LANES = ${BLOCK_LANES}u;`))
    throw new Error(`${template} must declare const LANES = ${BLOCK_LANES}u (BLOCK_LANES)`);
  const linear = linearCoefficients(model);
  const need = neededMoments(model, linear);
  const live = liveContractions(model, need);
  if (live.length > SPECIALISE_MAX_CONTRACTIONS)
    throw new Error(
      `the specialised MTP kernel takes at most ${SPECIALISE_MAX_CONTRACTIONS} contractions; this model has ${live.length}`,
    );
  const basics: number[] = [];
  for (let b = 0; b < model.basicCount; b++) if (need[b]) basics.push(b);
  const entry = (b: number) => Array.from(model.basic.subarray(4 * b, 4 * b + 4));
  const mus = [...new Set(basics.map((b) => entry(b)[0]))].sort((x, y) => x - y);
  const maxPower: [number, number, number] = [0, 0, 0];
  const valueMonomials = new Set<string>();
  const gradientMonomials = new Set<string>();
  for (const b of basics) {
    const [, p, q, t] = entry(b);
    maxPower[0] = Math.max(maxPower[0], p);
    maxPower[1] = Math.max(maxPower[1], q);
    maxPower[2] = Math.max(maxPower[2], t);
    valueMonomials.add(`${p},${q},${t}`);
    gradientMonomials.add(`${p},${q},${t}`);
    if (p > 0) gradientMonomials.add(`${p - 1},${q},${t}`);
    if (q > 0) gradientMonomials.add(`${p},${q - 1},${t}`);
    if (t > 0) gradientMonomials.add(`${p},${q},${t - 1}`);
  }
  const sections: Record<string, string[]> = {};
  sections.declare_basic = basics.map((b) => `var m${b} = 0.0;`);
  sections.radial_values = radialStatements(model, mus, false);
  sections.accumulate = basics.map((b) => {
    const [mu, p, q, t] = entry(b);
    return `m${b} += f${mu} * ${monomialName(p, q, t)};`;
  });
  // contractions forward, the energy, then dE/dM backward (g_k); a target's first contribution declares it
  const contract: string[] = [];
  const declared = new Set<number>(basics);
  for (const t of live) {
    const [i0, i1, k] = [model.times[3 * t], model.times[3 * t + 1], model.times[3 * t + 2]];
    const term = `${lit(model.timesMult[t])} * m${i0} * m${i1}`;
    if (declared.has(k)) contract.push(`m${k} += ${term};`);
    else {
      contract.push(`var m${k} = ${term};`);
      declared.add(k);
    }
  }
  for (let k = 0; k < model.momentsCount; k++)
    if (linear[k] !== 0) contract.push(`energy += ${lit(linear[k])} * m${k};`);
  for (let k = 0; k < model.momentsCount; k++)
    if (need[k]) contract.push(`var g${k} = ${linear[k] !== 0 ? lit(linear[k]) : '0.0'};`);
  for (let n = live.length - 1; n >= 0; n--) {
    const t = live[n];
    const [i0, i1, k] = [model.times[3 * t], model.times[3 * t + 1], model.times[3 * t + 2]];
    contract.push(`{ let w = ${lit(model.timesMult[t])} * g${k}; g${i0} += w * m${i1}; g${i1} += w * m${i0}; }`);
  }
  sections.contract = contract;
  sections.radial_derivatives = radialStatements(model, mus, true);
  // pair gradient: along_u += g_b (f'_mu - n f_mu / r) P_b; across += g_b f_mu grad_u P_b
  const gradient: string[] = [];
  const degrees = new Set<string>();
  for (const b of basics) {
    const [mu, p, q, t] = entry(b);
    degrees.add(`${mu},${p + q + t}`);
  }
  for (const key of degrees) {
    const [mu, n] = key.split(',').map(Number);
    gradient.push(`let h${mu}_${n} = df${mu} - ${n}.0 * f${mu} * rinv;`);
  }
  for (const b of basics) {
    const [mu, p, q, t] = entry(b);
    const n = p + q + t;
    gradient.push(`along_u += g${b} * h${mu}_${n} * ${monomialName(p, q, t)};`);
    if (n === 0) continue;
    const dx = p > 0 ? `${p}.0 * ${monomialName(p - 1, q, t)}` : '0.0';
    const dy = q > 0 ? `${q}.0 * ${monomialName(p, q - 1, t)}` : '0.0';
    const dz = t > 0 ? `${t}.0 * ${monomialName(p, q, t - 1)}` : '0.0';
    gradient.push(`across += (g${b} * f${mu}) * vec3f(${dx}, ${dy}, ${dz});`);
  }
  sections.gradient = gradient;
  if (layout === 'block') {
    // rows for the moments' rounds and for the virial's nine sums and the nearest distance
    const rows = Math.max(10, Math.min(basics.length, RED_ROWS));
    sections.workgroup_memory = [`var<workgroup> red: array<f32, ${rows * BLOCK_LANES}>;`];
    sections.reduce_basic = blockReduction(basics);
  }
  let monomialsSeen = 0;
  const lines = withWalks(templateWgsl, template)
    .split('\n')
    .flatMap((line) => {
      const m = /^(\s*)\/\/@insert (\w+)\s*$/.exec(line);
      if (!m) return [line];
      const [, indent, name] = m;
      let body: string[];
      if (name === 'monomials') {
        // the first walk needs the moments' monomials, the second also those of their gradients
        body = monomialStatements(monomialsSeen++ === 0 ? valueMonomials : gradientMonomials, maxPower);
      } else {
        body = sections[name];
        if (!body) throw new Error(`${template} asks for an unknown section '${name}'`);
        delete sections[name];
      }
      return body.map((s) => indent + s);
    });
  const unused = Object.keys(sections);
  if (unused.length > 0 || monomialsSeen !== 2)
    throw new Error(`${template} lost its insertion points (${unused.join(', ') || 'monomials'})`);
  return lines.join('\n');
}
