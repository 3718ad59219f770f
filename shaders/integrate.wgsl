// Velocity Verlet, thermostats and bookkeeping for MD, all on the GPU (prepended: common/cell.wgsl, common/random.wgsl).
// Units: A, fs, eV, amu. velocities[i].w holds 1 / (m_i * 103.642697) so that dv = dt * F * w (F in eV/A); frozen
// atoms have w = 0 and v = 0, so kicks, drifts and thermostats leave them in place.
// A step for Langevin (BAOAB): kick(dt/2) drift(dt/2) O(dt) drift(dt/2) [list, forces] kick(dt/2).
// A step for NVE and CSVR: kick(dt/2)+drift(dt) [list, forces] kick(dt/2) [CSVR: rescale].
// A step for a Nose-Hoover chain: NHC(dt/2) kick(dt/2)+drift(dt) [list, forces] kick(dt/2) NHC(dt/2).
// Every reduction runs in one workgroup in a fixed order, so a seed reproduces a run bit for bit on one device.
// The neighbour list is rebuilt at steps the host schedules (wrap_rebuild, then the list's kernels); every drift
// checks the list on the GPU: it refreshes the fractional positions the force kernels read, keeps the largest
// displacement since the build, and marks the step if an atom moved more than skin/2. kick_end turns a mark on a step
// without a rebuild into the sticky stale flag, by which the host throws the batch away and redoes it with an
// earlier rebuild (docs/adr/0013-scheduled-list-rebuilds.md).

struct MdParams {
  natoms: u32,
  seed_lo: u32,
  seed_hi: u32,
  ndof: f32,
  dt: f32,
  kT: f32,
  // Langevin: exp(-gamma dt) for the O step; CSVR: exp(-dt / tau)
  decay: f32,
  // thermostat time constant, fs (CSVR, Nose-Hoover chain)
  tau: f32,
  // 1 when the force field has a neighbour list for the drifts to check, else 0
  has_list: u32,
  // (skin / 2)^2, A^2: a list stays valid while no atom moved farther than this from where it was at the build
  half_skin2: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> md: MdParams;
@group(0) @binding(1) var<storage, read_write> positions: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> velocities: array<vec4f>;
@group(0) @binding(3) var<storage, read> forces: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> images: array<vec4i>;
// [0] step counter (u32 bits), [1] kinetic energy before, [2] kinetic energy after, [3] velocity scale factor,
// [4] energy the thermostat has added since the start (eV): the conserved quantity is E_total - [4],
// [8..10] Nose-Hoover chain positions xi_1..3, [11..13] chain velocities v_xi (1/fs)
@group(0) @binding(5) var<storage, read_write> state: array<f32>;
@group(0) @binding(6) var<uniform> cell: CellParams;
// the neighbour list's bookkeeping (shaders/neighbors.wgsl, LIST_WORDS in src/potential/neighbors-gpu.ts), or zeros
// without a list: [0] rebuild this step, [1] rebuilds done, [2] largest displacement^2 since the build (f32 bits),
// [3] and [4] that largest displacement^2 and the steps of the last complete interval, [5] steps since the build,
// [6] stale (a step ran on a list some atom had outrun), [7] this step's drift outran the list
@group(0) @binding(7) var<storage, read_write> nl_rebuild: array<atomic<u32>, 8>;
// the list's fractional positions (written by the drifts for the force kernels) and those at the build
@group(0) @binding(8) var<storage, read_write> frac: array<vec4f>;
@group(0) @binding(9) var<storage, read> frac_ref: array<vec4f>;

var<workgroup> partial: array<f32, 256>;

// After atom i moved to p: its fractional position for the force kernels, and the check against the list.
fn drifted(i: u32, p: vec4f) {
  if (md.has_list == 0u) {
    return;
  }
  // inv_k.w holds the origin offset (non-zero only for the bounding box of a free cluster)
  let f = vec3f(dot(p.xyz, cell.inv0.xyz), dot(p.xyz, cell.inv1.xyz), dot(p.xyz, cell.inv2.xyz)) +
    vec3f(cell.inv0.w, cell.inv1.w, cell.inv2.w);
  frac[i] = vec4f(f, p.w);
  let d = frac_to_cart(cell, f - frac_ref[i].xyz);
  let d2 = dot(d, d);
  // non-negative floats order as their bits do
  atomicMax(&nl_rebuild[2], bitcast<u32>(d2));
  if (d2 > md.half_skin2) {
    atomicMax(&nl_rebuild[7], 1u);
  }
}

@compute @workgroup_size(64)
fn kick_half(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= md.natoms) {
    return;
  }
  let v = velocities[i];
  velocities[i] = vec4f(v.xyz + (0.5 * md.dt * v.w) * forces[i].xyz, v.w);
}

