import { InputError } from '../core/errors.ts';
import { digitCount, ExactDecimal, parseDecimal, powerOfTen } from './decimal.ts';

/**
 * GLA-1 for d = 1 in exact decimal arithmetic, for long prompts. Two sides
 * are computed in opposite orders so that neither reuses the other's work:
 * the scalar-gated GLA recurrence runs forward over the tokens, and WPGD
 * builds the suffix products ω_i = Π_{j=i+1}^{n+1} γ_j backward. Each step
 * multiplies a long numerator by a short one and never re-multiplies a
 * product. So one pass costs time linear in n × (digits of the running numerator).
 */

/** A d = 1 prompt under construction C, every entry an exact decimal. */
export interface DecimalPrompt {
  /** Example features x_1..x_n (d = 1, so each row of X is one number). */
  X: readonly ExactDecimal[];
  /** Example labels y_1..y_n. */
  y: readonly ExactDecimal[];
  /** The query's feature x. */
  x: ExactDecimal;
  /** The 1×1 preconditioner P. */
  P: ExactDecimal;
  /** Gate values γ_1..γ_{n+1} of the tokens, the query's gate last; each in [0, 1]. */
  gamma: readonly ExactDecimal[];
}

/** The same prompt with every entry as decimal text, e.g. `{ X: ['0.5'], y: ['1'], x: '2', P: '1', gamma: ['1', '0.999'] }`. */
export interface DecimalPromptText {
  X: readonly string[];
  y: readonly string[];
  x: string;
  P: string;
  gamma: readonly string[];
}

/** Parses every entry with parseDecimal; an invalid entry is named by its field and index, e.g. "gamma[17]". */
export function parseDecimalPrompt(text: DecimalPromptText): DecimalPrompt {
  return {
    X: text.X.map((value, i) => parseDecimal(value, `X[${i}]`)),
    y: text.y.map((value, i) => parseDecimal(value, `y[${i}]`)),
    x: parseDecimal(text.x, 'x'),
    P: parseDecimal(text.P, 'P'),
    gamma: text.gamma.map((value, i) => parseDecimal(value, `gamma[${i}]`)),
  };
}

/** Returns the largest scale among the values, by a loop: spreading 400000 values into Math.max overflowed the call stack. */
function largestScale(values: readonly ExactDecimal[]): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, value.scale);
  return largest;
}

/** Throws InputError unless n ≥ 1, y has n entries, γ has n + 1 and every gate lies in [0, 1]. */
export function requireDecimalPrompt(prompt: DecimalPrompt): void {
  const n = prompt.X.length;
  if (n < 1) throw new InputError('X', 'is empty', n, 'pass at least one example');
  if (prompt.y.length !== n) {
    throw new InputError('y', `has ${prompt.y.length} entries but X has ${n}`, prompt.y.length, 'pass one label per example');
  }
  if (prompt.gamma.length !== n + 1) {
    throw new InputError('gamma', `has ${prompt.gamma.length} entries but n = ${n} needs n + 1`, prompt.gamma.length, "pass one gate per token, the query's gate last");
  }
  prompt.gamma.forEach((gate, i) => {
    if (gate.sign() < 0 || gate.compare(ExactDecimal.ONE) > 0) {
      throw new InputError(`gamma[${i}]`, 'is outside [0, 1]', gate.toString(), 'gate values must lie in [0, 1]');
    }
  });
}

/**
 * Size limits of the exact scan, checked before a pass starts. Measured with
 * Node 20 on a 2-core x86-64 VM, one pass ran 3.5e9 to 4.5e9 digit steps per
 * second (n = 20000 gates of 0.999: 6e8 steps, 0.16 s). So the step limit
 * stops prompts estimated there at about 30 s per side, a minute for both.
 */
export const SCAN_LIMITS = {
  /** Upper bound on the digits of ŷ's numerator over 10^scale; ≈ n × decimals per gate. */
  numeratorDigits: 1_000_000,
  /** Upper bound on the digit steps of one pass (see ScanCost). */
  digitSteps: 1e11,
} as const;

