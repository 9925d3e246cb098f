import fc from 'fast-check';
import { floatOrderedField } from '../../src/gating/synthesis.ts';
import { evenDouble, floatPrompt, type FloatPrompt } from './gla-arbitraries.ts';
import { SAFETY, SUBNORMAL_SPACING, UNIT_ROUNDOFF } from './gla-float.ts';
import { scalarReachSides, valueReachSides } from './reach-sides.ts';

/**
 * Float64 reachability at larger n: synthesised gates through the GLA
 * recurrence against WPGD with the target weights, with a forward error
 * bound relative to the sum of absolute values of the terms of ŷ.
 */

/** Largest n and d of the float reachability properties. */
export const REACH_MAX_N = 256;
export const REACH_MAX_D = 6;

export interface ReachInstance {
  prompt: FloatPrompt;
  omega: number[];
}

const sizes = fc.record({ n: fc.integer({ min: 1, max: REACH_MAX_N }), d: fc.integer({ min: 1, max: REACH_MAX_D }) });

/**
 * An increment of a cone point: exactly 0 (leading zeros and ties), of order
 * 1, or small (down to 2^-20, so gate ratios come close to 1).
 */
const increment: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: evenDouble(0, 1) },
  { weight: 1, arbitrary: evenDouble(2 ** -20, 2 ** -10) },
);

/**
 * Draws a cone point: running sums of nonnegative increments (float running sums of
 * nonnegative terms never decrease), times a magnitude in [1e-2, 1e2] so that
 * ω_n > 1 and ω_n < 1 both occur. Nonzero weights stay above 2^-27, so no
 * gate product underflows.
 */
export function conePoint(n: number): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.array(increment, { minLength: n, maxLength: n }), fc.oneof(fc.constant(1), evenDouble(1e-2, 1e2)))
    .map(([steps, magnitude]) => {
      let running = 0;
      return steps.map((step) => {
        running += step;
        return running * magnitude;
      });
    });
}

/** A target entry: 0, a repeat of the previous entry, or a value in [−4, 4]. */
type TargetEntry = { kind: 'zero' } | { kind: 'repeat' } | { kind: 'value'; value: number };

const targetEntry: fc.Arbitrary<TargetEntry> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'zero' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'repeat' as const }) },
  { weight: 4, arbitrary: evenDouble(-4, 4).map((value) => ({ kind: 'value' as const, value })) },
);

/** Draws an arbitrary target ω ∈ Rⁿ with signs, zeros, ties and non-monotone runs. */
export function anyTarget(n: number): fc.Arbitrary<number[]> {
  return fc.array(targetEntry, { minLength: n, maxLength: n }).map((entries) => {
    const omega: number[] = [];
    entries.forEach((entry, i) => {
      if (entry.kind === 'zero') omega.push(0);
      else if (entry.kind === 'repeat') omega.push(i > 0 ? omega[i - 1] : 0);
      else omega.push(entry.value);
    });
    return omega;
  });
}

export const coneReachInstance: fc.Arbitrary<ReachInstance> = sizes.chain(({ n, d }) =>
  fc.record({ prompt: floatPrompt(n, d), omega: conePoint(n) }),
);

export const anyReachInstance: fc.Arbitrary<ReachInstance> = sizes.chain(({ n, d }) =>
  fc.record({ prompt: floatPrompt(n, d), omega: anyTarget(n) }),
);

/** Σ_a Σ_b |x_a| |P_ab| |x_i,b|: the sum of absolute values of the terms of xᵀ P x_i. */
function absBilinear(x: readonly number[], P: readonly (readonly number[])[], xi: readonly number[]): number {
  let total = 0;
  for (let a = 0; a < x.length; a++) {
    for (let b = 0; b < xi.length; b++) total += Math.abs(x[a]) * Math.abs(P[a][b]) * Math.abs(xi[b]);
  }
  return total;
}

/** Σ_i weight_i |y_i| |x|ᵀ|P||x_i|: the sum of absolute values of the terms of ŷ for nonnegative weights. */
function termScale(prompt: FloatPrompt, weights: readonly number[]): number {
  return prompt.X.reduce((total, xi, i) => total + weights[i] * Math.abs(prompt.y[i]) * absBilinear(prompt.x, prompt.P, xi), 0);
}

