import type { Fraction } from 'mathjs';
import { q, rationalSolve } from '../algebra/rational-matrix.ts';
import { solve } from '../linalg/symmetric.ts';

/**
 * A primal active-set method for the bound-constrained strictly convex QP
 *
 *   minimise ½ δᵀ H δ − cᵀ δ   subject to δ ≥ 0      (H ≻ 0, n × n),
 *
 * written once for float64 and for exact rationals. Its KKT conditions are
 * g = H δ − c ≥ 0, δ ≥ 0, g ⊙ δ = 0, and they identify the unique minimiser.
 *
 * Each outer step frees the bound with the most negative gradient entry. The
 * inner loop then returns to a feasible subspace minimiser by a ratio test
 * that fixes one or more variables at 0 again (Lawson–Hanson for NNLS, applied
 * to the normal equations). Every subspace minimiser has a strictly lower objective
 * than the last, so no free set repeats and the method ends after finitely
 * many steps in exact arithmetic.
 */

/** Ordered-field arithmetic the method runs on. */
export interface OrderedArithmetic<T> {
  readonly zero: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  /** Float64 approximation, used to rank candidates and to size round-off. */
  toNumber(a: T): number;
  /**
   * Sign of `a`. In float64, values with |a| ≤ noise count as 0, so round-off
   * cannot free a bound whose multiplier is zero. Exact arithmetic ignores `noise`.
   */
  sign(a: T, noise: number): -1 | 0 | 1;
  /** x with A x = b for a symmetric positive definite A. */
  solve(A: T[][], b: T[]): T[];
}

/**
 * Relative size below which a float64 gradient entry counts as zero:
 * |g_j| ≤ ACTIVE_SET_NOISE_RTOL · ((|H| |δ|)_j + |c_j|). Rounding of H δ − c is
 * about n·ε times that scale; 1e-12 leaves room for n in the hundreds and stays
 * three orders below the tolerance of the KKT report.
 */
export const ACTIVE_SET_NOISE_RTOL = 1e-12;

export const floatArithmetic: OrderedArithmetic<number> = {
  zero: 0,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  toNumber: (a) => a,
  sign: (a, noise) => {
    if (a > noise) return 1;
    if (a < -noise) return -1;
    return 0;
  },
  solve: (A, b) => solve(A, b),
};

export const rationalArithmetic: OrderedArithmetic<Fraction> = {
  zero: q(0),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  toNumber: (a) => a.valueOf(),
  sign: (a) => (a.gt(0) ? 1 : a.lt(0) ? -1 : 0),
  solve: (A, b) => rationalSolve(A, b),
};

export interface ActiveSetResult<T> {
  /** The final iterate: δ ≥ 0 with δ_i = 0 exactly off the free set. */
  delta: T[];
  /** Indices of the free variables (δ_i > 0), ascending. */
  free: number[];
  /** Subspace solves performed. */
  iterations: number;
  /** False when the iteration limit stopped the method before its KKT test passed. */
  converged: boolean;
  /** True when the warm-start free set gave a feasible subspace minimiser and was used. */
  warmStarted: boolean;
}

/**
 * Runs the active-set method from the free set `warmFree` when its subspace
 * minimiser is feasible (δ_F > 0), and from δ = 0 otherwise.
 */
export function boundConstrainedQp<T>(
  F: OrderedArithmetic<T>,
  H: readonly (readonly T[])[],
  c: readonly T[],
  warmFree: readonly number[] = [],
  maxIterations = 20 * c.length + 50,
): ActiveSetResult<T> {
  const n = c.length;
  let delta: T[] = new Array<T>(n).fill(F.zero);
  let free = new Set<number>();
  let warmStarted = false;
  if (warmFree.length > 0) {
    const candidate = subspaceMinimiser(F, H, c, [...warmFree]);
    if (warmFree.every((i) => F.sign(candidate[i], 0) > 0)) {
      delta = candidate;
      free = new Set(warmFree);
      warmStarted = true;
    }
  }
  let iterations = 0;
  const skipped = new Set<number>();
  while (iterations < maxIterations) {
    const entering = mostNegativeGradient(F, H, c, delta, free, skipped);
    if (entering === undefined) {
      return { delta, free: sorted(free), iterations, converged: true, warmStarted };
    }
    free.add(entering);
    let first = true;
    for (;;) {
      iterations++;
      const s = subspaceMinimiser(F, H, c, sorted(free));
      if (first && F.sign(s[entering], 0) <= 0) {
        // Exact arithmetic always gives s_j > 0 for the entering index j. In float64
        // a multiplier that is zero up to round-off can break this, so j is set
        // aside until the next successful step instead of cycling.
        free.delete(entering);
        skipped.add(entering);
        break;
      }
      if (first) skipped.clear();
      first = false;
      const blocking = sorted(free).filter((i) => F.sign(s[i], 0) <= 0);
      if (blocking.length === 0) {
        delta = s;
        break;
      }
      delta = stepToBoundary(F, delta, s, blocking, free);
      if (iterations >= maxIterations) break;
    }
  }
  return { delta, free: sorted(free), iterations, converged: false, warmStarted };
}

