/**
 * One core's float64 multiply-add throughput in JavaScript: the compute roof
 * that the CPU kernels are compared with. V8 (Node 20) compiles `s += a * x`
 * to a multiply and an add, not a fused instruction, in this loop and in the
 * kernels alike. So both sides of every ratio count multiply-add pairs.
 */

/** Independent accumulators, so the add latency does not bound the loop. */
export const PEAK_ACCUMULATORS = 8;
/** Float64Array length of the peak loop: 8 KiB, which stays in any L1 data cache. */
export const PEAK_LENGTH = 1024;

export interface RateMeasurement {
  /** Best rate over the repeats, in multiply-adds (or tokens) per second. */
  readonly best: number;
  /** Every repeat's rate, in run order. */
  readonly rates: readonly number[];
  /** Wall-clock seconds of the longest repeat; every repeat lasts at least the requested time. */
  readonly longestRepeatSeconds: number;
}

/** Runs `sweeps` passes of s_j += a·x[i + j], j = 0..7, over x and returns Σ_j s_j. */
export function multiplyAddSweeps(x: Float64Array, a: number, sweeps: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  const length = x.length - (x.length % PEAK_ACCUMULATORS);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let i = 0; i < length; i += PEAK_ACCUMULATORS) {
      s0 += a * x[i];
      s1 += a * x[i + 1];
      s2 += a * x[i + 2];
      s3 += a * x[i + 3];
      s4 += a * x[i + 4];
      s5 += a * x[i + 5];
      s6 += a * x[i + 6];
      s7 += a * x[i + 7];
    }
  }
  return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
}

/**
 * Calls `step(argument)` until `seconds` have passed and returns the rate of
 * the work it reports: the sum of its return values over the elapsed seconds.
 * The state travels as an argument rather than in a closure. V8 may optimise
 * a closure for its captured values and fold d or an array length into
 * constants, which the kernels, reading them from a job, never get.
 */
export function rateOver<T>(seconds: number, step: (argument: T) => number, argument: T): { rate: number; seconds: number } {
  const started = performance.now();
  let work = 0;
  let elapsed = 0;
  do {
    work += step(argument);
    elapsed = (performance.now() - started) / 1000;
  } while (elapsed < seconds);
  return { rate: work / elapsed, seconds: elapsed };
}

interface PeakState {
  readonly x: Float64Array;
  readonly a: number;
  readonly sweeps: number;
  checksum: number;
}

function peakStep(state: PeakState): number {
  state.checksum += multiplyAddSweeps(state.x, state.a, state.sweeps);
  return state.sweeps * state.x.length;
}

/**
 * Measures one core's multiply-add rate: `repeats` runs of at least
 * `repeatSeconds` each, on the calling thread, best run reported.
 */
export function measureMultiplyAddPeak(repeatSeconds: number, repeats: number): RateMeasurement {
  // A factor just above 1 keeps every product a normal number.
  const state: PeakState = { x: Float64Array.from({ length: PEAK_LENGTH }, (_, i) => Math.sin(i + 1)), a: 1 + 2 ** -20, sweeps: 64, checksum: 0 };
  const rates: number[] = [];
  let longest = 0;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const { rate, seconds } = rateOver(repeatSeconds, peakStep, state);
    rates.push(rate);
    longest = Math.max(longest, seconds);
  }
  if (!Number.isFinite(state.checksum)) throw new Error(`the multiply-add peak loop produced a non-finite sum (${state.checksum})`);
  return { best: Math.max(...rates), rates, longestRepeatSeconds: longest };
}
