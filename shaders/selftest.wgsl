// Self-test kernel: y[i] = a * x[i] + b, plus a workgroup reduction of x into partial sums.
// Run by `lilab gpu-info`, the page's start-up check and the GPU tests to prove the adapter really computes.

struct Params {
  a: f32,
  b: f32,
  n: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;

var<workgroup> scratch: array<f32, 64>;

@compute @workgroup_size(64)
fn saxpy_and_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_id) lid: vec3u,
                 @builtin(workgroup_id) wid: vec3u) {
  let i = gid.x;
  var v = 0.0;
  if (i < params.n) {
    v = x[i];
    y[i] = params.a * v + params.b;
  }
  scratch[lid.x] = v;
  workgroupBarrier();
  // Tree reduction in a fixed order, so the sum is the same bits on every run.
  for (var stride = 32u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) {
      scratch[lid.x] = scratch[lid.x] + scratch[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    partial[wid.x] = scratch[0];
  }
}