/** Size of the absolute error one underflowing product can leave after the later factors multiply it. */
function underflowScale(prompt: FloatPrompt, largestWeight: number): number {
  const sumAbs = (values: readonly number[]) => values.reduce((total, value) => total + Math.abs(value), 0);
  const largestP = Math.max(...prompt.P.map((row) => Math.max(...row.map(Math.abs))));
  const rowNorm = Math.max(...prompt.X.map(sumAbs));
  const largestY = Math.max(...prompt.y.map(Math.abs));
  return (1 + sumAbs(prompt.x)) * (1 + prompt.x.length * largestP) * (1 + rowNorm) * (1 + largestY) * (1 + largestWeight);
}

export interface ReachComparison {
  gla: number;
  wpgd: number;
  error: number;
  allowed: number;
}

export const SCALAR_REACH_TOLERANCE =
  '|ŷ_GLA − ŷ_WPGD| ≤ c·[ε·(3n + 3D + 9)·T + (n+1)·D·η·U], c = 4, ε = 2^-53, η = 2^-1074, D = d+1, ' +
  'T = Σ_i ω_i |y_i| |x|ᵀ|P||x_i| (sum of absolute values of the terms of ŷ). Synthesis adds n + 3 roundings to each weight: ' +
  'one per gate ratio ω̃_i/ω̃_{i+1} (the computed ω̃ telescope exactly), one for ω̃ = ω/c and one for c·P. The GLA recurrence adds ' +
  '2n + 3D + 6 (n gate products and n additions in S, d in Pᵀx, D in S q, D in the readout), as in the one-layer identity bound. ' +
  'U = (1 + |x|₁)(1 + d max|cP|)(1 + max_i |x_i|₁)(1 + max|y|)(1 + max ω) scales the absolute error of an underflow to a subnormal. ' +
  'c = 4: both sides round, and first-order bounds drop second-order terms.';

export const VALUE_REACH_TOLERANCE =
  '|ŷ_GLA − ŷ_WPGD| ≤ c·[ε·(4n + 3D + 14)·T± + (n+1)·D·η·U], c = 4, ε = 2^-53, η = 2^-1074, D = d+1, ' +
  'T± = Σ_i (ω⁺_i + ω⁻_i) |y_i| |x|ᵀ|P||x_i| with ω⁺, ω⁻ the unnormalised monotone parts (ω = ω⁺ − ω⁻). The two channels carry ' +
  'ω⁺ and ω⁻ separately and cancel in the readout, so the error scales with ω⁺ + ω⁻ (the total variation of ω), not with |ω|. ' +
  'Each weight meets about 2n + 8 roundings in synthesis (differences Δ_j, running sums, division by s, gate ratios, the readout ±s) ' +
  'and 2n + 3D + 6 in the GLA recurrence. U is as in the scalar bound with max(ω⁺ + ω⁻). c = 4 as for the scalar bound.';

/** Scalar gates for a float cone point through the float GLA, against xᵀ P Xᵀ (ω ⊙ y). */
export function compareScalarReach(instance: ReachInstance): ReachComparison {
  const { prompt, omega } = instance;
  const n = omega.length;
  const D = prompt.x.length + 1;
  const sides = scalarReachSides(floatOrderedField, prompt, omega);
  const T = termScale(prompt, omega);
  const largest = omega[n - 1];
  const allowed = SAFETY * (UNIT_ROUNDOFF * (3 * n + 3 * D + 9) * T + (n + 1) * D * SUBNORMAL_SPACING * underflowScale(prompt, largest));
  return { gla: sides.gla, wpgd: sides.wpgd, error: Math.abs(sides.gla - sides.wpgd), allowed };
}

/** Value-vector gates for any float target through the float GLA, against xᵀ P Xᵀ (ω ⊙ y). */
export function compareValueReach(instance: ReachInstance): ReachComparison {
  const { prompt, omega } = instance;
  const n = omega.length;
  const D = prompt.x.length + 1;
  const sides = valueReachSides(floatOrderedField, prompt, omega);
  const { positive, negative, scale } = sides.synthesis;
  const variation = positive.map((value, i) => (value + negative[i]) * scale);
  const T = termScale(prompt, variation);
  const largest = Math.max(...variation);
  const allowed = SAFETY * (UNIT_ROUNDOFF * (4 * n + 3 * D + 14) * T + (n + 1) * D * SUBNORMAL_SPACING * underflowScale(prompt, largest));
  return { gla: sides.gla, wpgd: sides.wpgd, error: Math.abs(sides.gla - sides.wpgd), allowed };
}