/** Decimal digits per BigInt limb on 64-bit platforms: a longer factor costs one more pass over the long operand. */
const DIGITS_PER_LIMB = 19;

/** Predicted size and work of one exact pass over a prompt (upper bounds). */
export interface ScanCost {
  /** Digits of the numerator of ŷ over 10^scale. */
  numeratorDigits: number;
  /**
   * Sum over the steps t = 1..n+1 of the digits of the running state's
   * numerator, times the limbs of that step's gate numerator or term
   * numerator, whichever is longer.
   */
  digitSteps: number;
}

/**
 * Bounds the cost of one pass before it runs. With gates in [0, 1],
 * |S_t| ≤ t · max_i |x_i y_i|, so the numerator of S_t over 10^{E_t} has at
 * most E_t + digits(t · max |x_i y_i|) digits, where E_t is the largest scale
 * of a term x_i y_i plus the scales of the gates since the last zero gate
 * (a zero gate empties S). ŷ = (P x) S_{n+1} adds the digits of P x.
 */
export function predictScanCost(prompt: DecimalPrompt): ScanCost {
  requireDecimalPrompt(prompt);
  const n = prompt.X.length;
  const terms = prompt.X.map((xi, i) => xi.mul(prompt.y[i]));
  const termScale = largestScale(terms);
  let largestTerm = 0n;
  for (const term of terms) {
    const aligned = term.unitsAtScale(termScale);
    const magnitude = aligned < 0n ? -aligned : aligned;
    if (magnitude > largestTerm) largestTerm = magnitude;
  }
  // Digits of the integer part of n · max |x_i y_i|, plus one for rounding up.
  const integerDigits = digitCount((BigInt(n) * largestTerm) / powerOfTen(termScale)) + 1;
  let gateScales = 0;
  let digitSteps = 0;
  prompt.gamma.forEach((gate, t) => {
    gateScales = gate.isZero() ? 0 : gateScales + gate.scale;
    const factorDigits = Math.max(gate.numeratorDigits(), t < n ? terms[t].numeratorDigits() : 1);
    digitSteps += (termScale + gateScales + integerDigits) * Math.ceil(factorDigits / DIGITS_PER_LIMB);
  });
  const q = prompt.P.mul(prompt.x);
  return { numeratorDigits: termScale + gateScales + integerDigits + q.numeratorDigits() + q.scale, digitSteps };
}

/** Throws InputError, naming the limit and the fix, when predictScanCost exceeds SCAN_LIMITS. */
export function requireWithinScanLimits(prompt: DecimalPrompt): ScanCost {
  const cost = predictScanCost(prompt);
  const fix =
    'shorten the prompt or use gates with fewer decimals; for longer prompts use the float64 path, whose log-space weights have a stated error bound';
  if (cost.numeratorDigits > SCAN_LIMITS.numeratorDigits) {
    throw new InputError('prompt', `needs a numerator of about ${cost.numeratorDigits} digits, above the exact-scan limit of ${SCAN_LIMITS.numeratorDigits}`, `n = ${prompt.X.length}`, fix);
  }
  if (cost.digitSteps > SCAN_LIMITS.digitSteps) {
    throw new InputError('prompt', `needs about ${cost.digitSteps.toExponential(2)} digit operations per pass, above the exact-scan limit of ${SCAN_LIMITS.digitSteps.toExponential(2)}`, `n = ${prompt.X.length}`, fix);
  }
  return cost;
}

/**
 * ŷ_GLA = q S_{n+1} by the scalar-gated recurrence under construction C,
 * d = 1: S_0 = 0 and S_t = γ_t S_{t−1} + k_t v_t for t = 1..n+1, with
 * k_t = x_t, v_t = y_t, and for the query k_{n+1} = x, v_{n+1} = 0, so the
 * query's gate multiplies S_n and its term is 0. Then q = P x. S_t is the
 * (label row, feature column) entry of the 2×2 state, its only nonzero entry.
 *
 * S_t is kept as U / 10^{c + E} with c the largest scale of a term k_t v_t,
 * so every term is a whole number of units once scaled by 10^{c − scale}
 * (a short power) and by 10^E, which is kept as a running product instead of
 * being recomputed each step.
 */
