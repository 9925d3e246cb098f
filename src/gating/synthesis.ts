import type { Fraction } from 'mathjs';
import { floatField, rationalField, type Field } from '../algebra/field.ts';
import { InputError } from '../core/errors.ts';
import { requireFinite } from '../core/validate.ts';
import { constructionC } from '../models/construction.ts';
import type { GlaLayer } from '../models/gla.ts';
import { suffixProductWeights } from '../models/wpgd.ts';

/**
 * Gate synthesis: given target WPGD weights, gate values that make a GLA layer
 * under construction C predict exactly ŷ = xᵀ P Xᵀ (ω ⊙ y) (scalar and
 * value-vector gates) or xᵀ P Σ_i diag(ω_i) x_i y_i (key-vector gates).
 * Gates here are per position: the gate map ignores token content, as a gate
 * that reads only a position or delimiter feature does.
 */

/** A field with division and order, which synthesis needs on top of the ring operations. */
export interface OrderedField<T> extends Field<T> {
  div(a: T, b: T): T;
  /** Negative, zero or positive as a < b, a = b or a > b. */
  compare(a: T, b: T): number;
  /** Text of a value for error messages. */
  show(value: T): string;
  /** Throws an InputError unless every entry is a valid value (finite, for float64). */
  requireValid(input: string, values: readonly T[]): void;
}

export const floatOrderedField: OrderedField<number> = {
  ...floatField,
  div: (a, b) => a / b,
  compare: (a, b) => a - b,
  show: (value) => String(value),
  requireValid: (input, values) => requireFinite(input, values),
};

/** Exact rationals: every comparison and quotient is exact. */
export const rationalOrderedField: OrderedField<Fraction> = {
  ...rationalField,
  div: (a, b) => a.div(b),
  compare: (a, b) => a.compare(b),
  show: (value) => value.toFraction(),
  requireValid: () => undefined,
};

/**
 * A target outside the scalar cone {0 ≤ ω_1 ≤ … ≤ ω_n}. `index` is the
 * 1-based index i of the first violation: ω_1 < 0 (i = 1), or ω_i > ω_{i+1}.
 */
export class ConeViolationError extends InputError {
  readonly index: number;

  constructor(index: number, problem: string, value: string) {
    super(
      `ω_${index}`,
      problem,
      value,
      'scalar gates reach only 0 ≤ ω_1 ≤ … ≤ ω_n; pass a point of that cone, or use value-vector gates for other targets',
    );
    this.name = 'ConeViolationError';
    this.index = index;
  }
}

/**
 * Returns the 1-based index of the first violation of 0 ≤ ω_1 ≤ … ≤ ω_n in
 * prompt order, with the reason, or undefined when ω is in the cone.
 */
export function firstConeViolation<T>(F: OrderedField<T>, omega: readonly T[]): { index: number; problem: string; value: string } | undefined {
  if (omega.length > 0 && F.compare(omega[0], F.zero) < 0) {
    return { index: 1, problem: 'is negative', value: F.show(omega[0]) };
  }
  for (let i = 0; i + 1 < omega.length; i++) {
    if (F.compare(omega[i], omega[i + 1]) > 0) {
      return { index: i + 1, problem: `is larger than ω_${i + 2}`, value: `${F.show(omega[i])} > ${F.show(omega[i + 1])}` };
    }
  }
  return undefined;
}

/** Scalar gates that realise one cone point. */
export interface ScalarGates<T> {
  /**
   * γ_1..γ_{n+1}, one per token, the query's included. γ_1 is 1: the first
   * token's gate multiplies S_0 = 0, so no weight depends on it.
   */
  gamma: T[];
  /**
   * c ≥ 1 with Π_{j=i+1}^{n+1} γ_j = ω_i / c. It is ω_n when ω_n > 1 (a gate
   * product cannot exceed 1), else 1. Fold it into the preconditioner: the
   * layer built with c·P predicts xᵀ P Xᵀ (ω ⊙ y).
   */
  scale: T;
}

