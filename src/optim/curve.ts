import { InputError } from '../core/errors.ts';
import { type Matrix, type Vector } from '../linalg/dense.ts';
import { eigenSymmetric } from '../linalg/symmetric.ts';
import type { Task } from '../theory/risk.ts';
import { landscapeProblem, type LandscapeProblem } from './landscape.ts';
import { bracketedRoot, goldenSectionMax } from './scalar.ts';

/**
 * The curve of candidate stationary points of the reduced risk,
 *   ω(μ) = (R_n + μ I)^{-1} r,   μ ∈ [1 + c/λ_max, 1 + c/λ_min],
 * evaluated through R_n = U diag(ν) Uᵀ and t = Uᵀ r:
 *   ωᵀ r = Σ t_i²/(ν_i + μ),  ‖ω‖² = Σ t_i²/(ν_i + μ)²,  ωᵀ R_n ω = Σ ν_i t_i²/(ν_i + μ)².
 *
 * Why the curve suffices: at a stationary point with s = ωᵀ r ≠ 0,
 * 2 s h r + s² (2 h_a (R_n + I) ω + 2 h_b c ω) = 0, so ω ∝ (R_n + μ I)^{-1} r with
 * μ = F(ω) = 1 + c h_b / h_a = 1 + c Σ λ² (aλ+b)^{-2} / Σ λ³ (aλ+b)^{-2}, a weighted mean
 * of 1 + c/λ_k, hence inside the interval. The global minimiser is stationary, so
 * min_ω L = min_μ L(ω(μ)).
 *
 * Derivative sign: along the curve, with M = R_n + μI,
 *   dφ/dμ = 2 s |h_a| (F(μ) − μ) (s ωᵀ M^{-1} ω − ‖ω‖⁴),
 * and the last factor is ≥ 0 by Cauchy–Schwarz (zero only when ω is an eigenvector
 * of R_n). So the local maxima of φ are exactly the points where F(μ) − μ changes
 * sign from + to −, which are fixed points: stationary points of L. The search
 * polishes each peak as that root, which resolves μ to machine precision instead
 * of the √ε a maximiser of φ alone reaches.
 */
export interface CurveProblem extends LandscapeProblem {
  /** Eigenvalues ν_i of R_n (ascending). */
  nu: Vector;
  /** Eigenvectors of R_n as columns. */
  U: Matrix;
  /** t = Uᵀ r. */
  t: Vector;
  interval: { low: number; high: number };
}

export function curveProblem(task: Task): CurveProblem {
  const base = landscapeProblem(task);
  const { values: nu, vectors: U } = eigenSymmetric(task.correlation.Rn);
  const t = nu.map((_, k) => U.reduce((acc, row, i) => acc + row[k] * base.r[i], 0));
  if (t.every((value) => value === 0)) {
    throw new InputError('r', 'is the zero vector', '0', 'with r = 0 every ω has risk tr Σ + σ²; the curve search needs r ≠ 0');
  }
  return { ...base, nu, U, t, interval: curveInterval(base.lambda, base.c) };
}

/** [1 + c/λ_max, 1 + c/λ_min]. */
export function curveInterval(lambda: readonly number[], c: number): { low: number; high: number } {
  const lambdaMin = Math.min(...lambda);
  const lambdaMax = Math.max(...lambda);
  return { low: 1 + c / lambdaMax, high: 1 + c / lambdaMin };
}

/** The scalars of L at ω(μ), without forming ω. */
export interface CurveScalars {
  mu: number;
  s: number;
  a: number;
  b: number;
  /** gain = s² h(a, b), so L = c − gain and φ = −L = gain − c. */
  gain: number;
  /** F(μ) = 1 + c Σ λ²/(aλ+b)² / Σ λ³/(aλ+b)². */
  fixedPoint: number;
}

