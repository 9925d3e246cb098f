import type { Fraction } from 'mathjs';
import { q, rationalDot, rationalSolve, type RationalMatrix } from '../algebra/rational-matrix.ts';
import { InputError } from '../core/errors.ts';
import { requireNoiseVariance, requirePositiveInteger } from '../core/validate.ts';
import { Random } from '../data/random.ts';
import { curveProblem, globalCurveSearch, type CurveSearchOptions } from '../optim/curve.ts';
import { landscapeProblem } from '../optim/landscape.ts';
import { isotropicOptimum, isotropicScale } from '../theory/isotropic.ts';
import { nullRisk, reducedRisk, type Task } from '../theory/risk.ts';
import { coneCurveSearch, coneFirstOrderResidual, coneProgramAt, type ConeCurvePoint, type ConeCurveSearchOptions } from './cone-curve.ts';
import { coneMultistart, coneStarts, type ConeDescentResult } from './cone-descent.ts';
import { coneQuadraticMax, rationalConeQuadraticMax, type KktReport, type RationalConeSolution } from './cone-qp.ts';
import { rationalIsPositiveSemidefinite } from './rational-definiteness.ts';

/**
 * The optimal risks of THEORY's gating families for one task (any Σ ≻ 0):
 *   L*_lin    over W_lin = {c 1},
 *   L*_scalar over W_scalar = {c ω : 0 ≤ ω_1 ≤ … ≤ ω_n},
 *   L*_vec    over W_vec = Rⁿ (value-vector gating, two label channels),
 *   L*_WPGD   over all ω ∈ Rⁿ,
 * each the minimum of the reduced risk L(ω) = tr Σ + σ² − (ωᵀr)² tr(Σ²(aΣ + bI)^{-1})
 * over the family (P = P*(ω) is optimal for every ω, and P absorbs scale and sign).
 */

export interface WeightOptimum {
  risk: number;
  /** A minimiser, scaled as the method returns it (L is scale and sign invariant). */
  omega: number[];
}

/** L*_lin = L(1). */
export function linearOptimum(task: Task): WeightOptimum {
  const omega = new Array<number>(task.n).fill(1);
  return { risk: reducedRisk(task, omega), omega };
}

export interface WpgdOptimum extends WeightOptimum {
  /** μ with ω* ∝ (R_n + μI)^{-1} r; NaN when r = 0. */
  mu: number;
  method: 'isotropic closed form' | 'global μ-search' | 'r = 0: every ω is optimal';
  /** Local maxima of φ(μ) = −L(ω(μ)) found by the μ-search (one entry for Σ = sI). */
  peaks: number;
}

/**
 * L*_WPGD: the closed form ω* ∝ (R_n + (d + 1 + σ²/s)I)^{-1} r for Σ = sI, and the
 * global μ-search on the curve ω(μ) = (R_n + μI)^{-1} r for general Σ.
 */
export function wpgdOptimum(task: Task, options: CurveSearchOptions = {}): WpgdOptimum {
  if (task.correlation.r.every((value) => value === 0)) {
    return { risk: nullRisk(task), omega: new Array<number>(task.n).fill(1), mu: NaN, method: 'r = 0: every ω is optimal', peaks: 0 };
  }
  if (isotropicScale(task) !== undefined) {
    const optimum = isotropicOptimum(task);
    return { risk: reducedRisk(task, optimum.omega), omega: optimum.omega, mu: optimum.mu, method: 'isotropic closed form', peaks: 1 };
  }
  const search = globalCurveSearch(curveProblem(task), options);
  return { risk: search.best.risk, omega: search.best.omega, mu: search.best.mu, method: 'global μ-search', peaks: search.peaks.length };
}

export interface VectorOptimum extends WpgdOptimum {
  /**
   * Two label channels with readout (+1, −1): ω = plus − minus, each channel
   * nonnegative and nondecreasing, so each is reachable by one channel's gates.
   */
  channels: { plus: number[]; minus: number[] };
}

/**
 * L*_vec: value-vector gating reaches every ω ∈ Rⁿ, so L*_vec = L*_WPGD. The
 * WPGD minimiser is split into two cone sequences (positive and negative parts
 * of its increments, summed) and the risk is evaluated at their difference.
 */
export function vectorOptimum(task: Task, wpgd: WpgdOptimum = wpgdOptimum(task)): VectorOptimum {
  const channels = splitIntoConeChannels(wpgd.omega);
  const omega = channels.plus.map((value, i) => value - channels.minus[i]);
  return { ...wpgd, risk: reducedRisk(task, omega), omega, channels };
}

/**
 * ω = u − v with u_i = Σ_{j≤i} max(Δ_j, 0), v_i = Σ_{j≤i} max(−Δ_j, 0) and
 * Δ_j = ω_j − ω_{j−1} (ω_0 = 0): both nonnegative and nondecreasing.
 */
