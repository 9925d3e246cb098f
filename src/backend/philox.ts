import { InputError } from '../core/errors.ts';

/**
 * Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011; the Random123 reference) and the sampling layout
 * of the numeric backends: a Philox word w becomes the uniform
 * u = ((w >>> 8) + 0.5)·2^−24, and lanes (0, 1) and (2, 3) of a block are
 * Box–Muller pairs z_0 = √(−2 ln u_0) cos(2π u_1), z_1 = √(−2 ln u_0) sin(2π u_1).
 * Normal number t of a stream reads block j = floor(t / 4), lane t mod 4, with
 * counter (j, prompt, stream, 0) and key (seed mod 2^32, floor(seed / 2^32)).
 */

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;
const PHILOX_ROUNDS = 10;

const TWO_POW_32 = 4294967296;
const TWO_POW_M32 = 2 ** -32;
const TWO_POW_M24 = 2 ** -24;
const TWO_PI = 2 * Math.PI;

/** A Philox key (k_0, k_1) of two uint32 words. */
export interface PhiloxKey {
  readonly k0: number;
  readonly k1: number;
}

/**
 * Returns the round keys of Philox4x32-10: round r uses
 * (k_0 + r·W_0, k_1 + r·W_1) mod 2^32, flattened as [k_0, k_1] per round.
 */
export function philoxKeySchedule(k0: number, k1: number): Float64Array {
  const schedule = new Float64Array(2 * PHILOX_ROUNDS);
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    schedule[2 * round] = (k0 + Math.imul(round, PHILOX_W0)) >>> 0;
    schedule[2 * round + 1] = (k1 + Math.imul(round, PHILOX_W1)) >>> 0;
  }
  return schedule;
}

/**
 * Runs the ten Philox rounds on counter (c0, c1, c2, c3) with a key schedule
 * and writes the four output words to out[offset..offset+3].
 *
 * Each round needs the 64-bit product M·x of two uint32 words. Its low word
 * is Math.imul(M, x) >>> 0, exact. Its high word comes from the float64
 * product: fl(M·x) is within 2^11 of M·x < 2^64, the subtraction of the exact
 * low word adds at most another 2^11, so (fl(M·x) − low)·2^−32 lies within
 * 2^−20 of the integer high word and adding 0.5 before truncation recovers it
 * exactly. The tests compare this against BigInt products.
 */
export function philoxRounds(
  out: Uint32Array,
  offset: number,
  schedule: Float64Array,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  for (let r = 0; r < 2 * PHILOX_ROUNDS; r += 2) {
    const low0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const high0 = ((PHILOX_M0 * x0 - low0) * TWO_POW_M32 + 0.5) >>> 0;
    const low1 = Math.imul(PHILOX_M1, x2) >>> 0;
    const high1 = ((PHILOX_M1 * x2 - low1) * TWO_POW_M32 + 0.5) >>> 0;
    x0 = (high1 ^ x1 ^ schedule[r]) >>> 0;
    x1 = low1;
    x2 = (high0 ^ x3 ^ schedule[r + 1]) >>> 0;
    x3 = low0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}

/**
 * Runs Philox4x32-10 on counter (c0, c1, c2, c3) with key (k0, k1) and writes
 * the four output words to out[offset..offset+3]. All arguments are uint32.
 */
export function philoxInto(
  out: Uint32Array,
  offset: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
): void {
  philoxRounds(out, offset, philoxKeySchedule(k0 >>> 0, k1 >>> 0), c0, c1, c2, c3);
}

/** Philox4x32-10 of counter (c0, c1, c2, c3) and key (k0, k1): four uint32 words. */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  const out = new Uint32Array(4);
  philoxInto(out, 0, counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
  return [out[0], out[1], out[2], out[3]];
}

/**
 * Returns the uniform u = ((w >>> 8) + 0.5)·2^−24 in (0, 1) of a Philox word,
 * exact in float64. In float32 only u < 1/2 is exact: u = (2k + 1)·2^−25
 * needs 25 significant bits once k = w >>> 8 reaches 2^23, but 1 − u is exact.
 */
export function uniformFromWord(w: number): number {
  return ((w >>> 8) + 0.5) * TWO_POW_M24;
}

/** Returns the key (seed mod 2^32, floor(seed / 2^32)) after checking that the seed is an integer in [0, 2^53). */
export function philoxKey(seed: number): PhiloxKey {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError('seed', 'is not an integer in [0, 2^53)', seed, 'pass a nonnegative safe integer');
  }
  return { k0: seed % TWO_POW_32, k1: Math.floor(seed / TWO_POW_32) };
}

/** Throws unless a prompt index or stream fits the counter's 32-bit word. */
export function requireCounterWord(input: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= TWO_POW_32) {
    throw new InputError(input, 'is not an integer in [0, 2^32)', value, 'pass an index that fits a 32-bit Philox counter word');
  }
}

