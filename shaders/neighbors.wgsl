// GPU neighbour list for periodic triclinic cells and free clusters (a bounding box with pbc off).
// Pipeline per rebuild: nl_prepare (fractional coords, bin counts) -> nl_scan (exclusive scan, one workgroup)
// -> nl_fill (atoms into bins) -> nl_sort (each bin by atom index) -> nl_build (full list per atom)
// -> nl_reverse (for each entry i->j, the slot of the entry j->i with the opposite image shift; and the bin counts
// back to zero).
// In MD the host schedules the rebuilds and the GPU checks them: the rebuild kernels are dispatched on fixed grids at a
// scheduled step and return at once unless the gate rebuild[0] is raised (by the MD engine's wrap_rebuild, or by
// nl_request for a host build, lowered again by nl_settle), so a batch of steps needs no indirect dispatch (each of
// which a WebGPU implementation validates with extra work of its own). The MD engine's drifts keep the largest
// displacement since the build in rebuild[2] and count the steps in rebuild[5]; nl_prepare moves both to [3], [4]
// (the last complete interval, from which the host sets the next) and starts them again.
// Bins have no fixed capacity (count -> scan -> fill). Each atom's list has `capacity` slots; the true count is always
// written and the largest count is raised in `overflow[0]` (a follower list: [2]), so the host can grow the list and
// rebuild: nothing is silently dropped. Bins are sorted, so lists come out in the same order on every run.

@group(0) @binding(0) var<uniform> cell: CellParams;
@group(0) @binding(1) var<storage, read> positions: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> frac: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> atom_bin: array<u32>;
@group(0) @binding(4) var<storage, read_write> bin_count: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> bin_start: array<u32>;
@group(0) @binding(6) var<storage, read_write> bin_atoms: array<u32>;
@group(0) @binding(7) var<storage, read_write> nbr: array<vec2u>;
@group(0) @binding(8) var<storage, read_write> nbr_count: array<u32>;
@group(0) @binding(9) var<storage, read_write> overflow: array<atomic<u32>>;
@group(0) @binding(10) var<storage, read_write> reverse_slot: array<u32>;
// fractional positions when the list was built, to decide when it must be rebuilt
@group(0) @binding(11) var<storage, read_write> frac_ref: array<vec4f>;
// the list's bookkeeping words, laid out in shaders/integrate.wgsl (nl_rebuild) and LIST_WORDS
@group(0) @binding(12) var<storage, read_write> rebuild: array<atomic<u32>>;

// The rebuild kernels' gate: nothing to do unless a rebuild was requested this step.
fn idle() -> bool {
  return atomicLoad(&rebuild[0]) == 0u;
}

fn floor_div(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, a < 0 && q * b != a);
}

fn bin_coords(f: vec3f) -> vec3u {
  let nb = vec3f(cell.nbins.xyz);
  // Atoms outside [0,1) along an open axis are clamped into the edge bins: that only moves them outward, so the
  // search range still covers every neighbour.
  return vec3u(clamp(floor(f * nb), vec3f(0.0), nb - 1.0));
}

@compute @workgroup_size(64)
fn nl_prepare(@builtin(global_invocation_id) gid: vec3u) {
  if (idle()) {
    return;
  }
  let i = gid.x;
  if (i == 0u && cell.follower == 0u) {
    atomicStore(&rebuild[3], atomicLoad(&rebuild[2]));
    atomicStore(&rebuild[4], atomicLoad(&rebuild[5]));
    atomicStore(&rebuild[2], 0u);
    atomicStore(&rebuild[5], 0u);
  }
  if (i >= cell.natoms) {
    return;
  }
  let p = positions[i];
  // inv_k.w holds the origin offset (non-zero only for the bounding box of a free cluster)
  var f = vec3f(dot(p.xyz, cell.inv0.xyz), dot(p.xyz, cell.inv1.xyz), dot(p.xyz, cell.inv2.xyz)) +
    vec3f(cell.inv0.w, cell.inv1.w, cell.inv2.w);
  let wrapped = f - floor(f);
  // f - floor(f) can round up to exactly 1.0 for tiny negative f.
  let w = select(wrapped, vec3f(0.0), wrapped >= vec3f(1.0));
  f = select(f, w, cell.pbc.xyz == vec3u(1u));
  frac[i] = vec4f(f, p.w);
  frac_ref[i] = vec4f(f, p.w);
  let c = bin_coords(f);
  let b = (c.x * cell.nbins.y + c.y) * cell.nbins.z + c.z;
  atom_bin[i] = b;
  atomicAdd(&bin_count[b], 1u);
}

var<workgroup> sums: array<u32, 256>;
var<workgroup> scan_gate: u32;

@compute @workgroup_size(256)
fn nl_scan(@builtin(local_invocation_id) lid: vec3u) {
  // the flag goes through workgroup memory so that the early return is uniform (the barriers below need it)
  if (lid.x == 0u) {
    scan_gate = atomicLoad(&rebuild[0]);
  }
  if (workgroupUniformLoad(&scan_gate) == 0u) {
    return;
  }
  let n = cell.nbins.w;
  let chunk = (n + 255u) / 256u;
  let begin = min(lid.x * chunk, n);
  let end = min(begin + chunk, n);
  var s = 0u;
  for (var b = begin; b < end; b++) {
    s += atomicLoad(&bin_count[b]);
  }
  sums[lid.x] = s;
  workgroupBarrier();
  for (var off = 1u; off < 256u; off *= 2u) {
    var v = 0u;
    if (lid.x >= off) {
      v = sums[lid.x - off];
    }
    workgroupBarrier();
    sums[lid.x] += v;
    workgroupBarrier();
  }
  var run = sums[lid.x] - s;
  for (var b = begin; b < end; b++) {
    let c = atomicLoad(&bin_count[b]);
    bin_start[b] = run;
    run += c;
    // reused as the fill cursor by nl_fill
    atomicStore(&bin_count[b], 0u);
  }
  if (lid.x == 255u) {
    bin_start[n] = sums[255];
  }
}