/**
 * Synthesises scalar gates for a target ω in the cone 0 ≤ ω_1 ≤ … ≤ ω_n.
 * With ω̃ = ω / c,
 *   γ_{n+1} = ω̃_n,   γ_{i+1} = ω̃_i / ω̃_{i+1} for i < n,
 * and γ_{i+1} = 1 where ω̃_{i+1} = 0. There the cone forces ω̃_i = 0 as well,
 * so every value in [0, 1] works. Choosing 1 leaves a single closing gate
 * (γ_{k+1} = 0 after the last zero weight ω_k), avoids 0/0, and adds log 1 = 0
 * exactly to log-space gate products.
 *
 * In float64 every γ lies in [0, 1] exactly, because a correctly rounded
 * a/b with 0 ≤ a ≤ b is at most 1; the suffix products reproduce ω̃ to
 * relative rounding error. Throws ConeViolationError naming the first
 * violating index when ω is outside the cone.
 */
export function scalarGatesFor<T>(F: OrderedField<T>, omega: readonly T[]): ScalarGates<T> {
  if (omega.length === 0) {
    throw new InputError('ω', 'is empty', '[]', 'pass one target weight per in-context example (n ≥ 1)');
  }
  F.requireValid('ω', omega);
  const violation = firstConeViolation(F, omega);
  if (violation) throw new ConeViolationError(violation.index, violation.problem, violation.value);

  const n = omega.length;
  const last = omega[n - 1];
  const scale = F.compare(last, F.one) > 0 ? last : F.one;
  const target = scale === F.one ? [...omega] : omega.map((value) => F.div(value, scale));

  const gamma = new Array<T>(n + 1).fill(F.one);
  gamma[n] = target[n - 1];
  for (let i = n - 2; i >= 0; i--) {
    // gamma[i + 1] is γ_{i+2} in 1-based notation: the gate between ω_{i+1} and ω_{i+2}.
    const next = target[i + 1];
    gamma[i + 1] = F.compare(next, F.zero) === 0 ? F.one : F.div(target[i], next);
  }
  return { gamma, scale };
}

/** Value-vector gates and readout that realise any target ω ∈ Rⁿ with two label channels. */
export interface ValueVectorGates<T> {
  /** g(z_j) for j = 1..n+1: rows are positions, columns the D value channels. */
  gates: T[][];
  /** v_i = α y_i: α is 1 on the two label channels and 0 elsewhere (W_v = α e_Dᵀ). */
  alpha: T[];
  /** Readout: +s on the positive channel, −s on the negative one, 0 elsewhere. */
  u: T[];
  /** s ≥ 0 with ω = s (ω⁺ − ω⁻); 1 when ω = 0. */
  scale: T;
  /** ω⁺ / s and ω⁻ / s: nonnegative, nondecreasing, at most 1. */
  positive: T[];
  negative: T[];
  /** 0-based value channels carrying ω⁺ (the label row D) and ω⁻ (row D − 1). */
  channels: { positive: number; negative: number };
}

/**
 * Splits ω into ω⁺ − ω⁻ with ω⁺, ω⁻ nonnegative and nondecreasing: with
 * Δ_1 = ω_1 and Δ_i = ω_i − ω_{i−1}, ω⁺_i = Σ_{j≤i} max(Δ_j, 0) and
 * ω⁻_i = Σ_{j≤i} max(−Δ_j, 0). In float64 both running sums stay nondecreasing
 * (adding a nonnegative number never decreases a rounded sum), and
 * ω⁺ − ω⁻ = ω up to rounding of order n ε (ω⁺_i + ω⁻_i).
 */
