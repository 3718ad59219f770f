// Moment Tensor Potential with one model's basis compiled in: src/potential/mtp/specialise.ts fills each
// `//@insert NAME` line with straight-line statements made from the model's basic moments, contractions and moment
// coefficients (radial coefficients and species energies stay in `tab`). Every moment, dE/dM and monomial is then a
// scalar with a fixed name, so the compiler keeps them in registers; the generic kernel (shaders/mtp.wgsl) indexes
// arrays at run time instead, which spills to memory and dominates its cost.
//
// mtp_fused (one thread per atom i), one pass where the generic path needs two:
//   1. basic moments from the neighbour list, contractions, the site energy, dE/dM back through the contractions;
//   2. a second walk over the list: g_i(r_e) = dV_i/dr_e per entry (stored for mtp_gather_forces), the per-atom
//      virial W_i = -sum_e g_i(r_e) (x) r_e (MLIP's PlusStress convention) and the nearest neighbour's distance.
// Moments and contractions that no basis function depends on are left out by the generator.

// Chebyshev polynomials T_q(x) and, with derivatives, T'_q(x), as scalars t0, t1, ... and dt0, dt1, ...
// phi_q(r) = scaling (r - max_dist)^2 T_q(x), x = (2 r - (min_dist + max_dist)) / (max_dist - min_dist).

@compute @workgroup_size(64)
fn mtp_fused(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= mtp.natoms) {
    return;
  }
  //@walk prologue
  //@insert declare_basic
  for (var s = 0u; s < count; s++) {
    //@walk moments
  }
  var energy = tabf(mtp.o_spec + a);
  //@insert contract
  atom_energy[i] = energy;

  var w0 = vec3f(0.0);
  var w1 = vec3f(0.0);
  var w2 = vec3f(0.0);
  var min_r2 = mtp.cut2;
  for (var s = 0u; s < count; s++) {
    //@walk gradients
  }
  atom_min_dist[i] = sqrt(min_r2);
  store_virial(i, w0, w1, w2);
}
