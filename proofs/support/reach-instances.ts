import type { Fraction } from 'mathjs';
import { q, showRational } from '../../src/algebra/rational-matrix.ts';
import type { Json } from '../../src/claims/types.ts';
import type { Random } from '../../src/data/random.ts';

/**
 * Random exact instances for the reachability claims: rational gates, cone
 * points with zeros, ties and ω_n > 1, arbitrary targets, and prompts.
 */

/** A rational prompt with its preconditioner: X (n×d), y (n), query x (d), P (d×d). */
export interface RationalPrompt {
  X: Fraction[][];
  y: Fraction[];
  x: Fraction[];
  P: Fraction[][];
}

/** Draws a real input ±p/q with 0 ≤ p ≤ 9 and 1 ≤ q ≤ 9. */
export function rationalReal(random: Random): Fraction {
  return q(random.integer(-9, 9), random.integer(1, 9));
}

/** Draws a gate value: exactly 0 (15 %), exactly 1 (20 %), else k/m with 1 ≤ k < m ≤ 9. */
export function rationalGate(random: Random): Fraction {
  const draw = random.uniform();
  if (draw < 0.15) return q(0);
  if (draw < 0.35) return q(1);
  const m = random.integer(2, 9);
  return q(random.integer(1, m - 1), m);
}

export function rationalPrompt(random: Random, n: number, d: number): RationalPrompt {
  const vector = (length: number) => Array.from({ length }, () => rationalReal(random));
  return {
    X: Array.from({ length: n }, () => vector(d)),
    y: vector(n),
    x: vector(d),
    P: Array.from({ length: d }, () => vector(d)),
  };
}

/**
 * Draws a cone point 0 ≤ ω_1 ≤ … ≤ ω_n from nonnegative increments: an increment is
 * 0 with probability 0.35 (leading zeros and ties), else p/q with p, q in 1..9.
 * Half of the points are then divided by k·ω_n, k ∈ {1, 2, 3}, so ω_n = 1
 * exactly, ω_n < 1 and ω_n > 1 (the undivided half) all occur.
 */
export function rationalConePoint(random: Random, n: number): Fraction[] {
  const omega: Fraction[] = [];
  let running = q(0);
  for (let i = 0; i < n; i++) {
    if (random.uniform() >= 0.35) running = running.add(q(random.integer(1, 9), random.integer(1, 9)));
    omega.push(running);
  }
  const last = omega[n - 1];
  if (random.uniform() < 0.5 && !last.equals(0)) {
    const divisor = last.mul(random.integer(1, 3));
    return omega.map((value) => value.div(divisor));
  }
  return omega;
}

/**
 * Draws an arbitrary target ω ∈ Qⁿ: each entry is 0 (20 %), a repeat of the previous
 * entry (15 %) or ±p/q, so signs, zeros, ties and non-monotone runs all occur.
 */
export function rationalTarget(random: Random, n: number): Fraction[] {
  const omega: Fraction[] = [];
  for (let i = 0; i < n; i++) {
    const draw = random.uniform();
    if (draw < 0.2) omega.push(q(0));
    else if (draw < 0.35 && i > 0) omega.push(omega[i - 1]);
    else omega.push(q(random.integer(-9, 9), random.integer(1, 9)));
  }
  return omega;
}

/** Features of a cone point that the checks want covered. */
export interface ConeFeatures {
  zeros: boolean;
  ties: boolean;
  aboveOne: boolean;
  exactlyOne: boolean;
}

export function coneFeatures(omega: readonly Fraction[]): ConeFeatures {
  const last = omega[omega.length - 1];
  return {
    zeros: omega.some((value) => value.equals(0)),
    ties: omega.some((value, i) => i > 0 && value.equals(omega[i - 1]) && !value.equals(0)),
    aboveOne: last.compare(1) > 0,
    exactlyOne: last.equals(1),
  };
}

export function showVector(values: readonly Fraction[]): Json {
  return values.map(showRational);
}

export function showPrompt(prompt: RationalPrompt): Json {
  return {
    X: prompt.X.map((row) => row.map(showRational)),
    y: showVector(prompt.y),
    x: showVector(prompt.x),
    P: prompt.P.map((row) => row.map(showRational)),
  };
}
