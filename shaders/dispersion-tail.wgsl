// The dispersion tail beyond the MTP's reach (src/potential/dispersion-tail.ts holds its float64 form and the why):
// phi(r) = -C6_ab S(r) / r^6, S switched on between on0 and on1 and tapered off between off0 and off1 by quintic
// smoothsteps (on1 < off0, which the tail's file is checked for). Prepended: common/cell.wgsl. It runs after the MTP's gather in the same pass and adds to its outputs.
// Each atom walks its own entries of the long list (every pair is listed from both ends) and writes only its own
// force, half of each pair's energy and half of each pair's virial, so the kernel needs no atomics. Positions are the
// MD engine's current fractional coordinates (the short list's, which the drifts keep up to date); the long list
// was built at the same step as the short one, with the same skin.

struct TailParams {
  natoms: u32,
  ntypes: u32,
  on0: f32,
  on1: f32,
  off0: f32,
  off1: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> cell: CellParams;
@group(0) @binding(1) var<uniform> tp: TailParams;
// C6 by the potential's species types, row-major ntypes x ntypes, eV A^6
@group(0) @binding(2) var<storage, read> c6: array<f32>;
@group(0) @binding(3) var<storage, read> frac: array<vec4f>;
@group(0) @binding(4) var<storage, read> nbr: array<vec2u>;
@group(0) @binding(5) var<storage, read> nbr_count: array<u32>;
@group(0) @binding(6) var<storage, read_write> forces: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> atom_energy: array<f32>;
@group(0) @binding(8) var<storage, read_write> atom_virial: array<f32>;

@compute @workgroup_size(64)
fn dispersion_tail(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= tp.natoms) {
    return;
  }
  let fi = frac[i];
  let row = type_of(fi) * tp.ntypes;
  let count = min(nbr_count[i], cell.capacity);
  let base = i * cell.capacity;
  var f = vec3f(0.0);
  var e = 0.0;
  // this atom's half of the virial, W_ab = -sum (dphi/dr / r) d_a d_b / 2, symmetric: xx yy zz, then yz xz xy
  var wd = vec3f(0.0);
  var wo = vec3f(0.0);
  let on0_2 = tp.on0 * tp.on0;
  let on1_2 = tp.on1 * tp.on1;
  let off0_2 = tp.off0 * tp.off0;
  let off1_2 = tp.off1 * tp.off1;
  let inv_w_on = 1.0 / (tp.on1 - tp.on0);
  let inv_w_off = 1.0 / (tp.off1 - tp.off0);
  for (var s = 0u; s < count; s++) {
    let entry = nbr[base + s];
    let fj = frac[entry.x];
    let d = frac_to_cart(cell, fj.xyz - fi.xyz + unpack_shift(entry.y));
    let r2 = dot(d, d);
    if (r2 <= on0_2 || r2 >= off1_2) {
      continue;
    }
    let k = c6[row + type_of(fj)];
    let inv2 = 1.0 / r2;
    let inv6 = inv2 * inv2 * inv2;
    var sw = 1.0;
    // d(sw)/dr / r
    var dsw_r = 0.0;
    // most pairs lie between the switch and the taper, where S = 1: no square root there. Elsewhere one quintic
    // smoothstep, x^3 (10 - 15 x + 6 x^2) on the switch or one minus it on the taper (the two never overlap).
    if (r2 < on1_2 || r2 > off0_2) {
      let on_side = r2 < on1_2;
      let inv_r = inverseSqrt(r2);
      let inv_w = select(inv_w_off, inv_w_on, on_side);
      let x = (r2 * inv_r - select(tp.off0, tp.on0, on_side)) * inv_w;
      let p = x * x * x * (10.0 + x * (-15.0 + 6.0 * x));
      let dp = 30.0 * x * x * (1.0 - x) * (1.0 - x) * inv_w;
      sw = select(1.0 - p, p, on_side);
      dsw_r = select(-dp, dp, on_side) * inv_r;
    }
    e += -0.5 * k * sw * inv6;
    // dphi/dr / r, phi = -k S / r^6: the pair's force on i is +g d (d points from i to j)
    let g = -k * inv6 * (dsw_r - 6.0 * sw * inv2);
    f += g * d;
    let h = -0.5 * g;
    wd += h * d * d;
    wo += h * vec3f(d.y * d.z, d.x * d.z, d.x * d.y);
  }
  forces[i] = vec4f(forces[i].xyz + f, forces[i].w);
  atom_energy[i] += e;
  let v = 9u * i;
  atom_virial[v] += wd.x;
  atom_virial[v + 1u] += wo.z;
  atom_virial[v + 2u] += wo.y;
  atom_virial[v + 3u] += wo.z;
  atom_virial[v + 4u] += wd.y;
  atom_virial[v + 5u] += wo.x;
  atom_virial[v + 6u] += wo.y;
  atom_virial[v + 7u] += wo.x;
  atom_virial[v + 8u] += wd.z;
}
