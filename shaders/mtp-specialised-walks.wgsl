// The per-atom set-up and the two neighbour walks of the kernels with the model's basis compiled in, written once:
// the body of each walk over the list entries `s` of atom `i`, for shaders/mtp-specialised.wgsl (a thread per atom, every entry) and
// shaders/mtp-block.wgsl (a workgroup per atom, every LANES-th entry per invocation). src/potential/mtp/specialise.ts
// puts each `//@fragment NAME` block where a template says `//@walk NAME`, then fills the `//@insert` lines.

//@fragment prologue
let a = type_of(frac[i]);
let count = min(nbr_count[i], mtp.capacity);
let width = mtp.max_dist - mtp.min_dist;
let dxdr = 2.0 / width;
// one row of radial coefficients per (centre, neighbour) species pair: nrad x nq numbers
let pair_row = (a * mtp.species) * mtp.nrad * mtp.nq;

//@fragment moments
let e = nbr[i * mtp.capacity + s];
let d = displacement(i, e);
let r2 = dot(d, d);
if (r2 >= mtp.cut2) {
  continue;
}
let r = sqrt(r2);
let u = d / r;
let rc = mtp.o_rad + pair_row + type_of(frac[e.x]) * mtp.nrad * mtp.nq;
let x = (2.0 * r - (mtp.min_dist + mtp.max_dist)) / width;
let c = mtp.scaling * (r - mtp.max_dist) * (r - mtp.max_dist);
//@insert radial_values
//@insert monomials
//@insert accumulate

//@fragment gradients
let slot = i * mtp.capacity + s;
let e = nbr[slot];
let d = displacement(i, e);
let r2 = dot(d, d);
min_r2 = min(min_r2, r2);
var g = vec3f(0.0);
if (r2 < mtp.cut2) {
  let r = sqrt(r2);
  let rinv = 1.0 / r;
  let u = d * rinv;
  let rc = mtp.o_rad + pair_row + type_of(frac[e.x]) * mtp.nrad * mtp.nq;
  let x = (2.0 * r - (mtp.min_dist + mtp.max_dist)) / width;
  let c = mtp.scaling * (r - mtp.max_dist) * (r - mtp.max_dist);
  let dc = 2.0 * mtp.scaling * (r - mtp.max_dist);
  //@insert radial_derivatives
  //@insert monomials
  // grad of f(r) P(u) = u (f' - n f / r) P + (f / r) grad_u P, P homogeneous of degree n: the first sum in
  // along_u, the second (times r) in across
  var along_u = 0.0;
  var across = vec3f(0.0);
  //@insert gradient
  g = along_u * u + across * rinv;
}
pair_grad[slot] = vec4f(g, 0.0);
w0 -= g.x * d;
w1 -= g.y * d;
w2 -= g.z * d;