export function monotoneSplit<T>(F: OrderedField<T>, omega: readonly T[]): { positive: T[]; negative: T[] } {
  const positive: T[] = [];
  const negative: T[] = [];
  let up = F.zero;
  let down = F.zero;
  let previous = F.zero;
  for (const value of omega) {
    const delta = F.sub(value, previous);
    if (F.compare(delta, F.zero) > 0) up = F.add(up, delta);
    else if (F.compare(delta, F.zero) < 0) down = F.sub(down, delta);
    positive.push(up);
    negative.push(down);
    previous = value;
  }
  return { positive, negative };
}

/**
 * Synthesises value-vector gates for any target ω ∈ Rⁿ, which is a difference
 * of two cone points: ω = s (ω⁺ − ω⁻) with s = max(ω⁺_n, ω⁻_n), so both sequences lie in
 * the cone with entries ≤ 1. Channel D (the label row) is gated by the scalar
 * rule for ω⁺/s and channel D − 1 by the rule for ω⁻/s. Both channels carry y
 * (α = e_D + e_{D−1}), and the readout u = s e_D − s e_{D−1} gives
 * ω^eff_i = s ω⁺_i/s − s ω⁻_i/s = ω_i. The other channels get gate 1. Their
 * rows of S stay zero because α vanishes there.
 */
export function valueVectorGatesFor<T>(F: OrderedField<T>, omega: readonly T[], D: number): ValueVectorGates<T> {
  if (omega.length === 0) {
    throw new InputError('ω', 'is empty', '[]', 'pass one target weight per in-context example (n ≥ 1)');
  }
  if (!Number.isInteger(D) || D < 2) {
    throw new InputError('D', 'is smaller than 2', D, 'value-vector synthesis needs two value channels: pass the embedding dimension d + 1 ≥ 2');
  }
  F.requireValid('ω', omega);
  const split = monotoneSplit(F, omega);
  const n = omega.length;
  const largest = F.compare(split.positive[n - 1], split.negative[n - 1]) >= 0 ? split.positive[n - 1] : split.negative[n - 1];
  const scale = F.compare(largest, F.zero) === 0 ? F.one : largest;
  const positive = split.positive.map((value) => F.div(value, scale));
  const negative = split.negative.map((value) => F.div(value, scale));

  const channels = { positive: D - 1, negative: D - 2 };
  const positiveGates = scalarGatesFor(F, positive);
  const negativeGates = scalarGatesFor(F, negative);
  const gates = Array.from({ length: n + 1 }, (_, j) =>
    Array.from({ length: D }, (__, c) => {
      if (c === channels.positive) return positiveGates.gamma[j];
      if (c === channels.negative) return negativeGates.gamma[j];
      return F.one;
    }),
  );
  const alpha = Array.from({ length: D }, (_, c) => (c === channels.positive || c === channels.negative ? F.one : F.zero));
  const u = Array.from({ length: D }, (_, c) => {
    if (c === channels.positive) return scale;
    if (c === channels.negative) return F.neg(scale);
    return F.zero;
  });
  return { gates, alpha, u, scale, positive, negative, channels };
}

/**
 * The GLA-value effective weights of value-vector gates,
 *   ω^eff_i = Σ_c u_c α_c Π_{j=i+1}^{n+1} g_c(z_j),
 * computed from the gates, the value map and the readout alone (never from
 * the target), so comparing it with the target tests the synthesis.
 */
export function valueEffectiveWeights<T>(F: Field<T>, synthesis: Pick<ValueVectorGates<T>, 'gates' | 'alpha' | 'u'>): T[] {
  const { gates, alpha, u } = synthesis;
  const n = gates.length - 1;
  const effective = new Array<T>(n).fill(F.zero);
  alpha.forEach((alphaC, c) => {
    const coefficient = F.mul(u[c], alphaC);
    const products = suffixProductWeights(
      F,
      gates.map((row) => row[c]),
    );
    products.forEach((product, i) => {
      effective[i] = F.add(effective[i], F.mul(coefficient, product));
    });
  });
  return effective;
}

