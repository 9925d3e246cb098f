import { requireGates } from '../core/validate.ts';

/** WPGD weights from float64 gates, with their logarithms kept. */
export interface GateWeights {
  /** ω_i for i = 1..n; 0 exactly when some later gate is 0 or the weight underflows. */
  omega: Float64Array;
  /** log ω_i; −Infinity exactly when some later gate is 0. */
  logOmega: Float64Array;
}

/**
 * ω_i = Π_{j=i+1}^{n+1} γ_j from gates γ_1..γ_{n+1} (the query's gate included,
 * γ_1 never used), computed as exp of a suffix sum of log γ_j.
 *
 * The suffix sum uses Neumaier compensation: with n = 1e5 gates of 0.999 a
 * plain running sum of logs drifts by ~1e-9 relative, the compensated one
 * stays near 1e-14. A gate equal to 0 has log −∞, and compensated sums of
 * infinities give NaN, so zeros are tracked apart: every weight before a zero
 * gate is exactly 0 with log −∞. Gates equal to 1 add log 1 = 0 exactly.
 * Weights below the float64 range come out as 0 (or subnormal) while their
 * logs stay finite and accurate.
 */
export function suffixLogWeights(gamma: ArrayLike<number>): GateWeights {
  requireGates('γ', gamma);
  const n = gamma.length - 1;
  const omega = new Float64Array(n);
  const logOmega = new Float64Array(n);
  let sum = 0;
  let compensation = 0;
  let zeroSeen = false;
  for (let i = n; i >= 1; i--) {
    const gate = gamma[i]; // γ_{i+1} in 1-based notation
    if (gate === 0) zeroSeen = true;
    if (zeroSeen) {
      omega[i - 1] = 0;
      logOmega[i - 1] = -Infinity;
      continue;
    }
    const term = Math.log(gate);
    const next = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
    sum = next;
    logOmega[i - 1] = sum + compensation;
    omega[i - 1] = Math.exp(logOmega[i - 1]);
  }
  return { omega, logOmega };
}

/**
 * Causal weights ω_{i→j} = Π_{k=i+1}^{j} γ_k for a fixed j and all i ≤ j
 * (ω_{j→j} = 1), indices 0-based into `gamma`. Same log-space rules as
 * suffixLogWeights; used by the float64 GLA-L recursion.
 */
export function causalLogWeights(gamma: ArrayLike<number>, j: number): Float64Array {
  const weights = new Float64Array(j + 1);
  weights[j] = 1;
  let sum = 0;
  let compensation = 0;
  let zeroSeen = false;
  for (let i = j - 1; i >= 0; i--) {
    const gate = gamma[i + 1];
    if (gate === 0) zeroSeen = true;
    if (zeroSeen) {
      weights[i] = 0;
      continue;
    }
    const term = Math.log(gate);
    const next = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
    sum = next;
    weights[i] = Math.exp(sum + compensation);
  }
  return weights;
}