export function glaScanDecimal(prompt: DecimalPrompt): ExactDecimal {
  requireWithinScanLimits(prompt);
  const { X, y, x, P, gamma } = prompt;
  const n = X.length;
  const k = [...X, x];
  const v = [...y, ExactDecimal.ZERO];
  const terms = k.map((kt, t) => kt.mul(v[t]));
  const c = largestScale(terms);
  let U = 0n;
  let E = 0;
  let tenToE = 1n;
  for (let t = 0; t <= n; t++) {
    const gate = gamma[t];
    if (gate.isZero()) {
      // γ_t = 0 empties the state exactly, so the scale starts over.
      U = 0n;
      E = 0;
      tenToE = 1n;
    } else {
      U *= gate.units;
      E += gate.scale;
      tenToE *= powerOfTen(gate.scale);
    }
    const term = terms[t];
    if (!term.isZero()) U += term.units * powerOfTen(c - term.scale) * tenToE;
  }
  const q = P.mul(x);
  return ExactDecimal.of(q.units * U, q.scale + c + E);
}

/** WPGD's prediction and its first weight, which carries the longest product. */
export interface WpgdDecimal {
  /** ŷ_WPGD = x P Σ_i ω_i x_i y_i. */
  prediction: ExactDecimal;
  /** ω_1 = Π_{j=2}^{n+1} γ_j. */
  omega1: ExactDecimal;
}

/**
 * ŷ_WPGD = x P Σ_{i=1}^{n} ω_i x_i y_i with ω_i = Π_{j=i+1}^{n+1} γ_j (the
 * query's gate included, γ_i excluded), d = 1. The weights are built as
 * suffix products from ω_n = γ_{n+1} down to ω_1, one gate per step. Once a
 * weight is exactly 0 every earlier weight is 0 too, so the sum stops there.
 */
export function wpgdDecimal(prompt: DecimalPrompt): WpgdDecimal {
  requireWithinScanLimits(prompt);
  const { X, y, x, P, gamma } = prompt;
  let omega = ExactDecimal.ONE;
  let sum = ExactDecimal.ZERO;
  for (let i = X.length; i >= 1; i--) {
    // 1-based ω_i = γ_{i+1} ω_{i+1}; gamma[i] is γ_{i+1} and X[i − 1] is x_i.
    omega = gamma[i].mul(omega);
    if (omega.isZero()) break;
    sum = sum.add(omega.mul(X[i - 1].mul(y[i - 1])));
  }
  return { prediction: x.mul(P).mul(sum), omega1: omega };
}

/**
 * Builds the prompt whose GLA prediction is the geometric sum Σ_{k=1}^{n} g^k:
 * every gate g, and x = x_i = y_i = P = 1, so ω_i = g^{n+1−i}.
 */
export function geometricPrompt(g: ExactDecimal, n: number): DecimalPrompt {
  if (!Number.isInteger(n) || n < 1) throw new InputError('n', 'is not a positive integer', n, 'pass an integer ≥ 1');
  const ones = new Array<ExactDecimal>(n).fill(ExactDecimal.ONE);
  return { X: ones, y: ones, x: ExactDecimal.ONE, P: ExactDecimal.ONE, gamma: new Array<ExactDecimal>(n + 1).fill(g) };
}

/**
 * Tests whether `sum` equals Σ_{k=1}^{n} g^k, without division, as
 * (1 − g) · sum = g (1 − g^n). At g = 1 that equation is 0 = 0 and proves
 * nothing, so the sum is compared with n instead.
 */
export function matchesGeometricSum(g: ExactDecimal, n: number, sum: ExactDecimal): boolean {
  if (g.equals(ExactDecimal.ONE)) return sum.equals(ExactDecimal.fromInteger(n));
  const oneMinusG = ExactDecimal.ONE.sub(g);
  return oneMinusG.mul(sum).equals(g.mul(ExactDecimal.ONE.sub(g.pow(n))));
}
