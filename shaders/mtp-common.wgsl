// Shared by the MTP kernels (shaders/mtp.wgsl, the generic path, and shaders/mtp-specialised.wgsl, the template
// filled with one model's basis): the parameter block, the bindings, displacements and the force gather.
//
// mtp_gather_forces (one thread per atom i): F_i = sum_e [g_i(r_e) - g_j(r_e')], where g_i(r_e) = dV_i/dr_e is the
//   pair gradient stored per list entry e and e' is the entry of j's list that points back to i through the opposite
//   image shift (found once per list build, nl_reverse). No atomics; sums run in neighbour-list order, so results are
//   bitwise repeatable.

struct MtpParams {
  natoms: u32,
  species: u32,
  nrad: u32,
  nq: u32,
  nbasic: u32,
  nmom: u32,
  ntimes: u32,
  capacity: u32,
  o_rad: u32,
  o_basic: u32,
  o_times: u32,
  o_lin: u32,
  o_spec: u32,
  max_power: u32,
  batch_start: u32,
  batch_count: u32,
  min_dist: f32,
  max_dist: f32,
  scaling: f32,
  cut2: f32,
}

@group(0) @binding(0) var<uniform> cell: CellParams;
@group(0) @binding(1) var<uniform> mtp: MtpParams;
@group(0) @binding(2) var<storage, read> frac: array<vec4f>;
@group(0) @binding(3) var<storage, read> nbr: array<vec2u>;
@group(0) @binding(4) var<storage, read> nbr_count: array<u32>;
@group(0) @binding(5) var<storage, read> tab: array<u32>;
@group(0) @binding(6) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(7) var<storage, read_write> dedb: array<f32>;
@group(0) @binding(8) var<storage, read_write> atom_energy: array<f32>;
@group(0) @binding(9) var<storage, read_write> forces: array<vec4f>;
@group(0) @binding(10) var<storage, read_write> atom_virial: array<f32>;
@group(0) @binding(11) var<storage, read_write> pair_grad: array<vec4f>;
@group(0) @binding(12) var<storage, read> reverse_slot: array<u32>;
// the shortest distance of each atom to any neighbour (A), for blow-up checks in MD
@group(0) @binding(13) var<storage, read_write> atom_min_dist: array<f32>;

fn tabf(k: u32) -> f32 {
  return bitcast<f32>(tab[k]);
}

// The per-atom virial W_i (rows w0, w1, w2: W_ab = w_a.b), row-major.
fn store_virial(i: u32, w0: vec3f, w1: vec3f, w2: vec3f) {
  let v = 9u * i;
  atom_virial[v] = w0.x;
  atom_virial[v + 1u] = w0.y;
  atom_virial[v + 2u] = w0.z;
  atom_virial[v + 3u] = w1.x;
  atom_virial[v + 4u] = w1.y;
  atom_virial[v + 5u] = w1.z;
  atom_virial[v + 6u] = w2.x;
  atom_virial[v + 7u] = w2.y;
  atom_virial[v + 8u] = w2.z;
}

fn displacement(i: u32, e: vec2u) -> vec3f {
  return frac_to_cart(cell, frac[e.x].xyz - frac[i].xyz + unpack_shift(e.y));
}

@compute @workgroup_size(64)
fn mtp_gather_forces(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= mtp.natoms) {
    return;
  }
  var force = vec3f(0.0);
  let count = min(nbr_count[i], mtp.capacity);
  for (var s = 0u; s < count; s++) {
    let slot = i * mtp.capacity + s;
    force += pair_grad[slot].xyz - pair_grad[reverse_slot[slot]].xyz;
  }
  forces[i] = vec4f(force, 0.0);
}