/** δ_F = H_FF^{-1} c_F and δ_i = 0 off F. */
export function subspaceMinimiser<T>(F: OrderedArithmetic<T>, H: readonly (readonly T[])[], c: readonly T[], free: readonly number[]): T[] {
  const result = new Array<T>(c.length).fill(F.zero);
  if (free.length === 0) return result;
  const Hff = free.map((i) => free.map((j) => H[i][j]));
  const cf = free.map((i) => c[i]);
  const solution = F.solve(Hff, cf);
  free.forEach((i, k) => (result[i] = solution[k]));
  return result;
}

/** g = H δ − c. */
export function gradient<T>(F: OrderedArithmetic<T>, H: readonly (readonly T[])[], c: readonly T[], delta: readonly T[]): T[] {
  return H.map((row, i) => {
    let total = F.zero;
    for (let j = 0; j < row.length; j++) {
      if (F.sign(delta[j], 0) !== 0) total = F.add(total, F.mul(row[j], delta[j]));
    }
    return F.sub(total, c[i]);
  });
}

/** Round-off scale of g_i in float64: (|H| |δ|)_i + |c_i|. */
export function gradientScale<T>(F: OrderedArithmetic<T>, H: readonly (readonly T[])[], c: readonly T[], delta: readonly T[]): number[] {
  return H.map((row, i) => row.reduce((acc, value, j) => acc + Math.abs(F.toNumber(value) * F.toNumber(delta[j])), Math.abs(F.toNumber(c[i]))));
}

/** Finds the bound index with the most negative gradient entry (beyond round-off); undefined when none is negative. */
function mostNegativeGradient<T>(
  F: OrderedArithmetic<T>,
  H: readonly (readonly T[])[],
  c: readonly T[],
  delta: readonly T[],
  free: ReadonlySet<number>,
  skipped: ReadonlySet<number>,
): number | undefined {
  const g = gradient(F, H, c, delta);
  const scale = gradientScale(F, H, c, delta);
  let best: number | undefined;
  let bestValue = 0;
  for (let i = 0; i < c.length; i++) {
    if (free.has(i) || skipped.has(i)) continue;
    if (F.sign(g[i], ACTIVE_SET_NOISE_RTOL * scale[i]) >= 0) continue;
    const value = F.toNumber(g[i]) / (scale[i] > 0 ? scale[i] : 1);
    if (best === undefined || value < bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/**
 * Moves from the feasible δ towards s by the largest step α ∈ [0, 1] that
 * keeps δ + α (s − δ) ≥ 0. Every variable that reached 0, at least the one that
 * set α, is then fixed at exactly 0 and leaves the free set.
 */
function stepToBoundary<T>(F: OrderedArithmetic<T>, delta: readonly T[], s: readonly T[], blocking: readonly number[], free: Set<number>): T[] {
  let alpha: T | undefined;
  let limiting = blocking[0];
  for (const i of blocking) {
    const gap = F.sub(delta[i], s[i]);
    // δ_i ≥ 0 ≥ s_i, so the gap is ≥ 0. A zero gap means δ_i = s_i = 0 and a zero step.
    const ratio = F.sign(gap, 0) > 0 ? F.div(delta[i], gap) : F.zero;
    if (alpha === undefined || F.sign(F.sub(ratio, alpha), 0) < 0) {
      alpha = ratio;
      limiting = i;
    }
  }
  const step = alpha ?? F.zero;
  const next = delta.map((value, i) => (free.has(i) ? F.add(value, F.mul(step, F.sub(s[i], value))) : F.zero));
  next[limiting] = F.zero;
  for (const i of [...free]) {
    if (F.sign(next[i], 0) <= 0) {
      next[i] = F.zero;
      free.delete(i);
    }
  }
  return next;
}

function sorted(set: ReadonlySet<number>): number[] {
  return [...set].sort((a, b) => a - b);
}
