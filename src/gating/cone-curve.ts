import { InputError } from '../core/errors.ts';
import { curveInterval, fixedPointMu } from '../optim/curve.ts';
import { gradientAt, landscapePoint, type LandscapeProblem } from '../optim/landscape.ts';
import { bracketedRoot, goldenSectionMax } from '../optim/scalar.ts';
import { coneQuadraticMax, type ConeSide, type ConeSolution, type KktReport } from './cone-qp.ts';

/**
 * Scalar-gating optimum for general Σ ≻ 0: a global search over one number μ.
 *
 * Reduction. Write L(ω) = c − s² h(a, b) with s = ωᵀr, a = ωᵀ(R_n + I)ω,
 * b = c‖ω‖², c = tr Σ + σ² and h(a, b) = Σ_k λ_k²/(aλ_k + b), which decreases
 * in a and in b (h_a, h_b < 0). At a point with s ≠ 0
 *
 *   ∇L = −2 s h r − 2 s² (h_a (R_n + I) ω + h_b c ω) = 2 s |h_a| (s Q(μ) ω − (h/|h_a|) r),
 *
 * with Q(μ) = R_n + μI and μ = F(ω) = 1 + c h_b/h_a = 1 + c Σλ²(aλ+b)^{-2} / Σλ³(aλ+b)^{-2}.
 * Euler's relation ωᵀ∇L = 0 (L is homogeneous of degree 0) gives h/|h_a| = ωᵀQ(μ)ω,
 * so ∇L = |h_a| (ωᵀQω)² · ∇(−f_μ)(ω) with f_μ(ω) = (ωᵀr)²/(ωᵀQ(μ)ω). The gradients
 * of L and of −f_μ are positive multiples of each other, and the cone K is
 * polyhedral, so ω° satisfies the KKT conditions of "minimise L over K" iff it
 * satisfies those of "maximise f_μ over K" at μ = F(ω°). The latter is the convex
 * cone program (one QP per sign side of ωᵀr), where KKT points are global maxima
 * of their side. In Pareto terms: L depends on ω only through (s, a, b) and falls
 * as a or b falls, and at the cone optimum the trade-off between a and b is
 * priced by μ.
 *
 * Hence the global cone minimiser ω° is the side maximiser ω_K(μ°) of f_{μ°} with
 * μ° = F(ω°), a weighted mean of 1 + c/λ_k, so μ° ∈ [1 + c/λ_max, 1 + c/λ_min].
 * Every ω_K(μ) lies in K, so min over μ and both sides of L(ω_K(μ)) is exactly
 * L*_scalar. For Σ = sI the interval is the point d + 1 + σ²/s.
 *
 * NOTE (grid resolution): as in the unconstrained curve search, a local minimum
 * of μ ↦ L(ω_K(μ)) narrower than one grid step can be missed. The cone solution
 * is piecewise smooth in μ (its active set changes at finitely many μ), and
 * callers cross-check with a multistart descent over the cone.
 */

export interface ConeCurvePoint {
  mu: number;
  sign: 1 | -1;
  /** ω_K(μ) on this sign side, scaled to ω_n = 1. */
  omega: number[];
  risk: number;
  /** F(ω) − μ: zero at a KKT point of L over the cone. */
  fixedPointResidual: number;
  kkt: KktReport;
}

export interface ConeCurveSearchOptions {
  /** Grid points per side, log-spaced in μ. Default 240. */
  gridPoints?: number;
}

export const DEFAULT_CONE_GRID = 240;

export interface ConeCurveSearchResult {
  interval: { low: number; high: number };
  gridPoints: number;
  /**
   * Grid points (μ, side) where a feasible side failed its KKT test. Such a side
   * has no point on the curve there, so a minimum near it can be missed.
   */
  uncertifiedGridSides: number;
  /** Refined local minima over μ, lowest risk first, both sides together. */
  candidates: ConeCurvePoint[];
  best: ConeCurvePoint;
}

/** Solves the cone program max_K (ωᵀr)²/(ωᵀQω) for Q = R_n + μI; its kkt is certified only when both sign sides are. */
export function coneProgramAt(problem: LandscapeProblem, mu: number): ConeSolution {
  const Rn = problem.task.correlation.Rn;
  const Q = Rn.map((row, i) => row.map((value, j) => (i === j ? value + mu : value)));
  return coneQuadraticMax(Q, problem.r);
}

/**
 * Evaluates L and F(ω) − μ at each feasible side's maximiser of the cone
 * program at μ, and counts the feasible sides that failed their KKT test. A
 * failed side still yields a point when the solver returned one (its kkt
 * records the failure), but a side that ended at δ̂ = 0 yields none, so a search over μ cannot see it.
 */
export function coneCurveSides(problem: LandscapeProblem, mu: number): { points: ConeCurvePoint[]; uncertifiedSides: number } {
  const solution = coneProgramAt(problem, mu);
  const feasible = [solution.sides.plus, solution.sides.minus].filter((side) => side.feasible);
  return {
    points: feasible.filter((side) => side.omega.length > 0).map((side) => curvePointOf(problem, mu, side)),
    uncertifiedSides: feasible.filter((side) => !side.kkt.certified).length,
  };
}

/** Returns the curve points of coneCurveSides, without the count of uncertified sides. */
export function coneCurvePoints(problem: LandscapeProblem, mu: number): ConeCurvePoint[] {
  return coneCurveSides(problem, mu).points;
}

function curvePointOf(problem: LandscapeProblem, mu: number, side: ConeSide): ConeCurvePoint {
  const point = landscapePoint(problem, side.omega);
  const risk = problem.c - point.s * point.s * point.h;
  return { mu, sign: side.sign, omega: side.omega, risk, fixedPointResidual: fixedPointMu(problem.lambda, problem.c, point.a, point.b) - mu, kkt: side.kkt };
}

