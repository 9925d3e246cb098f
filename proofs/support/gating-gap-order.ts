/**
 * Acceptance test for "the gap is of order δ²" from exact gaps at δ = 2^{-k}.
 *
 * With gap = A δ² + B δ³ + O(δ⁴) and A > 0, the ratios q_k = gap_k/δ_k² equal
 * A + B δ_k + O(δ_k²): successive differences shrink by a factor 2 per halving,
 * the Richardson limit 2 q_last − q_prev is A + O(δ²), and q stays near A. A gap
 * of order δ³ (A = 0) also has differences shrinking by 2, and its Richardson
 * limit −2C δ² (with C the δ⁴ coefficient) is positive when C < 0, so contraction
 * and the sign of the limit alone accept it. What separates the two: for A = 0,
 * q_k itself halves each step, so q_last is about twice the limit away from it
 * relative to the limit's size, and the earlier q are far above the limit.
 */

/** Thresholds of the test, each with its reason. */
export const GAP_ORDER_LIMITS = {
  /** Successive differences of q must shrink at least this much per halving (2 expected, 4/3 allowed). */
  maxContraction: 0.75,
  /** |q_last − limit| ≤ this · limit: q must already sit at its limit (an O(δ) gap off it, δ ≤ 2^-9). */
  maxRelativeDistance: 0.1,
  /** limit ≥ this · max q over the second half of the halvings: q must not be falling towards 0. */
  minLimitShare: 0.5,
};

export interface GapOrderVerdict {
  accepted: boolean;
  /** Richardson limit 2 q_last − q_prev of q = gap/δ². */
  limit: number;
  /** Largest contraction |q_{k+1} − q_k| / |q_k − q_{k−1}| over the second half of the halvings. */
  worstContraction: number;
  /** Halvings in the second half whose contraction exceeds maxContraction. */
  slowHalvings: number;
  /** |q_last − limit| / limit. */
  relativeDistance: number;
  /** limit / max q over the second half of the halvings. */
  limitShare: number;
  /** Reasons for a rejection; empty when accepted. */
  reasons: string[];
}

/** Judges the ratios q_k = gap_k/δ_k² for δ_k = 2^{-k}, k increasing (at least four values). */
export function gapOrderVerdict(ratios: readonly number[]): GapOrderVerdict {
  if (ratios.length < 4) throw new RangeError(`gapOrderVerdict needs at least 4 ratios gap/δ², got ${ratios.length}; use more halvings`);
  const differences = ratios.slice(1).map((ratio, k) => Math.abs(ratio - ratios[k]));
  const half = Math.floor(differences.length / 2);
  let worstContraction = 0;
  let slowHalvings = 0;
  for (let k = Math.max(1, half); k < differences.length; k++) {
    const contraction = differences[k - 1] === 0 ? 0 : differences[k] / differences[k - 1];
    worstContraction = Math.max(worstContraction, contraction);
    if (contraction > GAP_ORDER_LIMITS.maxContraction) slowHalvings++;
  }
  const last = ratios[ratios.length - 1];
  const limit = 2 * last - ratios[ratios.length - 2];
  const relativeDistance = Math.abs(last - limit) / Math.abs(limit);
  const limitShare = limit / Math.max(...ratios.slice(Math.floor(ratios.length / 2)));

  const reasons: string[] = [];
  if (!(limit > 0)) reasons.push(`Richardson limit ${limit} is not > 0`);
  if (slowHalvings > 0) reasons.push(`${slowHalvings} halvings contract by more than ${GAP_ORDER_LIMITS.maxContraction}`);
  if (!(relativeDistance <= GAP_ORDER_LIMITS.maxRelativeDistance)) reasons.push(`q_last is ${relativeDistance} of the limit away from it (> ${GAP_ORDER_LIMITS.maxRelativeDistance})`);
  if (!(limitShare >= GAP_ORDER_LIMITS.minLimitShare)) reasons.push(`the limit is ${limitShare} of the largest late q (< ${GAP_ORDER_LIMITS.minLimitShare}): q is falling towards 0`);
  return { accepted: reasons.length === 0, limit, worstContraction, slowHalvings, relativeDistance, limitShare, reasons };
}
