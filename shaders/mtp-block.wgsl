// Moment Tensor Potential, block-parallel: one workgroup of LANES threads per atom, the threads over its neighbours.
// The model's basis is compiled in as in shaders/mtp-specialised.wgsl (src/potential/mtp/specialise.ts fills each
// `//@insert NAME` line); what changes is who does the work:
//   1. each lane accumulates the basic moments of its neighbours (s = lane, lane + LANES, ...) in registers;
//   2. the lanes' partial moments are summed in workgroup memory by a fixed tree (so the result is the same bits on
//      every run), in chunks of at most RED_ROWS moments;
//   3. every lane contracts the summed moments itself (the contraction is cheap beside the neighbour walk and this
//      needs no broadcast), so dE/dB is in every lane's registers for step 4;
//   4. each lane writes the pair gradients of its neighbours (for mtp_gather_forces); the per-atom virial and the
//      nearest-neighbour distance are reduced by the same tree and lane 0 stores them with the site energy.
// An atom's neighbour walk is then spread over LANES threads instead of one, which is what a GPU with thousands of
// lanes needs at a few hundred atoms (docs/adr/0012-block-parallel-mtp-kernel.md).

const LANES = 32u;
//@insert workgroup_memory

@compute @workgroup_size(LANES)
fn mtp_block(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lane: u32,
) {
  // more atoms than a grid dimension holds come as a second dimension; the index is the same in every lane
  let i = wid.x + wid.y * nwg.x;
  if (i >= mtp.natoms) {
    return;
  }
  //@walk prologue
  //@insert declare_basic
  for (var s = lane; s < count; s += LANES) {
    //@walk moments
  }
  //@insert reduce_basic
  var energy = tabf(mtp.o_spec + a);
  //@insert contract
  if (lane == 0u) {
    atom_energy[i] = energy;
  }

  var w0 = vec3f(0.0);
  var w1 = vec3f(0.0);
  var w2 = vec3f(0.0);
  var min_r2 = mtp.cut2;
  for (var s = lane; s < count; s += LANES) {
    //@walk gradients
  }
  // every lane has read the moments' rows before they are overwritten
  workgroupBarrier();
  red[lane] = w0.x;
  red[LANES + lane] = w0.y;
  red[2u * LANES + lane] = w0.z;
  red[3u * LANES + lane] = w1.x;
  red[4u * LANES + lane] = w1.y;
  red[5u * LANES + lane] = w1.z;
  red[6u * LANES + lane] = w2.x;
  red[7u * LANES + lane] = w2.y;
  red[8u * LANES + lane] = w2.z;
  red[9u * LANES + lane] = min_r2;
  for (var stride = LANES / 2u; stride > 0u; stride = stride / 2u) {
    workgroupBarrier();
    if (lane < stride) {
      for (var k = 0u; k < 9u; k++) {
        red[k * LANES + lane] += red[k * LANES + lane + stride];
      }
      red[9u * LANES + lane] = min(red[9u * LANES + lane], red[9u * LANES + lane + stride]);
    }
  }
  workgroupBarrier();
  if (lane == 0u) {
    atom_min_dist[i] = sqrt(red[9u * LANES]);
    store_virial(
      i,
      vec3f(red[0u], red[LANES], red[2u * LANES]),
      vec3f(red[3u * LANES], red[4u * LANES], red[5u * LANES]),
      vec3f(red[6u * LANES], red[7u * LANES], red[8u * LANES]),
    );
  }
}
