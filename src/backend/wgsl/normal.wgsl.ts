import { PHILOX_WGSL } from './philox.wgsl.ts';

/**
 * Uniforms and Box–Muller normals of the sampling layout, in float32.
 *
 * A Philox word w maps to u = ((w >>> 8) + 0.5)·2^−24, and lanes (0, 1) and
 * (2, 3) of a block give z_0 = √(−2 ln u_0) cos(2π u_1), z_1 = √(−2 ln u_0) sin(2π u_1).
 * Two float32 facts shape the evaluation:
 * - u ≥ 1/2 is not a float32 number (k + 0.5 needs 25 bits once k = w >>> 8
 *   reaches 2^23), but v = 1 − u = (2^25 − 2k − 1)·2^−25 is, so ln u comes
 *   from v through the atanh series of ln(1 − v).
 * - WGSL specifies cos and sin only on [−π, π] (absolute error 2^−11), so
 *   the angle is rewritten as π·t with the exact t = 2u − 1 and reduced to a
 *   quarter turn: cos 2πu = −cos πt, sin 2πu = −sin πt.
 */
export const NORMAL_WGSL = /* wgsl */ `
${PHILOX_WGSL}

const TWO_POW_M24: f32 = 5.9604644775390625e-8;
const TWO_POW_M25: f32 = 2.98023223876953125e-8;
const PI_F32: f32 = 3.14159265358979323846;

// ln u for u = ((w >>> 8) + 0.5)·2^−24.
fn log_uniform(w: u32) -> f32 {
  let k = w >> 8u;
  if (k < 0x800000u) {
    // k + 0.5 < 2^23 has at most 24 significant bits, so u is exact.
    return log((f32(k) + 0.5) * TWO_POW_M24);
  }
  let v = f32(0x2000000u - 2u * k - 1u) * TWO_POW_M25;
  // ln(1 − v) = −2 atanh(s) with s = v / (2 − v) ≤ 1/3, summed to s^15: the
  // first omitted term is s^17/17 < 2^−28·s. This avoids log() near 1, where
  // WGSL only bounds its absolute error (2^−21) and lavapipe's loses 3 bits.
  let s = v / (2.0 - v);
  let s2 = s * s;
  let tail = 1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0
    + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0 + s2 * (1.0 / 15.0))))));
  return -2.0 * s * (1.0 + s2 * tail);
}

// (cos 2πu, sin 2πu) for u = ((w >>> 8) + 0.5)·2^−24.
fn unit_circle(w: u32) -> vec2<f32> {
  let k = w >> 8u;
  // t = 2u − 1 = (2k + 1 − 2^24)·2^−24 is an integer below 2^24 in magnitude times 2^−24: exact.
  let t = f32(i32(2u * k + 1u) - 0x1000000) * TWO_POW_M24;
  // t = q/2 + r with q an integer and |r| ≤ 1/4; both steps are exact.
  let q = round(2.0 * t);
  let r = t - 0.5 * q;
  let c = cos(PI_F32 * r);
  let s = sin(PI_F32 * r);
  // cos πt = cos(πr + qπ/2) and sin πt = sin(πr + qπ/2), by quarter turns.
  var rotated: vec2<f32>;
  switch (i32(q) & 3) {
    case 0: { rotated = vec2<f32>(c, s); }
    case 1: { rotated = vec2<f32>(-s, c); }
    case 2: { rotated = vec2<f32>(-c, -s); }
    default: { rotated = vec2<f32>(s, -c); }
  }
  return -rotated;
}

fn box_muller(words: vec4<u32>) -> vec4<f32> {
  let radius0 = sqrt(-2.0 * log_uniform(words.x));
  let radius1 = sqrt(-2.0 * log_uniform(words.z));
  let circle0 = unit_circle(words.y);
  let circle1 = unit_circle(words.w);
  return vec4<f32>(radius0 * circle0, radius1 * circle1);
}

// The four normals of Philox block j of one prompt's stream: counter (j, p, stream, 0).
fn normal_block(key: vec2<u32>, prompt: u32, stream: u32, block: u32) -> vec4<f32> {
  return box_muller(philox4x32_10(vec4<u32>(block, prompt, stream, 0u), key));
}

// Sequential reader of normals t = first, first + 1, … of one stream; it
// keeps the current Philox block so every block is computed once.
struct NormalReader {
  key: vec2<u32>,
  prompt: u32,
  stream: u32,
  next: u32,
  block: vec4<f32>,
}

fn normal_reader(key: vec2<u32>, prompt: u32, stream: u32, first: u32) -> NormalReader {
  var reader = NormalReader(key, prompt, stream, first, vec4<f32>(0.0));
  if ((first & 3u) != 0u) {
    reader.block = normal_block(key, prompt, stream, first >> 2u);
  }
  return reader;
}

fn read_normal(reader: ptr<function, NormalReader>) -> f32 {
  let t = (*reader).next;
  let lane = t & 3u;
  if (lane == 0u) {
    (*reader).block = normal_block((*reader).key, (*reader).prompt, (*reader).stream, t >> 2u);
  }
  (*reader).next = t + 1u;
  return (*reader).block[lane];
}
`;