export function splitIntoConeChannels(omega: readonly number[]): { plus: number[]; minus: number[] } {
  const plus: number[] = [];
  const minus: number[] = [];
  let up = 0;
  let down = 0;
  omega.forEach((value, i) => {
    const step = value - (i === 0 ? 0 : omega[i - 1]);
    up += Math.max(step, 0);
    down += Math.max(-step, 0);
    plus.push(up);
    minus.push(down);
  });
  return { plus, minus };
}

export interface ScalarOptimumOptions extends ConeCurveSearchOptions {
  /** Multistart descent starts for the cross-check (general Σ only; 0 disables). Default 8. */
  starts?: number;
  /** Seed of the random starts. Default 1. */
  seed?: number;
}

export interface ScalarMultistart {
  /** The lowest risk any start reached, converged or not. */
  risk: number;
  omega: number[];
  starts: number;
  converged: number;
  /** multistart risk − μ-search risk: ≥ 0 up to round-off unless the μ-search missed the optimum. */
  gap: number;
  results: ConeDescentResult[];
}

export interface ScalarOptimum extends WeightOptimum {
  /** μ of the cone program Q(μ) = R_n + μI whose side maximiser is omega; NaN when r = 0. */
  mu: number;
  /** Sign of ωᵀr at omega (omega ∈ K); 0 when r = 0. */
  sign: 1 | -1 | 0;
  /**
   * Σ = sI: the cone QP passed its KKT test on both sign sides, which certifies
   * the global optimum. General Σ: the QP at μ passed its KKT test on both sign
   * sides (the winning side alone is not enough, because the search compares the
   * sides) and omega satisfies the first-order KKT conditions of L over K
   * (residual ≤ SCALAR_FIRST_ORDER_RTOL). Global optimality then rests on the μ-grid.
   */
  certified: boolean;
  /**
   * General Σ: grid points (μ, side) of the μ-search where a feasible side failed
   * its KKT test; 0 for Σ = sI and r = 0. Not part of `certified`, but a nonzero
   * count means the search had holes.
   */
  uncertifiedGridSides: number;
  method: 'isotropic cone QP' | 'μ-search over cone QPs' | 'r = 0: every ω is optimal';
  /** KKT report of the cone QP at μ, both sign sides combined (residuals of the worse side). */
  kkt?: KktReport;
  /** First-order KKT residual of L over K at omega (see coneFirstOrderResidual). */
  firstOrderResidual: number;
  /** Refined local minima of the μ-search, lowest first (general Σ). */
  candidates?: ConeCurvePoint[];
  multistart?: ScalarMultistart;
}

/**
 * First-order KKT tolerance of the general-Σ result: the polished μ gives a
 * residual near 1e-14; 1e-8 still passes when the root polish found no bracket
 * and μ is only good to the √ε of a golden-section search.
 */
export const SCALAR_FIRST_ORDER_RTOL = 1e-8;

/**
 * L*_scalar. For Σ = sI, L(ω) = s d + σ² − s d (ωᵀr)²/(ωᵀQω) with
 * Q = R_n + (d + 1 + σ²/s)I, so the optimum is one cone QP. For general Σ the
 * μ-search of cone-curve.ts, cross-checked by a multistart projected-gradient
 * descent over the cone.
 */
export function scalarOptimum(task: Task, options: ScalarOptimumOptions = {}): ScalarOptimum {
  const n = task.n;
  if (task.correlation.r.every((value) => value === 0)) {
    return { risk: nullRisk(task), omega: new Array<number>(n).fill(1), mu: NaN, sign: 0, certified: true, uncertifiedGridSides: 0, method: 'r = 0: every ω is optimal', firstOrderResidual: 0 };
  }

  const problem = landscapeProblem(task);
  const s = isotropicScale(task);
  if (s !== undefined) {
    const mu = task.d + 1 + task.sigma2 / s;
    const Q = task.correlation.Rn.map((row, i) => row.map((value, j) => (i === j ? value + mu : value)));
    const solution = coneQuadraticMax(Q, task.correlation.r);
    return {
      risk: reducedRisk(task, solution.omega),
      omega: solution.omega,
      mu,
      sign: solution.sign,
      certified: solution.kkt.certified,
      uncertifiedGridSides: 0,
      method: 'isotropic cone QP',
      kkt: solution.kkt,
      firstOrderResidual: coneFirstOrderResidual(problem, solution.omega),
    };
  }

  const search = coneCurveSearch(problem, options);
  const best = search.best;
  const firstOrderResidual = coneFirstOrderResidual(problem, best.omega);
  const atBest = coneProgramAt(problem, best.mu);
  const result: ScalarOptimum = {
    risk: reducedRisk(task, best.omega),
    omega: best.omega,
    mu: best.mu,
    sign: best.sign,
    certified: best.kkt.certified && atBest.kkt.certified && firstOrderResidual <= SCALAR_FIRST_ORDER_RTOL,
    uncertifiedGridSides: search.uncertifiedGridSides,
    method: 'μ-search over cone QPs',
    kkt: atBest.kkt,
    firstOrderResidual,
    candidates: search.candidates,
  };

  const starts = options.starts ?? 8;
  if (starts > 0) {
    const multistart = coneMultistart(problem, coneStarts(new Random(options.seed ?? 1), n, starts));
    result.multistart = {
      risk: multistart.best.risk,
      omega: multistart.best.omega,
      starts,
      converged: multistart.converged,
      gap: multistart.best.risk - result.risk,
      results: multistart.results,
    };
  }
  return result;
}

