// Shared by every kernel family that works with periodic cells. Prepended to a kernel's source by
// src/gpu/shader-source.ts (WGSL has no include).
//
// Positions are stored as vec4f: xyz Cartesian (A), w = the species type as bits (bitcast<f32>(type)), which saves a
// binding. Fractional coordinates use the same layout. Displacements are computed in the cell frame
// (f_j - f_i + shift) and then mapped to Cartesian, so float32 keeps ~1e-6 A precision in any cell.

struct CellParams {
  // lattice vectors as rows a, b, c (w unused)
  a: vec4f,
  b: vec4f,
  c: vec4f,
  // columns of the inverse lattice: f_k = dot(r, inv_k)
  inv0: vec4f,
  inv1: vec4f,
  inv2: vec4f,
  // bins per axis (xyz) and their product (w)
  nbins: vec4u,
  // how many bins either side to search (xyz)
  reach: vec4i,
  // 1 where the cell repeats (xyz)
  pbc: vec4u,
  natoms: u32,
  capacity: u32,
  list_cut2: f32,
  // 1 for a list rebuilt as another's follower (src/potential/neighbors-gpu.ts): it reads its leader's gate, raises
  // its overflow in the leader's words 2 and 3, and leaves the leader's displacement bookkeeping alone
  follower: u32,
}

fn frac_to_cart(cell: CellParams, f: vec3f) -> vec3f {
  return f.x * cell.a.xyz + f.y * cell.b.xyz + f.z * cell.c.xyz;
}

// A periodic-image shift packed in one u32: three signed 10-bit fields.
fn pack_shift(s: vec3i) -> u32 {
  return u32(s.x + 512) | (u32(s.y + 512) << 10u) | (u32(s.z + 512) << 20u);
}

fn unpack_shift(p: u32) -> vec3f {
  return vec3f(f32(i32(p & 1023u) - 512), f32(i32((p >> 10u) & 1023u) - 512), f32(i32((p >> 20u) & 1023u) - 512));
}

// The packed shift of the opposite image: each 10-bit field s + 512 becomes -s + 512.
fn opposite_shift(p: u32) -> u32 {
  let sx = 1024u - (p & 1023u);
  let sy = 1024u - ((p >> 10u) & 1023u);
  let sz = 1024u - ((p >> 20u) & 1023u);
  return sx | (sy << 10u) | (sz << 20u);
}

fn type_of(p: vec4f) -> u32 {
  return bitcast<u32>(p.w);
}