@compute @workgroup_size(64)
fn nl_fill(@builtin(global_invocation_id) gid: vec3u) {
  if (idle()) {
    return;
  }
  let i = gid.x;
  if (i >= cell.natoms) {
    return;
  }
  let b = atom_bin[i];
  let slot = atomicAdd(&bin_count[b], 1u);
  bin_atoms[bin_start[b] + slot] = i;
}

@compute @workgroup_size(64)
fn nl_sort(@builtin(global_invocation_id) gid: vec3u) {
  if (idle()) {
    return;
  }
  let b = gid.x;
  if (b >= cell.nbins.w) {
    return;
  }
  let begin = bin_start[b];
  let end = bin_start[b + 1u];
  for (var k = begin + 1u; k < end; k++) {
    let v = bin_atoms[k];
    var m = k;
    while (m > begin && bin_atoms[m - 1u] > v) {
      bin_atoms[m] = bin_atoms[m - 1u];
      m--;
    }
    bin_atoms[m] = v;
  }
}

@compute @workgroup_size(64)
fn nl_build(@builtin(global_invocation_id) gid: vec3u) {
  if (idle()) {
    return;
  }
  let i = gid.x;
  if (i >= cell.natoms) {
    return;
  }
  let fi = frac[i].xyz;
  let ci = vec3i(bin_coords(fi));
  let nb = vec3i(cell.nbins.xyz);
  let base = i * cell.capacity;
  var count = 0u;
  for (var d0 = -cell.reach.x; d0 <= cell.reach.x; d0++) {
    var b0 = ci.x + d0;
    var s0 = 0;
    if (cell.pbc.x == 1u) {
      s0 = floor_div(b0, nb.x);
      b0 -= s0 * nb.x;
    } else if (b0 < 0 || b0 >= nb.x) {
      continue;
    }
    for (var d1 = -cell.reach.y; d1 <= cell.reach.y; d1++) {
      var b1 = ci.y + d1;
      var s1 = 0;
      if (cell.pbc.y == 1u) {
        s1 = floor_div(b1, nb.y);
        b1 -= s1 * nb.y;
      } else if (b1 < 0 || b1 >= nb.y) {
        continue;
      }
      for (var d2 = -cell.reach.z; d2 <= cell.reach.z; d2++) {
        var b2 = ci.z + d2;
        var s2 = 0;
        if (cell.pbc.z == 1u) {
          s2 = floor_div(b2, nb.z);
          b2 -= s2 * nb.z;
        } else if (b2 < 0 || b2 >= nb.z) {
          continue;
        }
        let bin = u32((b0 * nb.y + b1) * nb.z + b2);
        let shift = vec3i(s0, s1, s2);
        let zero_shift = s0 == 0 && s1 == 0 && s2 == 0;
        for (var k = bin_start[bin]; k < bin_start[bin + 1u]; k++) {
          let j = bin_atoms[k];
          if (j == i && zero_shift) {
            continue;
          }
          let d = frac_to_cart(cell, frac[j].xyz - fi + vec3f(shift));
          if (dot(d, d) < cell.list_cut2) {
            if (count < cell.capacity) {
              nbr[base + count] = vec2u(j, pack_shift(shift));
            }
            count++;
          }
        }
      }
    }
  }
  nbr_count[i] = count;
  if (count > cell.capacity) {
    atomicMax(&overflow[2u * cell.follower], count);
  }
}

// The lists are symmetric (same cutoff test on the same float32 displacement up to sign), so every entry has its
// reverse. If rounding ever left one out, the entry points to itself; its pair term then cancels, and
// `overflow[1]` counts such entries so the host can report it.
@compute @workgroup_size(64)
fn nl_reverse(@builtin(global_invocation_id) gid: vec3u) {
  if (idle()) {
    return;
  }
  let i = gid.x;
  // the bin counts are free again once the list is built: zeroed here for the next rebuild's nl_prepare (a new
  // buffer starts at zero), which saves a dispatch
  for (var b = i; b < cell.nbins.w; b += max(cell.natoms, 1u)) {
    atomicStore(&bin_count[b], 0u);
  }
  // a follower's pair term walks each atom's own entries and needs no reverse (a search of j's whole list for every
  // entry, the most costly part of a long list's rebuild)
  if (i >= cell.natoms || cell.follower == 1u) {
    return;
  }
  let count = min(nbr_count[i], cell.capacity);
  for (var s = 0u; s < count; s++) {
    let slot = i * cell.capacity + s;
    let e = nbr[slot];
    let j = e.x;
    let back = opposite_shift(e.y);
    let jcount = min(nbr_count[j], cell.capacity);
    var found = slot;
    for (var k = 0u; k < jcount; k++) {
      let ej = nbr[j * cell.capacity + k];
      if (ej.x == i && ej.y == back) {
        found = j * cell.capacity + k;
        break;
      }
    }
    if (found == slot) {
      atomicAdd(&overflow[2u * cell.follower + 1u], 1u);
    }
    reverse_slot[slot] = found;
  }
}

@compute @workgroup_size(1)
fn nl_request() {
  atomicStore(&rebuild[0], 1u);
}

@compute @workgroup_size(1)
fn nl_settle() {
  atomicStore(&rebuild[0], 0u);
}