function sidePoint(problem: LandscapeProblem, mu: number, sign: 1 | -1): ConeCurvePoint | undefined {
  return coneCurvePoints(problem, mu).find((point) => point.sign === sign);
}

/**
 * Minimises L(ω_K(μ)) globally over μ ∈ [1 + c/λ_max, 1 + c/λ_min] and both
 * sign sides. Each side gets a log-spaced grid, and every grid local minimum is
 * refined by golden section. Then μ is polished as a root of F(ω_K(μ)) − μ when
 * a sign change brackets it, because a golden-section minimum is only good to
 * about √ε in μ.
 */
export function coneCurveSearch(problem: LandscapeProblem, options: ConeCurveSearchOptions = {}): ConeCurveSearchResult {
  if (problem.r.every((value) => value === 0)) {
    throw new InputError('r', 'is the zero vector', '0', 'with r = 0 every ω has risk tr Σ + σ², so handle that case before the μ-search');
  }
  const interval = curveInterval(problem.lambda, problem.c);
  const { low, high } = interval;
  if (!(high > low * (1 + 1e-12))) {
    const sides = coneCurveSides(problem, 0.5 * (low + high));
    const candidates = sides.points.sort((p, q) => p.risk - q.risk);
    return { interval, gridPoints: 1, uncertifiedGridSides: sides.uncertifiedSides, candidates, best: candidates[0] };
  }
  const gridPoints = Math.max(3, Math.floor(options.gridPoints ?? DEFAULT_CONE_GRID));
  const logLow = Math.log(low);
  const logSpacing = (Math.log(high) - logLow) / (gridPoints - 1);
  const grid = Array.from({ length: gridPoints }, (_, i) => (i === gridPoints - 1 ? high : Math.exp(logLow + i * logSpacing)));
  const sides = grid.map((mu) => coneCurveSides(problem, mu));
  const values = sides.map((side) => side.points);
  const uncertifiedGridSides = sides.reduce((total, side) => total + side.uncertifiedSides, 0);
  const candidates: ConeCurvePoint[] = [];
  for (const sign of [1, -1] as const) {
    const risks = values.map((points) => points.find((point) => point.sign === sign)?.risk ?? Infinity);
    for (let i = 0; i < gridPoints; i++) {
      if (!Number.isFinite(risks[i])) continue;
      const left = i > 0 ? risks[i - 1] : Infinity;
      const right = i < gridPoints - 1 ? risks[i + 1] : Infinity;
      if (!(risks[i] <= left && risks[i] < right)) continue;
      const refined = refineSide(problem, sign, grid[Math.max(0, i - 1)], grid[Math.min(gridPoints - 1, i + 1)], interval);
      if (refined) candidates.push(refined);
    }
  }
  candidates.sort((p, q) => p.risk - q.risk);
  const distinct = candidates.filter((point, k) => !candidates.slice(0, k).some((other) => other.sign === point.sign && Math.abs(other.mu - point.mu) <= 1e-9 * point.mu));
  return { interval, gridPoints, uncertifiedGridSides, candidates: distinct, best: distinct[0] };
}

/** Runs golden section on log μ for one side, then takes the root of F(ω_K(μ)) − μ when a bracket contains a + → − change. */
function refineSide(problem: LandscapeProblem, sign: 1 | -1, left: number, right: number, interval: { low: number; high: number }): ConeCurvePoint | undefined {
  const negativeRisk = (logMu: number) => -(sidePoint(problem, Math.exp(logMu), sign)?.risk ?? Infinity);
  const golden = goldenSectionMax(negativeRisk, Math.log(left), Math.log(right), 1e-12);
  let best = sidePoint(problem, Math.exp(golden.x), sign);
  if (!best) return undefined;
  const G = (mu: number) => sidePoint(problem, mu, sign)?.fixedPointResidual ?? NaN;
  for (let width = 1e-7; width < 1e-2; width *= 8) {
    const a = Math.max(interval.low, best.mu * (1 - width));
    const b = Math.min(interval.high, best.mu * (1 + width));
    const Ga = G(a);
    const Gb = G(b);
    if (Ga > 0 && Gb < 0) {
      const root = bracketedRoot(G, a, b, 4 * Number.EPSILON * best.mu).x;
      const polished = sidePoint(problem, root, sign);
      // Keep the polished point only when it is no worse: a kink of the cone solution can host a sign change that is not a minimum.
      if (polished && polished.risk <= best.risk + 1e-15 * problem.c) best = polished;
      break;
    }
  }
  return best;
}

/**
 * First-order KKT residual of "minimise L over K" at ω ∈ K: with ω normalised
 * to unit length, δ its increments and g = Tᵀ∇L(ω) (suffix sums of ∇L),
 * max_i |min(δ_i, g_i/c)|. Zero exactly at a KKT point; independent of the μ
 * reduction, so it checks the reduction's output directly.
 */
export function coneFirstOrderResidual(problem: LandscapeProblem, omega: readonly number[]): number {
  const norm = Math.hypot(...omega);
  const unit = omega.map((value) => value / norm);
  const gradient = gradientAt(problem, landscapePoint(problem, unit));
  const g = [...gradient];
  for (let i = g.length - 2; i >= 0; i--) g[i] += g[i + 1];
  let residual = 0;
  for (let i = 0; i < unit.length; i++) {
    const delta = i === 0 ? unit[0] : unit[i] - unit[i - 1];
    residual = Math.max(residual, Math.abs(Math.min(delta, g[i] / problem.c)));
  }
  return residual;
}