export interface GatingOptima {
  lin: WeightOptimum;
  scalar: ScalarOptimum;
  vec: VectorOptimum;
  wpgd: WpgdOptimum;
}

/** Computes the four optimal risks of one task. */
export function gatingOptima(task: Task, options: ScalarOptimumOptions = {}): GatingOptima {
  const wpgd = wpgdOptimum(task);
  return { lin: linearOptimum(task), scalar: scalarOptimum(task, options), vec: vectorOptimum(task, wpgd), wpgd };
}

export interface RationalOptimum {
  risk: Fraction;
  omega: Fraction[];
}

export interface RationalIsotropicOptima {
  /** μ = d + 1 + σ². */
  mu: Fraction;
  lin: RationalOptimum;
  /** The cone program's exact solution, with its certificate and tie flag. */
  scalar: RationalOptimum & { sign: 1 | -1 | 0; certified: boolean; tie: boolean; solution: RationalConeSolution };
  /** ω* = (R_n + μI)^{-1} r (the zero vector when r = 0, where every ω is optimal). */
  wpgd: RationalOptimum;
}

/**
 * Exact optima for Σ = I_d with rational R and σ²:
 *   L(ω) = d + σ² − d (ωᵀr)²/(ωᵀQω),  Q = R_n + (d + 1 + σ²) I,
 *   L*_lin = L(1),  L*_scalar = d + σ² − d · max_K (ωᵀr)²/(ωᵀQω),
 *   L*_WPGD = d + σ² − d rᵀ Q^{-1} r  at ω* = Q^{-1} r.
 */
export function rationalIsotropicOptima(d: number, R: RationalMatrix, sigma2: Fraction): RationalIsotropicOptima {
  requirePositiveInteger('d', d);
  requireNoiseVariance(sigma2.valueOf());
  if (sigma2.lt(0)) throw new InputError('σ²', 'is negative', sigma2.toFraction(), 'pass a noise variance ≥ 0');
  validateRationalCorrelation(R);
  const n = R.length - 1;
  const Rn = R.slice(0, n).map((row) => row.slice(0, n));
  const r = R.slice(0, n).map((row) => row[n]);
  const mu = sigma2.add(d + 1);
  const Q = Rn.map((row, i) => row.map((value, j) => (i === j ? value.add(mu) : value)));
  const base = sigma2.add(d);
  const riskOfRatio = (ratio: Fraction) => base.sub(ratio.mul(d));
  const ones = r.map(() => q(1));
  const onesRatio = ratioOf(Q, r, ones);
  const solution = rationalConeQuadraticMax(Q, r);
  const wpgdOmega = rationalSolve(Q, r);
  return {
    mu,
    lin: { risk: riskOfRatio(onesRatio), omega: ones },
    scalar: { risk: riskOfRatio(solution.ratio), omega: solution.omega, sign: solution.sign, certified: solution.certified, tie: solution.tie, solution },
    wpgd: { risk: base.sub(rationalDot(r, wpgdOmega).mul(d)), omega: wpgdOmega },
  };
}

/** (ωᵀr)²/(ωᵀQω), exactly; 0 at ω with ωᵀQω = 0 cannot occur for Q ≻ 0 and ω ≠ 0. */
function ratioOf(Q: readonly (readonly Fraction[])[], r: readonly Fraction[], omega: readonly Fraction[]): Fraction {
  const s = rationalDot(r, omega);
  const quadratic = rationalDot(
    omega,
    Q.map((row) => rationalDot(row, omega)),
  );
  return s.mul(s).div(quadratic);
}

function validateRationalCorrelation(R: RationalMatrix): void {
  const size = R.length;
  if (size < 2 || R.some((row) => row.length !== size)) {
    throw new InputError('R', 'is not an (n+1)×(n+1) matrix with n ≥ 1', `${size} rows`, 'pass the correlation matrix with the query last');
  }
  for (let i = 0; i < size; i++) {
    if (!R[i][i].equals(1)) throw new InputError(`R[${i}][${i}]`, 'is not 1', R[i][i].toFraction(), 'a correlation matrix has unit diagonal');
    for (let j = 0; j < i; j++) {
      if (!R[i][j].equals(R[j][i])) throw new InputError(`R[${i}][${j}]`, 'differs from its transpose entry', `${R[i][j].toFraction()} vs ${R[j][i].toFraction()}`, 'pass a symmetric R');
    }
  }
  if (!rationalIsPositiveSemidefinite(R)) {
    throw new InputError('R', 'is not positive semidefinite', 'exact LDLᵀ elimination found a negative pivot', 'pass a correlation matrix, e.g. a Gram matrix of unit vectors');
  }
}
