// Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11). The same (key, counter) always gives the same
// numbers, so a seed reproduces a run on a device whatever the thread scheduling.

// 32 x 32 -> 64-bit product as (hi, lo), from 16-bit limbs (WGSL has no wide multiply).
fn mul_hi_lo(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  let lo = (mid << 16u) | (p00 & 0xffffu);
  return vec2u(hi, lo);
}

fn philox4x32(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mul_hi_lo(0xD2511F53u, c.x);
    let p1 = mul_hi_lo(0xCD9E8D57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

// Uniform in (0, 1), never 0 or 1 (24 bits).
fn uniform01(x: u32) -> f32 {
  return (f32(x >> 8u) + 0.5) * (1.0 / 16777216.0);
}

// Four standard normal numbers (Box-Muller) from one Philox draw.
fn gaussian4(counter: vec4u, key: vec2u) -> vec4f {
  let r = philox4x32(counter, key);
  let u1 = uniform01(r.x);
  let u2 = uniform01(r.y);
  let u3 = uniform01(r.z);
  let u4 = uniform01(r.w);
  let m1 = sqrt(-2.0 * log(u1));
  let m2 = sqrt(-2.0 * log(u3));
  let t = 6.283185307179586;
  return vec4f(m1 * cos(t * u2), m1 * sin(t * u2), m2 * cos(t * u4), m2 * sin(t * u4));
}
