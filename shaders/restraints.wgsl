// Flat-bottomed bond restraints added to a force field's output (prepended: common/cell.wgsl). Each atom lists up to
// `slots` partners; a pair further apart than r0 is pulled back by U = k (r - r0)^2 / 2, nothing inside r0. Used to
// hold the PS4 anions whole while one grain of a bicrystal is melted (src/potential/restraints-gpu.ts).
// Each atom sums its own partners' pulls and writes only its own force and energy (half of each pair's U), so the
// kernel needs no atomics and runs after the field's force gather in the same pass.

struct RestraintParams {
  natoms: u32,
  slots: u32,
  r0: f32,
  k: f32,
}

@group(0) @binding(0) var<uniform> cell: CellParams;
@group(0) @binding(1) var<uniform> rp: RestraintParams;
@group(0) @binding(2) var<storage, read> frac: array<vec4f>;
@group(0) @binding(3) var<storage, read> partners: array<u32>;
@group(0) @binding(4) var<storage, read_write> forces: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> atom_energy: array<f32>;

const NO_PARTNER = 0xffffffffu;

@compute @workgroup_size(64)
fn restrain(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= rp.natoms) {
    return;
  }
  var f = vec3f(0.0);
  var e = 0.0;
  for (var s = 0u; s < rp.slots; s++) {
    let j = partners[i * rp.slots + s];
    if (j == NO_PARTNER) {
      continue;
    }
    let raw = frac[j].xyz - frac[i].xyz;
    // the nearest image along periodic axes
    let df = select(raw, raw - round(raw), cell.pbc.xyz == vec3u(1u));
    let d = frac_to_cart(cell, df);
    let r = length(d);
    if (r > rp.r0) {
      let x = r - rp.r0;
      f += (rp.k * x / r) * d;
      e += 0.25 * rp.k * x * x;
    }
  }
  forces[i] = vec4f(forces[i].xyz + f, forces[i].w);
  atom_energy[i] += e;
}