// The second half-kick, and the end of the step in its first thread: the step counter, a rebuild counted and its
// request cleared, or a drift that outran the list on a step without one made sticky for the host to see.
@compute @workgroup_size(64)
fn kick_end(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i == 0u) {
    state[0] = bitcast<f32>(bitcast<u32>(state[0]) + 1u);
    if (atomicLoad(&nl_rebuild[0]) != 0u) {
      atomicAdd(&nl_rebuild[1], 1u);
      atomicStore(&nl_rebuild[0], 0u);
    } else if (atomicLoad(&nl_rebuild[7]) != 0u) {
      atomicStore(&nl_rebuild[6], 1u);
    }
    atomicStore(&nl_rebuild[7], 0u);
    atomicAdd(&nl_rebuild[5], 1u);
  }
  if (i >= md.natoms) {
    return;
  }
  let v = velocities[i];
  velocities[i] = vec4f(v.xyz + (0.5 * md.dt * v.w) * forces[i].xyz, v.w);
}

// kick(dt/2) then drift(dt) in one pass over the atoms (NVE, CSVR, Nose-Hoover chain)
@compute @workgroup_size(64)
fn kick_drift(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= md.natoms) {
    return;
  }
  let v = velocities[i];
  let kicked = v.xyz + (0.5 * md.dt * v.w) * forces[i].xyz;
  velocities[i] = vec4f(kicked, v.w);
  let p = positions[i];
  let moved = vec4f(p.xyz + md.dt * kicked, p.w);
  positions[i] = moved;
  drifted(i, moved);
}

@compute @workgroup_size(64)
fn drift_half(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= md.natoms) {
    return;
  }
  let p = positions[i];
  let moved = vec4f(p.xyz + (0.5 * md.dt) * velocities[i].xyz, p.w);
  positions[i] = moved;
  drifted(i, moved);
}

// Langevin O step: v <- c v + sqrt((1 - c^2) kT / m) xi, with xi from Philox(atom, step).
@compute @workgroup_size(64)
fn langevin_o(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= md.natoms) {
    return;
  }
  let step = bitcast<u32>(state[0]);
  let xi = gaussian4(vec4u(i, step, 0x4c414e47u, 0u), vec2u(md.seed_lo, md.seed_hi));
  let v = velocities[i];
  let c = md.decay;
  let sigma = sqrt((1.0 - c * c) * md.kT * v.w);
  velocities[i] = vec4f(c * v.xyz + sigma * xi.xyz, v.w);
}