/** Key-vector gates that realise per-coordinate weights D_i = diag(ω_{i,1..d}). */
export interface KeyVectorGates<T> {
  /** g(z_j) for j = 1..n+1: rows are positions, columns the D key channels (channel D gets 1). */
  gates: T[][];
  /** c_m of each coordinate's scalar synthesis: fold them into P as P diag(c). */
  scales: T[];
}

/**
 * Synthesises key-vector gates for per-coordinate weights: `omegaByCoordinate[m]`
 * is coordinate m's sequence ω_{1,m}..ω_{n,m}, which must lie in the scalar
 * cone. Key channel m is gated by scalarGatesFor of that sequence. The label
 * key channel D meets k_i[D] = 0 under construction C, so its gate is 1.
 */
export function keyVectorGatesFor<T>(F: OrderedField<T>, omegaByCoordinate: readonly (readonly T[])[]): KeyVectorGates<T> {
  const d = omegaByCoordinate.length;
  if (d === 0) {
    throw new InputError('ω', 'has no coordinates', '[]', 'pass one weight sequence per feature coordinate (d ≥ 1)');
  }
  const n = omegaByCoordinate[0].length;
  const perCoordinate = omegaByCoordinate.map((sequence, m) => {
    if (sequence.length !== n) {
      throw new InputError(`ω[${m}]`, `has ${sequence.length} entries but coordinate 0 has ${n}`, sequence.length, 'pass sequences of equal length n');
    }
    F.requireValid(`ω[${m}]`, sequence);
    const violation = firstConeViolation(F, sequence);
    if (violation) throw new ConeViolationError(violation.index, `${violation.problem} in coordinate ${m + 1}`, violation.value);
    return scalarGatesFor(F, sequence);
  });
  const gates = Array.from({ length: n + 1 }, (_, j) => [...perCoordinate.map((gates) => gates.gamma[j]), F.one]);
  return { gates, scales: perCoordinate.map((gates) => gates.scale) };
}

/** A layer under construction C together with its readout u (undefined: u = e_D). */
export interface SynthesisedLayer<T> {
  layer: GlaLayer<T>;
  u?: T[];
}

/** Scalar-gated layer with preconditioner c·P: it predicts xᵀ P Xᵀ (ω ⊙ y) for the synthesised target. */
export function scalarGatedLayer<T>(F: Field<T>, P: readonly (readonly T[])[], synthesis: ScalarGates<T>): SynthesisedLayer<T> {
  const scaled = P.map((row) => row.map((value) => F.mul(synthesis.scale, value)));
  return { layer: constructionC(F, scaled, 'scalar', (_z, position) => [synthesis.gamma[position - 1]]) };
}

/** Value-vector-gated layer with W_v = α e_Dᵀ and the synthesised readout: it predicts xᵀ P Xᵀ (ω ⊙ y). */
export function valueGatedLayer<T>(F: Field<T>, P: readonly (readonly T[])[], synthesis: ValueVectorGates<T>): SynthesisedLayer<T> {
  const layer = constructionC(F, P, 'value-vector', (_z, position) => synthesis.gates[position - 1]);
  const D = synthesis.alpha.length;
  layer.Wv = synthesis.alpha.map((alphaC) => Array.from({ length: D }, (_, b) => (b === D - 1 ? alphaC : F.zero)));
  return { layer, u: synthesis.u };
}

/** Key-vector-gated layer with preconditioner P diag(c): it predicts xᵀ P Σ_i diag(ω_i) x_i y_i. */
export function keyGatedLayer<T>(F: Field<T>, P: readonly (readonly T[])[], synthesis: KeyVectorGates<T>): SynthesisedLayer<T> {
  const scaled = P.map((row) => row.map((value, m) => F.mul(value, synthesis.scales[m])));
  return { layer: constructionC(F, scaled, 'key-vector', (_z, position) => synthesis.gates[position - 1]) };
}
