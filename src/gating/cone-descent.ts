import type { Random } from '../data/random.ts';
import { gradientAt, landscapePoint, type LandscapeProblem } from '../optim/landscape.ts';
import { cumulativeSums } from './cone-qp.ts';
import { floatArithmetic } from './active-set.ts';

/**
 * Local minimisation of the reduced risk over the scalar cone, used only to
 * cross-check the μ-search. With ω = T δ (cumulative sums) the cone becomes
 * δ ≥ 0, and L(Tδ) has gradient Tᵀ∇L(ω), i.e. suffix sums of ∇L. The method is
 * spectral projected gradient (Birgin, Martínez and Raydan, SIAM J. Optim. 10,
 * 2000): Barzilai–Borwein steps, projection onto δ ≥ 0 and a nonmonotone
 * Armijo search over the last NONMONOTONE_MEMORY values.
 *
 * L is homogeneous of degree 0, so (Tᵀ∇L)ᵀ δ = ∇Lᵀω = 0 and steps change the
 * scale of δ only to second order. δ is rescaled to Σδ = ω_n = 1 after each
 * step, which leaves L unchanged.
 */

/**
 * Convergence: max_i |min(δ_i, g_i / c)| ≤ CONE_DESCENT_RTOL at Σδ = 1, the
 * projected-gradient residual with g = Tᵀ∇L made dimensionless by c = tr Σ + σ²
 * (0 ≤ c − L ≤ c). Round-off in g is ~1e-15 c n, so 1e-9 is reachable.
 */
export const CONE_DESCENT_RTOL = 1e-9;

const NONMONOTONE_MEMORY = 10;

export interface ConeDescentResult {
  /** The final point in K, scaled to ω_n = 1. */
  omega: number[];
  risk: number;
  /** Projected-gradient residual max_i |min(δ_i, g_i/c)| at the end. */
  residual: number;
  converged: boolean;
  iterations: number;
}

export interface ConeDescentOptions {
  maxIterations?: number;
  tolerance?: number;
}

/** Spectral projected gradient on δ ≥ 0 from `startDelta` (any nonzero δ ≥ 0). */
export function minimizeOnCone(problem: LandscapeProblem, startDelta: readonly number[], options: ConeDescentOptions = {}): ConeDescentResult {
  const maxIterations = options.maxIterations ?? 5000;
  const tolerance = options.tolerance ?? CONE_DESCENT_RTOL;
  const c = problem.c;
  let delta = normalise(startDelta.map((value) => Math.max(0, value)));
  let state = evaluate(problem, delta);
  const history = [state.risk];
  let step = 1 / c;
  let iterations = 0;
  let residual = projectedResidual(delta, state.g, c);
  while (residual > tolerance && iterations < maxIterations) {
    iterations++;
    const direction = delta.map((value, i) => Math.max(0, value - step * state.g[i]) - value);
    const slope = direction.reduce((acc, value, i) => acc + value * state.g[i], 0);
    if (!(slope < 0)) break;
    const reference = Math.max(...history);
    let t = 1;
    let candidate: number[] = delta;
    let next = state;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++, t /= 2) {
      candidate = delta.map((value, i) => Math.max(0, value + t * direction[i]));
      if (!candidate.some((value) => value > 0)) continue;
      next = evaluate(problem, candidate);
      if (next.risk <= reference + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    const s = candidate.map((value, i) => value - delta[i]);
    const y = next.g.map((value, i) => value - state.g[i]);
    const sy = s.reduce((acc, value, i) => acc + value * y[i], 0);
    const ss = s.reduce((acc, value) => acc + value * value, 0);
    step = sy > 0 ? Math.min(1e10 / c, Math.max(1e-10 / c, ss / sy)) : 1e10 / c;
    // Rescaling to Σδ = 1 leaves L unchanged and multiplies g by the inverse scale.
    const total = candidate.reduce((acc, value) => acc + value, 0);
    delta = candidate.map((value) => value / total);
    state = { risk: next.risk, g: next.g.map((value) => value * total) };
    history.push(state.risk);
    if (history.length > NONMONOTONE_MEMORY) history.shift();
    residual = projectedResidual(delta, state.g, c);
  }
  return { omega: cumulativeSums(floatArithmetic, delta), risk: state.risk, residual, converged: residual <= tolerance, iterations };
}

/** Start points: ω = 1, ω = e_n, then random increments (exponential, with about a third set to 0). */
export function coneStarts(random: Random, n: number, count: number): number[][] {
  const starts: number[][] = [];
  const ones = new Array<number>(n).fill(0);
  ones[0] = 1;
  starts.push(ones);
  if (n > 1) {
    const last = new Array<number>(n).fill(0);
    last[n - 1] = 1;
    starts.push(last);
  }
  while (starts.length < count) {
    const delta = Array.from({ length: n }, () => (random.uniform() < 1 / 3 ? 0 : -Math.log(1 - random.uniform())));
    if (delta.some((value) => value > 0)) starts.push(delta);
  }
  return starts.slice(0, Math.max(count, 1));
}

export interface ConeMultistartResult {
  best: ConeDescentResult;
  results: ConeDescentResult[];
  converged: number;
}

/** Runs minimizeOnCone from every start; `best` is the lowest risk among all runs, converged or not. */
export function coneMultistart(problem: LandscapeProblem, starts: readonly (readonly number[])[], options: ConeDescentOptions = {}): ConeMultistartResult {
  const results = starts.map((start) => minimizeOnCone(problem, start, options));
  const best = results.reduce((acc, result) => (result.risk < acc.risk ? result : acc), results[0]);
  return { best, results, converged: results.filter((result) => result.converged).length };
}

/** L(Tδ) and g = Tᵀ∇L(Tδ) (suffix sums of ∇L). */
function evaluate(problem: LandscapeProblem, delta: readonly number[]): { risk: number; g: number[] } {
  const omega = cumulativeSums(floatArithmetic, delta);
  const point = landscapePoint(problem, omega);
  const gradient = gradientAt(problem, point);
  const g = [...gradient];
  for (let i = g.length - 2; i >= 0; i--) g[i] += g[i + 1];
  return { risk: problem.c - point.s * point.s * point.h, g };
}

function projectedResidual(delta: readonly number[], g: readonly number[], c: number): number {
  return delta.reduce((acc, value, i) => Math.max(acc, Math.abs(Math.min(value, g[i] / c))), 0);
}

function normalise(delta: readonly number[]): number[] {
  const total = delta.reduce((acc, value) => acc + value, 0);
  return delta.map((value) => value / total);
}
