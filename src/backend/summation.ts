import { InputError } from '../core/errors.ts';
import type { MonteCarloEstimate } from '../core/statistics.ts';

/**
 * Summation of long arrays of losses. A sequential sum of N terms has error
 * bound ~N·ε·Σ|x|, pairwise summation ~log₂(N)·ε·Σ|x|, and Neumaier's
 * compensated sum ~2ε·Σ|x| independent of N. In float32 (ε = 2^−24) the
 * sequential bound is useless at N = 10^7: the running sum stops growing once
 * its spacing exceeds twice the terms. The `…32` variants emulate float32
 * arithmetic by rounding every input and every partial sum with Math.fround,
 * which is exactly what an IEEE float32 adder returns.
 */

/**
 * Terms summed sequentially at the leaves of the pairwise tree. The leaf size
 * multiplies the error bound by at most `PAIRWISE_LEAF` terms, so it trades
 * accuracy for loop speed: 128 keeps the float32 bound near 2^−17 relative.
 */
const PAIRWISE_LEAF = 128;

function requireRange(values: ArrayLike<number>, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > values.length || start > end) {
    throw new InputError('summation range', `[${start}, ${end}) is not inside [0, ${values.length})`, `[${start}, ${end})`, 'pass 0 ≤ start ≤ end ≤ length');
  }
}

function pairwiseFloat64(values: ArrayLike<number>, start: number, end: number): number {
  if (end - start <= PAIRWISE_LEAF) {
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    return sum;
  }
  const middle = start + Math.floor((end - start) / 2);
  return pairwiseFloat64(values, start, middle) + pairwiseFloat64(values, middle, end);
}

/** Returns Σ values[start..end−1] by pairwise summation in float64. */
export function pairwiseSum(values: ArrayLike<number>, start = 0, end = values.length): number {
  requireRange(values, start, end);
  return pairwiseFloat64(values, start, end);
}

function pairwiseSquaredDeviations(values: ArrayLike<number>, center: number, start: number, end: number): number {
  if (end - start <= PAIRWISE_LEAF) {
    let sum = 0;
    for (let i = start; i < end; i++) {
      const deviation = values[i] - center;
      sum += deviation * deviation;
    }
    return sum;
  }
  const middle = start + Math.floor((end - start) / 2);
  return pairwiseSquaredDeviations(values, center, start, middle) + pairwiseSquaredDeviations(values, center, middle, end);
}

/** Returns Σ values in float64 with Neumaier's compensation (Kahan–Babuška). */
export function neumaierSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const total = sum + value;
    if (Math.abs(sum) >= Math.abs(value)) compensation += sum - total + value;
    else compensation += value - total + sum;
    sum = total;
  }
  return sum + compensation;
}

/** Returns Σ values summed left to right in emulated float32: each term and each partial sum rounded. */
export function naiveSum32(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum = Math.fround(sum + Math.fround(values[i]));
  return sum;
}

function pairwiseFloat32(values: ArrayLike<number>, start: number, end: number): number {
  if (end - start <= PAIRWISE_LEAF) {
    let sum = 0;
    for (let i = start; i < end; i++) sum = Math.fround(sum + Math.fround(values[i]));
    return sum;
  }
  const middle = start + Math.floor((end - start) / 2);
  return Math.fround(pairwiseFloat32(values, start, middle) + pairwiseFloat32(values, middle, end));
}

/** Returns Σ values by pairwise summation in emulated float32. */
export function pairwiseSum32(values: ArrayLike<number>): number {
  return pairwiseFloat32(values, 0, values.length);
}

/**
 * Returns Σ values with Neumaier's compensation in emulated float32: sum and
 * compensation are float32 numbers, every operation is rounded.
 */
export function neumaierSum32(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const value = Math.fround(values[i]);
    const total = Math.fround(sum + value);
    const lost = Math.abs(sum) >= Math.abs(value) ? Math.fround(Math.fround(sum - total) + value) : Math.fround(Math.fround(value - total) + sum);
    compensation = Math.fround(compensation + lost);
    sum = total;
  }
  return Math.fround(sum + compensation);
}

/** Sample mean, unbiased sample variance, standard error √(variance / N) and N. */
export interface LossSummary extends MonteCarloEstimate {
  readonly variance: number;
}

/**
 * Returns the mean and standard error of per-prompt losses in float64 with
 * pairwise sums and the two-pass variance Σ(x − mean)² / (N − 1), which
 * avoids the cancellation of Σx² − (Σx)²/N when the mean dominates the spread.
 */
export function meanAndStandardError(losses: ArrayLike<number>): LossSummary {
  const N = losses.length;
  if (N < 2) {
    throw new InputError('losses', 'have fewer than 2 entries', N, 'pass at least 2 losses for a standard error');
  }
  const mean = pairwiseFloat64(losses, 0, N) / N;
  const variance = pairwiseSquaredDeviations(losses, mean, 0, N) / (N - 1);
  return { mean, variance, standardError: Math.sqrt(variance / N), samples: N };
}
