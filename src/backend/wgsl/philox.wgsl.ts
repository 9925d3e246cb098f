/**
 * Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011; the Random123 reference). WGSL has no 64-bit
 * integers, so the high word of each 32×32-bit product comes from a 16-bit
 * split. The low word is the wrapping u32 product.
 */
export const PHILOX_WGSL = /* wgsl */ `
const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// High 32 bits of the 64-bit product a·b, from the four 16×16-bit partial products.
fn philox_mulhi(a: u32, b: u32) -> u32 {
  let a0 = a & 0xFFFFu;
  let a1 = a >> 16u;
  let b0 = b & 0xFFFFu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  // The middle column sums to at most 3·(2^16 − 1) + 2^16, so it cannot overflow.
  let middle = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
  return p11 + (p01 >> 16u) + (p10 >> 16u) + (middle >> 16u);
}

fn philox_round(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  let hi0 = philox_mulhi(PHILOX_M0, counter.x);
  let lo0 = PHILOX_M0 * counter.x;
  let hi1 = philox_mulhi(PHILOX_M1, counter.z);
  let lo1 = PHILOX_M1 * counter.z;
  return vec4<u32>(hi1 ^ counter.y ^ key.x, lo1, hi0 ^ counter.w ^ key.y, lo0);
}

// Ten rounds; the key gets its Weyl increment between rounds.
fn philox4x32_10(counter_in: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
  var counter = counter_in;
  var key = key_in;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      key = key + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    counter = philox_round(counter, key);
  }
  return counter;
}
`;