export function curveScalars(problem: CurveProblem, mu: number): CurveScalars {
  const { nu, t, lambda, c } = problem;
  let s = 0;
  let normSquared = 0;
  let quadratic = 0;
  for (let i = 0; i < nu.length; i++) {
    const w = t[i] / (nu[i] + mu);
    s += t[i] * w;
    normSquared += w * w;
    quadratic += nu[i] * w * w;
  }
  const a = quadratic + normSquared;
  const b = c * normSquared;
  let h = 0;
  let numerator = 0;
  let denominator = 0;
  for (const value of lambda) {
    const inverse = 1 / (a * value + b);
    const weight = value * value * inverse * inverse;
    h += value * value * inverse;
    numerator += weight;
    denominator += weight * value;
  }
  return { mu, s, a, b, gain: s * s * h, fixedPoint: 1 + (c * numerator) / denominator };
}

/** φ(μ) = −L(ω(μ)). */
export function curvePhi(problem: CurveProblem, mu: number): number {
  return curveScalars(problem, mu).gain - problem.c;
}

/** ω(μ) = U diag(1/(ν + μ)) t, scaled to unit length. */
export function curvePoint(problem: CurveProblem, mu: number): Vector {
  const { nu, t, U } = problem;
  const w = nu.map((value, k) => t[k] / (value + mu));
  const omega = U.map((row) => row.reduce((acc, entry, k) => acc + entry * w[k], 0));
  const norm = Math.hypot(...omega);
  return omega.map((value) => value / norm);
}

/** Fixed-point map F at an arbitrary ω: F(ω) = 1 + c Σ λ²/(aλ+b)² / Σ λ³/(aλ+b)², a = ωᵀ(R_n + I)ω, b = c‖ω‖². */
export function fixedPointMu(lambda: readonly number[], c: number, a: number, b: number): number {
  let numerator = 0;
  let denominator = 0;
  for (const value of lambda) {
    const inverse = 1 / (a * value + b);
    const weight = value * value * inverse * inverse;
    numerator += weight;
    denominator += weight * value;
  }
  return 1 + (c * numerator) / denominator;
}

export interface CurvePeak {
  mu: number;
  /** φ(μ) = −L(ω(μ)). */
  phi: number;
  /** L(ω(μ)) = c − gain. */
  risk: number;
  gain: number;
  /** ω(μ) / ‖ω(μ)‖. */
  omega: Vector;
  /** μ − F(μ): zero at a stationary point. */
  fixedPointResidual: number;
  /** |μ − F(μ)| / μ. */
  relativeResidual: number;
  /** True when the peak sits at an end of the interval. */
  atBoundary: boolean;
}

export interface CurveSearchOptions {
  /** Grid points, log-spaced in μ. Default 2000. */
  gridPoints?: number;
}

export interface CurveSearchResult {
  interval: { low: number; high: number };
  gridPoints: number;
  /** Spacing of the grid in log μ. */
  logSpacing: number;
  /** All local maxima of φ, highest first. */
  peaks: CurvePeak[];
  /** The global maximum of φ: the global minimum of L. */
  best: CurvePeak;
}

/** Default grid: 2000 log-spaced points. */
export const DEFAULT_CURVE_GRID = 2000;

/**
 * Global maximisation of φ(μ) = −L(ω(μ)) over the interval.
 *
 * 1. Evaluate φ and G(μ) = F(μ) − μ on a grid uniform in log μ (μ ≥ 1 + c/λ_max > 1,
 *    and the interval spans log₁₀(λ_max/λ_min) decades, so equal steps in log μ
 *    give every decade the same resolution).
 * 2. Every grid local maximum of φ, and every + → − sign change of G, marks a peak;
 *    refine it by golden section on [μ_{i−1}, μ_{i+1}] and polish μ as the root of G.
 * 3. Merge peaks closer than 1e-9 relative and sort by φ.
 *
 * NOTE (grid resolution): the search assumes that between two neighbouring grid
 * points φ has at most one local maximum, i.e. that no peak together with the dip
 * that separates it from its neighbour fits inside one step of `logSpacing` in log μ
 * (2000 points over eight decades is a step of about 0.9% in μ). A narrower peak can
 * be missed. φ is a ratio of polynomials in μ whose poles lie at μ = −ν_i ≤ 0, outside
 * the interval, so its features have widths comparable to μ + ν_i unless R_n or Σ
 * is extreme; raise `gridPoints` when in doubt.
 */
