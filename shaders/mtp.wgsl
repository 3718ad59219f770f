// Moment Tensor Potential on the GPU (MLIP-2 definitions, test/fixtures/mtp/SPEC.md), generic over level and species:
// the basis (basic moments, contractions, coefficients) is data in `tab`, not code.
//
// mtp_moments (one thread per atom): basic moments from the neighbour list, contractions in file order, the site
//   energy, then dE/dM back-propagated through the contractions; stores dE/dB (one number per basic moment) per atom.
// mtp_pair_gradients (one thread per atom i): g_i(r_e) = dV_i/dr_e for every entry e of its list, stored per entry,
//   and the per-atom virial W_i = -sum_e g_i(r_e) (x) r_e (MLIP's PlusStress convention).
//   The forces are gathered from the pair gradients by mtp_gather_forces (shaders/mtp-common.wgsl).
//
// For a model small enough, shaders/mtp-specialised.wgsl does the same work with the basis compiled in; this path
// serves every model and is the one the specialised kernel is tested beside.

const MAXQ: u32 = 32u;
const MAXR: u32 = 16u;
const MAXP: u32 = 32u;

// Basic moments with at most this many entries are accumulated in registers/private memory; larger bases (level 20
// and up) use the per-atom global scratch. Both paths are exercised by the tests (levels 16 and 24).
const MAXB_PRIVATE: u32 = 256u;

// A basic moment {mu, p, q, t} is packed in one u32, a byte each.
fn basic_entry(b: u32) -> vec4u {
  let v = tab[mtp.o_basic + b];
  return vec4u(v & 255u, (v >> 8u) & 255u, (v >> 16u) & 255u, v >> 24u);
}

// phi_q(r) = scaling * T_q(x) * (r - max_dist)^2 and its r-derivative.
fn radial_basis(r: f32, phi: ptr<function, array<f32, MAXQ>>, dphi: ptr<function, array<f32, MAXQ>>) {
  let width = mtp.max_dist - mtp.min_dist;
  let x = (2.0 * r - (mtp.min_dist + mtp.max_dist)) / width;
  let dxdr = 2.0 / width;
  let c = (r - mtp.max_dist) * (r - mtp.max_dist);
  let dc = 2.0 * (r - mtp.max_dist);
  var t0 = 1.0;
  var dt0 = 0.0;
  var t1 = x;
  var dt1 = 1.0;
  (*phi)[0] = mtp.scaling * c;
  (*dphi)[0] = mtp.scaling * dc;
  if (mtp.nq > 1u) {
    (*phi)[1] = mtp.scaling * x * c;
    (*dphi)[1] = mtp.scaling * (dxdr * c + x * dc);
  }
  for (var q = 2u; q < mtp.nq; q++) {
    let t2 = 2.0 * x * t1 - t0;
    let dt2 = 2.0 * t1 + 2.0 * x * dt1 - dt0;
    (*phi)[q] = mtp.scaling * t2 * c;
    (*dphi)[q] = mtp.scaling * (dt2 * dxdr * c + t2 * dc);
    t0 = t1;
    dt0 = dt1;
    t1 = t2;
    dt1 = dt2;
  }
}

// f_mu and f'_mu for a centre of type a and a neighbour of type b.
fn radial_functions(a: u32, b: u32, phi: ptr<function, array<f32, MAXQ>>, dphi: ptr<function, array<f32, MAXQ>>,
                    f: ptr<function, array<f32, MAXR>>, df: ptr<function, array<f32, MAXR>>) {
  for (var mu = 0u; mu < mtp.nrad; mu++) {
    let base = mtp.o_rad + ((a * mtp.species + b) * mtp.nrad + mu) * mtp.nq;
    var v = 0.0;
    var dv = 0.0;
    for (var q = 0u; q < mtp.nq; q++) {
      let cq = tabf(base + q);
      v += cq * (*phi)[q];
      dv += cq * (*dphi)[q];
    }
    (*f)[mu] = v;
    (*df)[mu] = dv;
  }
}

// Powers of the unit vector's components: u.x^k at [k], u.y^k at [MAXP + k], u.z^k at [2 MAXP + k].
fn unit_powers(u: vec3f, pw: ptr<function, array<f32, 3 * MAXP>>) {
  (*pw)[0] = 1.0;
  (*pw)[MAXP] = 1.0;
  (*pw)[2u * MAXP] = 1.0;
  for (var k = 1u; k <= mtp.max_power; k++) {
    (*pw)[k] = (*pw)[k - 1u] * u.x;
    (*pw)[MAXP + k] = (*pw)[MAXP + k - 1u] * u.y;
    (*pw)[2u * MAXP + k] = (*pw)[2u * MAXP + k - 1u] * u.z;
  }
}