fn kinetic_energy(lid: u32) -> f32 {
  var s = 0.0;
  for (var i = lid; i < md.natoms; i += 256u) {
    let v = velocities[i];
    if (v.w > 0.0) {
      // frozen atoms carry w = 0 and no velocity
      s += 0.5 * dot(v.xyz, v.xyz) / v.w;
    }
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  return partial[0];
}

@compute @workgroup_size(256)
fn kinetic_before(@builtin(local_invocation_id) lid: vec3u) {
  let k = kinetic_energy(lid.x);
  if (lid.x == 0u) {
    state[1] = k;
  }
}

// After a Langevin O step: account the kinetic energy it exchanged with the bath.
@compute @workgroup_size(256)
fn kinetic_after(@builtin(local_invocation_id) lid: vec3u) {
  let k = kinetic_energy(lid.x);
  if (lid.x == 0u) {
    state[2] = k;
    state[4] += k - state[1];
  }
}

// Gamma(shape, 1) by Marsaglia and Tsang (shape >= 1), with normals and uniforms from Philox.
fn gamma_variate(shape: f32, step: u32) -> f32 {
  let d = shape - 1.0 / 3.0;
  let c = 1.0 / sqrt(9.0 * d);
  for (var tries = 0u; tries < 64u; tries++) {
    let g = gaussian4(vec4u(tries, step, 0x47414d4du, 1u), vec2u(md.seed_lo, md.seed_hi));
    let u = uniform01(philox4x32(vec4u(tries, step, 0x47414d4du, 2u), vec2u(md.seed_lo, md.seed_hi)).x);
    let x = g.x;
    let v = pow(1.0 + c * x, 3.0);
    if (v > 0.0 && log(u) < 0.5 * x * x + d - d * v + d * log(v)) {
      return d * v;
    }
  }
  return d;
}

// CSVR (Bussi, Donadio, Parrinello 2007): the new kinetic energy K' is drawn from the canonical relaxation
// K' = K c + Kt/Nf (1 - c) (R1^2 + S) + 2 R1 sqrt(K Kt/Nf c (1 - c)), S ~ chi^2(Nf - 1) = 2 Gamma((Nf - 1)/2).
@compute @workgroup_size(256)
fn csvr_factor(@builtin(local_invocation_id) lid: vec3u) {
  let k = kinetic_energy(lid.x);
  if (lid.x == 0u) {
    let step = bitcast<u32>(state[0]);
    let target_k = 0.5 * md.ndof * md.kT;
    let c = md.decay;
    let r1 = gaussian4(vec4u(0u, step, 0x43535652u, 0u), vec2u(md.seed_lo, md.seed_hi)).x;
    var s = 0.0;
    if (md.ndof > 1.0) {
      s = 2.0 * gamma_variate(0.5 * (md.ndof - 1.0), step);
    }
    var alpha2 = 1.0;
    if (k > 0.0) {
      let ratio = target_k / (md.ndof * k);
      alpha2 = c + (1.0 - c) * (r1 * r1 + s) * ratio + 2.0 * r1 * sqrt(c * (1.0 - c) * ratio);
    }
    let alpha = sqrt(max(alpha2, 0.0));
    state[1] = k;
    state[3] = alpha;
    state[4] += (alpha * alpha - 1.0) * k;
  }
}

// Nose-Hoover chain of length 3 (Martyna, Tuckerman, Klein 1992; propagation of Martyna et al., Mol. Phys. 87 (1996)
// 1117), half a step: updates the chain from the kinetic energy and leaves the velocity scale factor in state[3].
// Masses Q_1 = Nf kT tau^2, Q_j = kT tau^2. state[4] = -(chain energy), so E_total - state[4] is conserved.
const NHC_M: u32 = 3u;

// One link of the chain: v_j damped by v_{j+1} for dt/8, pushed by its force for dt/4, damped again. The first link's
// force comes from the kinetic energy k, the others' from the link below.
fn nhc_link(v: ptr<function, array<f32, 3>>, q: ptr<function, array<f32, 3>>, j: i32, k: f32, nf: f32, kT: f32, dt4: f32,
            dt8: f32) {
  let e = exp(-dt8 * (*v)[j + 1]);
  var g = (2.0 * k - nf * kT) / (*q)[0];
  if (j > 0) {
    g = ((*q)[j - 1] * (*v)[j - 1] * (*v)[j - 1] - kT) / (*q)[j];
  }
  (*v)[j] = ((*v)[j] * e + dt4 * g) * e;
}

@compute @workgroup_size(256)
fn nhc_half(@builtin(local_invocation_id) lid: vec3u) {
  var k = kinetic_energy(lid.x);
  if (lid.x != 0u) {
    return;
  }
  let kT = md.kT;
  let nf = md.ndof;
  let q1 = nf * kT * md.tau * md.tau;
  let qj = kT * md.tau * md.tau;
  let dt2 = 0.5 * md.dt;
  let dt4 = 0.25 * md.dt;
  let dt8 = 0.125 * md.dt;
  var v = array<f32, 3>(state[11], state[12], state[13]);
  var q = array<f32, 3>(q1, qj, qj);
  // backward sweep
  v[2] += dt4 * (q[1] * v[1] * v[1] - kT) / q[2];
  for (var j = 1; j >= 0; j--) {
    nhc_link(&v, &q, j, k, nf, kT, dt4, dt8);
  }
  let scale = exp(-dt2 * v[0]);
  k *= scale * scale;
  state[8] += dt2 * v[0];
  state[9] += dt2 * v[1];
  state[10] += dt2 * v[2];
  // forward sweep
  for (var j = 0; j < 2; j++) {
    nhc_link(&v, &q, j, k, nf, kT, dt4, dt8);
  }
  v[2] += dt4 * (q[1] * v[1] * v[1] - kT) / q[2];
  state[11] = v[0];
  state[12] = v[1];
  state[13] = v[2];
  state[3] = scale;
  let chain = 0.5 * (q[0] * v[0] * v[0] + q[1] * v[1] * v[1] + q[2] * v[2] * v[2]) + nf * kT * state[8] + kT * (state[9] + state[10]);
  state[4] = -chain;
}

@compute @workgroup_size(64)
fn csvr_scale(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= md.natoms) {
    return;
  }
  let v = velocities[i];
  velocities[i] = vec4f(state[3] * v.xyz, v.w);
}

// At a scheduled rebuild, before the list's kernels: positions back into the cell, the lattice translations counted
// in `images`, so unwrapped coordinates (position + images . lattice) stay exact; the first thread raises the list's
// rebuild gate for its kernels.
@compute @workgroup_size(64)
fn wrap_rebuild(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i == 0u) {
    atomicStore(&nl_rebuild[0], 1u);
  }
  if (i >= md.natoms) {
    return;
  }
  let p = positions[i];
  let f = vec3f(dot(p.xyz, cell.inv0.xyz), dot(p.xyz, cell.inv1.xyz), dot(p.xyz, cell.inv2.xyz));
  let n = select(vec3f(0.0), floor(f), cell.pbc.xyz == vec3u(1u));
  if (any(n != vec3f(0.0))) {
    positions[i] = vec4f(p.xyz - frac_to_cart(cell, n), p.w);
    images[i] = images[i] + vec4i(vec3i(n), 0);
  }
}