export function globalCurveSearch(problem: CurveProblem, options: CurveSearchOptions = {}): CurveSearchResult {
  const { low, high } = problem.interval;
  if (!(high > low * (1 + 1e-12))) {
    // Σ = sI: the interval is the single point 1 + c/s = d + 1 + σ²/s.
    const mu = 0.5 * (low + high);
    const peak = makePeak(problem, mu, true);
    return { interval: problem.interval, gridPoints: 1, logSpacing: 0, peaks: [peak], best: peak };
  }
  const gridPoints = Math.max(3, Math.floor(options.gridPoints ?? DEFAULT_CURVE_GRID));
  const logLow = Math.log(low);
  const logSpacing = (Math.log(high) - logLow) / (gridPoints - 1);
  const grid = Array.from({ length: gridPoints }, (_, i) => (i === gridPoints - 1 ? high : Math.exp(logLow + i * logSpacing)));
  const values = grid.map((mu) => curveScalars(problem, mu));
  const candidates = new Set<number>();
  for (let i = 0; i < gridPoints; i++) {
    const left = i > 0 ? values[i - 1].gain : -Infinity;
    const right = i < gridPoints - 1 ? values[i + 1].gain : -Infinity;
    if (values[i].gain >= left && values[i].gain > right) candidates.add(i);
    if (i < gridPoints - 1 && values[i].fixedPoint - grid[i] > 0 && values[i + 1].fixedPoint - grid[i + 1] <= 0) candidates.add(i);
  }
  const peaks: CurvePeak[] = [];
  for (const i of candidates) {
    const left = grid[Math.max(0, i - 1)];
    const right = grid[Math.min(gridPoints - 1, i + 1)];
    const peak = refinePeak(problem, left, right);
    if (!peaks.some((other) => Math.abs(other.mu - peak.mu) <= 1e-9 * peak.mu)) peaks.push(peak);
  }
  peaks.sort((p, q) => q.phi - p.phi);
  return { interval: problem.interval, gridPoints, logSpacing, peaks, best: peaks[0] };
}

/** Golden section on log μ, then the root of G(μ) = F(μ) − μ when the bracket holds a + → − change. */
export function refinePeak(problem: CurveProblem, left: number, right: number): CurvePeak {
  const gain = (logMu: number) => curveScalars(problem, Math.exp(logMu)).gain;
  const golden = goldenSectionMax(gain, Math.log(left), Math.log(right), 1e-13);
  let mu = Math.exp(golden.x);
  const G = (x: number) => {
    const scalars = curveScalars(problem, x);
    return scalars.fixedPoint - x;
  };
  // G changes sign from + to − at the peak: widen a bracket around the golden-section
  // estimate (which is only good to ~√ε relative where φ is flat) until it holds the change.
  for (let delta = 1e-7; ; delta *= 4) {
    const a = Math.max(left, mu * (1 - delta));
    const b = Math.min(right, mu * (1 + delta));
    const Ga = G(a);
    const Gb = G(b);
    if (Ga > 0 && Gb < 0) {
      mu = bracketedRoot(G, a, b, 4 * Number.EPSILON * mu).x;
      break;
    }
    // F(μ) is a weighted mean of 1 + c/λ_k, so G ≥ 0 at the interval's low end and
    // G ≤ 0 at its high end. A computed G of the wrong sign there is round-off: the
    // root lies within rounding of that end.
    if (a === problem.interval.low && Ga <= 0 && Gb < 0) {
      mu = a;
      break;
    }
    if (b === problem.interval.high && Gb >= 0 && Ga > 0) {
      mu = b;
      break;
    }
    if (a === left && b === right) break;
  }
  const { low, high } = problem.interval;
  const atBoundary = Math.abs(mu - low) <= 1e-9 * low || Math.abs(mu - high) <= 1e-9 * high;
  return makePeak(problem, mu, atBoundary);
}

function makePeak(problem: CurveProblem, mu: number, atBoundary: boolean): CurvePeak {
  const scalars = curveScalars(problem, mu);
  const residual = mu - scalars.fixedPoint;
  return {
    mu,
    phi: scalars.gain - problem.c,
    risk: problem.c - scalars.gain,
    gain: scalars.gain,
    omega: curvePoint(problem, mu),
    fixedPointResidual: residual,
    relativeResidual: Math.abs(residual) / mu,
    atBoundary,
  };
}