@compute @workgroup_size(64)
fn mtp_moments(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x;
  if (local >= mtp.batch_count) {
    return;
  }
  let i = mtp.batch_start + local;
  let a = type_of(frac[i]);
  let m0 = local * 2u * mtp.nmom;
  let g0 = m0 + mtp.nmom;
  for (var k = 0u; k < mtp.nmom; k++) {
    scratch[m0 + k] = 0.0;
    scratch[g0 + k] = 0.0;
  }
  var phi: array<f32, MAXQ>;
  var dphi: array<f32, MAXQ>;
  var f: array<f32, MAXR>;
  var df: array<f32, MAXR>;
  var pw: array<f32, 3 * MAXP>;
  var acc: array<f32, MAXB_PRIVATE>;
  let in_private = mtp.nbasic <= MAXB_PRIVATE;
  let count = min(nbr_count[i], mtp.capacity);
  for (var s = 0u; s < count; s++) {
    let e = nbr[i * mtp.capacity + s];
    let d = displacement(i, e);
    let r2 = dot(d, d);
    if (r2 >= mtp.cut2) {
      continue;
    }
    let r = sqrt(r2);
    radial_basis(r, &phi, &dphi);
    radial_functions(a, type_of(frac[e.x]), &phi, &dphi, &f, &df);
    unit_powers(d / r, &pw);
    if (in_private) {
      for (var b = 0u; b < mtp.nbasic; b++) {
        let k = basic_entry(b);
        acc[b] += f[k.x] * pw[k.y] * pw[MAXP + k.z] * pw[2u * MAXP + k.w];
      }
    } else {
      for (var b = 0u; b < mtp.nbasic; b++) {
        let k = basic_entry(b);
        scratch[m0 + b] += f[k.x] * pw[k.y] * pw[MAXP + k.z] * pw[2u * MAXP + k.w];
      }
    }
  }
  if (in_private) {
    for (var b = 0u; b < mtp.nbasic; b++) {
      scratch[m0 + b] = acc[b];
    }
  }
  // contractions, in file order
  for (var t = 0u; t < mtp.ntimes; t++) {
    let idx = mtp.o_times + 4u * t;
    let k = tab[idx + 2u];
    scratch[m0 + k] += tabf(idx + 3u) * scratch[m0 + tab[idx]] * scratch[m0 + tab[idx + 1u]];
  }
  var energy = tabf(mtp.o_spec + a);
  for (var k = 0u; k < mtp.nmom; k++) {
    let c = tabf(mtp.o_lin + k);
    energy += c * scratch[m0 + k];
    scratch[g0 + k] = c;
  }
  atom_energy[i] = energy;
  // back-propagation, last contraction first
  for (var t = mtp.ntimes; t > 0u; t--) {
    let idx = mtp.o_times + 4u * (t - 1u);
    let g = scratch[g0 + tab[idx + 2u]];
    if (g != 0.0) {
      let w = tabf(idx + 3u) * g;
      let i0 = tab[idx];
      let i1 = tab[idx + 1u];
      scratch[g0 + i0] += w * scratch[m0 + i1];
      scratch[g0 + i1] += w * scratch[m0 + i0];
    }
  }
  for (var b = 0u; b < mtp.nbasic; b++) {
    dedb[i * mtp.nbasic + b] = scratch[g0 + b];
  }
}

// g = dV_centre / d r for one neighbour at displacement d (|d| = r), with phi/dphi already evaluated at r.
fn pair_gradient(centre: u32, a: u32, b: u32, d: vec3f, r: f32, phi: ptr<function, array<f32, MAXQ>>,
                 dphi: ptr<function, array<f32, MAXQ>>) -> vec3f {
  var f: array<f32, MAXR>;
  var df: array<f32, MAXR>;
  var pw: array<f32, 3 * MAXP>;
  radial_functions(a, b, phi, dphi, &f, &df);
  let u = d / r;
  unit_powers(u, &pw);
  var g = vec3f(0.0);
  let base = centre * mtp.nbasic;
  for (var k = 0u; k < mtp.nbasic; k++) {
    let G = dedb[base + k];
    if (G == 0.0) {
      continue;
    }
    let entry = basic_entry(k);
    let mu = entry.x;
    let p = entry.y;
    let q = entry.z;
    let t = entry.w;
    let xp = pw[p];
    let yq = pw[MAXP + q];
    let zt = pw[2u * MAXP + t];
    let P = xp * yq * zt;
    // grad of f(r) P(u): u (f' P - n f P / r) + (f / r) grad_u P   (P homogeneous of degree n = p + q + t)
    var dP = vec3f(0.0);
    if (p > 0u) {
      dP.x = f32(p) * pw[p - 1u] * yq * zt;
    }
    if (q > 0u) {
      dP.y = f32(q) * xp * pw[MAXP + q - 1u] * zt;
    }
    if (t > 0u) {
      dP.z = f32(t) * xp * yq * pw[2u * MAXP + t - 1u];
    }
    let n = f32(p + q + t);
    let fv = f[mu];
    g += G * (u * (df[mu] * P - n * fv * P / r) + (fv / r) * dP);
  }
  return g;
}

@compute @workgroup_size(64)
fn mtp_pair_gradients(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= mtp.natoms) {
    return;
  }
  let a = type_of(frac[i]);
  var phi: array<f32, MAXQ>;
  var dphi: array<f32, MAXQ>;
  var w0 = vec3f(0.0);
  var w1 = vec3f(0.0);
  var w2 = vec3f(0.0);
  var min_r2 = mtp.cut2;
  let count = min(nbr_count[i], mtp.capacity);
  for (var s = 0u; s < count; s++) {
    let slot = i * mtp.capacity + s;
    let e = nbr[slot];
    let d = displacement(i, e);
    let r2 = dot(d, d);
    min_r2 = min(min_r2, r2);
    var g = vec3f(0.0);
    if (r2 < mtp.cut2) {
      let r = sqrt(r2);
      radial_basis(r, &phi, &dphi);
      g = pair_gradient(i, a, type_of(frac[e.x]), d, r, &phi, &dphi);
    }
    pair_grad[slot] = vec4f(g, 0.0);
    w0 -= g.x * d;
    w1 -= g.y * d;
    w2 -= g.z * d;
  }
  atom_min_dist[i] = sqrt(min_r2);
  store_virial(i, w0, w1, w2);
}