/**
 * Writes the four Box–Muller normals of the words out[0..3] to normals[offset..offset+3],
 * each rounded to float32 when `round32` is set.
 */
function boxMullerInto(words: Uint32Array, normals: Float64Array, offset: number, round32: boolean): void {
  const radius0 = Math.sqrt(-2 * Math.log(uniformFromWord(words[0])));
  const angle0 = TWO_PI * uniformFromWord(words[1]);
  const radius1 = Math.sqrt(-2 * Math.log(uniformFromWord(words[2])));
  const angle1 = TWO_PI * uniformFromWord(words[3]);
  const z0 = radius0 * Math.cos(angle0);
  const z1 = radius0 * Math.sin(angle0);
  const z2 = radius1 * Math.cos(angle1);
  const z3 = radius1 * Math.sin(angle1);
  if (round32) {
    normals[offset] = Math.fround(z0);
    normals[offset + 1] = Math.fround(z1);
    normals[offset + 2] = Math.fround(z2);
    normals[offset + 3] = Math.fround(z3);
  } else {
    normals[offset] = z0;
    normals[offset + 1] = z1;
    normals[offset + 2] = z2;
    normals[offset + 3] = z3;
  }
}

/**
 * Block-wise normal generator for one key. It owns its scratch, so filling a
 * range computes each Philox block once and allocates nothing.
 */
export class NormalGenerator {
  private readonly words = new Uint32Array(4);
  private readonly block = new Float64Array(4);
  private readonly schedule: Float64Array;

  constructor(
    key: PhiloxKey,
    /** Round every normal to float32, as the reference for a float32 backend does. */
    private readonly round32 = false,
  ) {
    this.schedule = philoxKeySchedule(key.k0, key.k1);
  }

  /** Writes the four normals of block j of (prompt, stream) to out[offset..offset+3]. */
  blockInto(prompt: number, stream: number, j: number, out: Float64Array, offset: number): void {
    philoxRounds(this.words, 0, this.schedule, j, prompt, stream, 0);
    boxMullerInto(this.words, out, offset, this.round32);
  }

  /**
   * Writes normals t = first .. first + count − 1 of (prompt, stream) to
   * out[offset..offset+count−1]. A range that starts or ends inside a block
   * computes that block once into scratch and copies the lanes it needs.
   */
  fill(prompt: number, stream: number, first: number, count: number, out: Float64Array, offset = 0): void {
    let t = first;
    let position = offset;
    const end = first + count;
    while (t < end) {
      const lane = t & 3;
      const j = (t - lane) / 4;
      if (lane === 0 && end - t >= 4) {
        this.blockInto(prompt, stream, j, out, position);
        t += 4;
        position += 4;
        continue;
      }
      this.blockInto(prompt, stream, j, this.block, 0);
      const stop = Math.min(4, lane + (end - t));
      for (let l = lane; l < stop; l++) out[position++] = this.block[l];
      t += stop - lane;
    }
  }
}

/** Returns normal number t of (prompt, stream) for a seed: the plain per-number reference of the layout. */
export function normalAt(seed: number, prompt: number, stream: number, t: number): number {
  const key = philoxKey(seed);
  requireCounterWord('prompt', prompt);
  requireCounterWord('stream', stream);
  if (!Number.isInteger(t) || t < 0 || Math.floor(t / 4) >= TWO_POW_32) {
    throw new InputError('t', 'is not an integer in [0, 2^34)', t, 'pass the index of a normal inside one stream');
  }
  const words = new Uint32Array(4);
  philoxInto(words, 0, Math.floor(t / 4), prompt, stream, 0, key.k0, key.k1);
  const lane = t % 4;
  const pair = lane < 2 ? 0 : 2;
  const radius = Math.sqrt(-2 * Math.log(uniformFromWord(words[pair])));
  const angle = TWO_PI * uniformFromWord(words[pair + 1]);
  return lane % 2 === 0 ? radius * Math.cos(angle) : radius * Math.sin(angle);
}

/** Returns normals 0..count−1 of (prompt, stream) for a seed, each rounded to float32 when `round32` is set. */
export function normalsOf(seed: number, prompt: number, stream: number, count: number, round32 = false): Float64Array {
  requireCounterWord('prompt', prompt);
  requireCounterWord('stream', stream);
  if (!Number.isInteger(count) || count < 0 || count / 4 > TWO_POW_32) {
    throw new InputError('count', 'is not an integer in [0, 2^34]', count, 'pass the number of normals to draw');
  }
  const out = new Float64Array(count);
  new NormalGenerator(philoxKey(seed), round32).fill(prompt, stream, 0, count, out);
  return out;
}
