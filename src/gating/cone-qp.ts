import type { Fraction } from 'mathjs';
import quadprog from 'quadprog';
import { q, rationalToNumbers } from '../algebra/rational-matrix.ts';
import { InputError } from '../core/errors.ts';
import { requireFinite, requireFiniteMatrix, requireLength, requireShape } from '../core/validate.ts';
import { eigenSymmetric, requireSymmetric } from '../linalg/symmetric.ts';
import {
  boundConstrainedQp,
  floatArithmetic,
  gradient,
  gradientScale,
  rationalArithmetic,
  type ActiveSetResult,
  type OrderedArithmetic,
} from './active-set.ts';
import { firstNonPositivePivot } from './rational-definiteness.ts';

/**
 * The scalar-gating cone program
 *
 *   maximise (ωᵀ r)² / (ωᵀ Q ω)   over ω ∈ K = {0 ≤ ω_1 ≤ … ≤ ω_n},   Q ≻ 0.
 *
 * For Σ = I the reduced risk is L(ω) = d + σ² − d (ωᵀr)²/(ωᵀQω) with
 * Q = R_n + (d + 1 + σ²) I, so this ratio is the scalar-gating optimum.
 *
 * Substituting ω = T δ, T lower-triangular ones (ω is the cumulative sum of
 * increments δ ≥ 0), gives H = Tᵀ Q T ≻ 0 and c = Tᵀ r (suffix sums of r).
 * The cone splits into two sides by the sign of ωᵀ r = cᵀ δ. On the side
 * σ ∈ {+1, −1} the problem is the strictly convex QP
 *
 *   minimise δᵀ H δ   subject to (σc)ᵀ δ = 1, δ ≥ 0,                   (E)
 *
 * with KKT conditions H δ = λ σc + ν, ν ≥ 0, ν ⊙ δ = 0, (σc)ᵀ δ = 1, and the
 * side's maximal ratio is 1/λ = 1/(δᵀHδ). Convexity makes KKT sufficient, so
 * a point that passes the KKT test is the side's global optimum.
 *
 * The solver works on the equivalent bound-constrained QP
 *
 *   minimise ½ δ̂ᵀ H δ̂ − (σc)ᵀ δ̂   subject to δ̂ ≥ 0,                   (B)
 *
 * (nonnegative least squares in disguise): min_t over t δ gives −(σcᵀδ)²/(2δᵀHδ),
 * so the minimiser δ̂ of (B) maximises the ratio, with ratio = (σc)ᵀ δ̂, and
 * δ = δ̂ / (σc)ᵀδ̂, λ = 1/(σc)ᵀδ̂, ν = (H δ̂ − σc)/(σc)ᵀδ̂ satisfy (E)'s KKT
 * conditions exactly when δ̂ satisfies (B)'s. (B) is always feasible (δ̂ = 0),
 * and δ̂ = 0 is its minimiser exactly when the side contains no point with σ ωᵀ r > 0.
 */

/**
 * Float64 tolerance of the KKT report, relative to the round-off scale
 * (|H| |δ̂|)_i + |c_i| of each gradient entry. A backward-stable solve leaves
 * residuals near n·ε of that scale whatever the conditioning of H. The
 * multipliers of the fixed variables carry forward error up to κ(H)·ε, so 1e-9
 * covers κ(H) up to about 1e6 with margin (κ(H) ≤ κ(Q)·κ(T)², with κ(T) ≈ n).
 */
export const CONE_KKT_RTOL = 1e-9;

/** KKT residuals of one side of the cone program, in the form (E) at (σc)ᵀδ = 1. */
export interface KktReport {
  /** λ = δᵀHδ = 1/ratio; Infinity on a side with no feasible point. */
  lambda: number;
  /** max over free i of |ν_i| / scale_i (ν_i must be 0 where δ_i > 0). */
  stationarity: number;
  /** max_i max(0, −δ_i) / max_i δ_i. */
  primalFeasibility: number;
  /** max_i max(0, −ν_i) / scale_i. */
  dualFeasibility: number;
  /** max_i |ν_i δ_i| / (scale_i · max_i δ_i). */
  complementarity: number;
  /** The bound every residual above must meet. */
  tolerance: number;
  /** True when every residual is within `tolerance`: then the side's optimum is global. */
  certified: boolean;
  /** 0-based increment indices with δ_i = 0 (ω_i = ω_{i−1}, or ω_1 = 0 for i = 0). */
  activeSet: number[];
  /** Subspace solves of the active-set method. */
  iterations: number;
  /** Solver path that produced the point (quadprog start, active-set polish, cold restart). */
  method: string;
}

/** The optimum of one sign side of the cone. */
export interface ConeSide {
  sign: 1 | -1;
  /** False when no ω ∈ K has sign·ωᵀr > 0; then ratio = 0 and omega is empty. */
  feasible: boolean;
  /** The side's maximiser in K, scaled to ω_n = 1. */
  omega: number[];
  /** Increments δ_i = ω_i − ω_{i−1} of omega. */
  delta: number[];
  /** (ωᵀr)² / ωᵀQω at omega. */
  ratio: number;
  kkt: KktReport;
}

export interface ConeSolution {
  /** Maximiser in K (ω_n = 1). If sign = −1, ωᵀr < 0 and the scalar-gating weights are −omega (P absorbs the sign). */
  omega: number[];
  /** max over K of (ωᵀr)² / ωᵀQω; 0 exactly when r = 0. */
  ratio: number;
  /** Sign of ωᵀr at the maximiser; 0 when r = 0 (every ω ∈ K is optimal and omega = 1). */
  sign: 1 | -1 | 0;
  /** Residuals: the worse of the two sides; certified only when both sides are, since the maximum compares them. */
  kkt: KktReport;
  sides: { plus: ConeSide; minus: ConeSide };
}

/** H = Tᵀ Q T and c = Tᵀ r: (Tᵀ Q T)_jk = Σ_{i≥j} Σ_{l≥k} Q_il and c_j = Σ_{i≥j} r_i. */
export function incrementProgram<T>(
  F: Pick<OrderedArithmetic<T>, 'add' | 'zero'>,
  Q: readonly (readonly T[])[],
  r: readonly T[],
): { H: T[][]; c: T[] } {
  const n = r.length;
  // Suffix sums over rows, then over columns.
  const rows: T[][] = Q.map((row) => [...row]);
  for (let i = n - 2; i >= 0; i--) {
    for (let l = 0; l < n; l++) rows[i][l] = F.add(rows[i][l], rows[i + 1][l]);
  }
  const H = rows.map((row) => {
    const out = [...row];
    for (let l = n - 2; l >= 0; l--) out[l] = F.add(out[l], out[l + 1]);
    return out;
  });
  const c = [...r];
  for (let i = n - 2; i >= 0; i--) c[i] = F.add(c[i], c[i + 1]);
  return { H, c };
}

/** ω = T δ: cumulative sums. */
export function cumulativeSums<T>(F: Pick<OrderedArithmetic<T>, 'add' | 'zero'>, delta: readonly T[]): T[] {
  const omega: T[] = [];
  let total = F.zero;
  for (const value of delta) {
    total = F.add(total, value);
    omega.push(total);
  }
  return omega;
}

/**
 * Maximises (ωᵀr)²/(ωᵀQω) over the scalar cone for a symmetric positive
 * definite Q. Each sign side is solved by quadprog (Goldfarb–Idnani) on (B).
 * Its active set seeds the active-set method, which polishes the free
 * variables by a linear solve and corrects the active set by the multiplier
 * signs until the KKT test passes. If the test still fails, the method
 * restarts from δ̂ = 0. An answer that fails the KKT test is returned with
 * `certified: false`, never as certified.
 * NOTE: r with entries near the subnormal range (|r_i| ≈ 1e-320) underflows the
 * increments to 0 and returns an empty ω; the instance parser rejects such r.
 */
export function coneQuadraticMax(Q: readonly (readonly number[])[], r: readonly number[]): ConeSolution {
  validateFloatProgram(Q, r);
  const { H, c } = incrementProgram(floatArithmetic, Q, r);
  const plus = solveFloatSide(H, c, 1, Q, r);
  const minus = solveFloatSide(H, c, -1, Q, r);
  return combineSides(plus, minus, r.length);
}

function validateFloatProgram(Q: readonly (readonly number[])[], r: readonly number[]): void {
  const n = r.length;
  if (n === 0) throw new InputError('r', 'is empty', '[]', 'pass n ≥ 1 example-to-query correlations');
  requireFinite('r', r);
  requireShape('Q', Q, n, n);
  requireFiniteMatrix('Q', Q);
  requireSymmetric('Q', Q);
  const smallest = eigenSymmetric(Q).values[0];
  if (!(smallest > 0)) {
    throw new InputError('Q', 'is not positive definite', `smallest eigenvalue ${smallest}`, 'pass Q = R_n + μI with μ > 0, or another positive definite matrix');
  }
}

function solveFloatSide(H: number[][], c: readonly number[], sign: 1 | -1, Q: readonly (readonly number[])[], r: readonly number[]): ConeSide {
  const signed = c.map((value) => sign * value);
  if (signed.every((value) => value <= 0)) return infeasibleFloatSide(H, signed, sign);
  const guess = quadprogFreeSet(H, signed);
  const warm = boundConstrainedQp(floatArithmetic, H, signed, guess.free);
  let chosen = warm;
  let report = floatKkt(H, signed, warm, guess.ok ? 'quadprog, then active-set polish' : 'active set (quadprog failed: ' + guess.message + ')');
  if (!report.certified) {
    const cold = boundConstrainedQp(floatArithmetic, H, signed, []);
    const coldReport = floatKkt(H, signed, cold, 'active set from δ = 0 after the quadprog start failed the KKT test');
    if (coldReport.certified || coldReport.dualFeasibility + coldReport.stationarity < report.dualFeasibility + report.stationarity) {
      chosen = cold;
      report = coldReport;
    }
  }
  const total = chosen.delta.reduce((acc, value) => acc + value, 0);
  if (!(total > 0)) {
    // A feasible side whose solver ended at δ̂ = 0: the KKT test has already failed (g_j = −c_j < 0 for some j).
    return { sign, feasible: true, omega: [], delta: [], ratio: 0, kkt: { ...report, certified: false } };
  }
  const delta = chosen.delta.map((value) => value / total);
  const omega = cumulativeSums(floatArithmetic, delta);
  return { sign, feasible: true, omega, delta, ratio: ratioAt(Q, r, omega), kkt: report };
}

/** Reports a side without feasible points: δ̂ = 0 is optimal for (B) because g = −σc ≥ 0. */
function infeasibleFloatSide(H: number[][], signed: readonly number[], sign: 1 | -1): ConeSide {
  const n = signed.length;
  const report = floatKkt(H, signed, { delta: new Array<number>(n).fill(0), free: [], iterations: 0, converged: true, warmStarted: false }, 'no feasible point: every suffix sum of σr is ≤ 0');
  return { sign, feasible: false, omega: [], delta: [], ratio: 0, kkt: { ...report, lambda: Infinity } };
}

/** KKT residuals of (B) at δ̂, reported in the scale-free form of (E). */
function floatKkt(H: number[][], signed: readonly number[], result: ActiveSetResult<number>, method: string): KktReport {
  const { delta } = result;
  const g = gradient(floatArithmetic, H, signed, delta);
  const scale = gradientScale(floatArithmetic, H, signed, delta).map((value) => (value > 0 ? value : 1));
  const largest = delta.reduce((acc, value) => Math.max(acc, value), 0);
  const unit = largest > 0 ? largest : 1;

  let stationarity = 0;
  let primalFeasibility = 0;
  let dualFeasibility = 0;
  let complementarity = 0;
  delta.forEach((value, i) => {
    if (value !== 0) stationarity = Math.max(stationarity, Math.abs(g[i]) / scale[i]);
    primalFeasibility = Math.max(primalFeasibility, Math.max(0, -value) / unit);
    dualFeasibility = Math.max(dualFeasibility, Math.max(0, -g[i]) / scale[i]);
    complementarity = Math.max(complementarity, Math.abs(g[i] * value) / (scale[i] * unit));
  });

  const progress = signed.reduce((acc, value, i) => acc + value * delta[i], 0);
  const certified =
    result.converged &&
    stationarity <= CONE_KKT_RTOL &&
    primalFeasibility <= CONE_KKT_RTOL &&
    dualFeasibility <= CONE_KKT_RTOL &&
    complementarity <= CONE_KKT_RTOL;
  return {
    lambda: progress > 0 ? 1 / progress : Infinity,
    stationarity,
    primalFeasibility,
    dualFeasibility,
    complementarity,
    tolerance: CONE_KKT_RTOL,
    certified,
    activeSet: delta.flatMap((value, i) => (value === 0 ? [i] : [])),
    iterations: result.iterations,
    method,
  };
}

/**
 * Calls quadprog on (B), minimise −(σc)ᵀδ̂ + ½ δ̂ᵀHδ̂ subject to I δ̂ ≥ 0, and
 * returns its free set. The set is only a starting guess, so a failed call returns none.
 */
function quadprogFreeSet(H: readonly (readonly number[])[], signed: readonly number[]): { free: number[]; ok: boolean; message: string } {
  const n = signed.length;
  const oneBased = <T>(values: readonly T[], filler: T): T[] => [filler, ...values];
  const Dmat = oneBased(
    H.map((row) => oneBased(row, 0)),
    [] as number[],
  );
  const Amat = oneBased(
    Array.from({ length: n }, (_, i) => oneBased(Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)), 0)),
    [] as number[],
  );
  const result = quadprog.solveQP(Dmat, oneBased(signed, 0), Amat, oneBased(new Array<number>(n).fill(0), 0), 0);
  if (result.message) return { free: [], ok: false, message: result.message };
  const active = new Set(result.iact.slice(1).filter((index) => index > 0).map((index) => index - 1));
  const free = Array.from({ length: n }, (_, i) => i).filter((i) => !active.has(i) && result.solution[i + 1] > 0);
  return { free, ok: true, message: '' };
}

function ratioAt(Q: readonly (readonly number[])[], r: readonly number[], omega: readonly number[]): number {
  let s = 0;
  let quadratic = 0;
  for (let i = 0; i < omega.length; i++) {
    s += omega[i] * r[i];
    let row = 0;
    for (let j = 0; j < omega.length; j++) row += Q[i][j] * omega[j];
    quadratic += omega[i] * row;
  }
  return (s * s) / quadratic;
}

function combineSides(plus: ConeSide, minus: ConeSide, n: number): ConeSolution {
  const worse = (key: 'stationarity' | 'primalFeasibility' | 'dualFeasibility' | 'complementarity') => Math.max(plus.kkt[key], minus.kkt[key]);
  const certified = plus.kkt.certified && minus.kkt.certified;
  if (!plus.feasible && !minus.feasible) {
    const omega = new Array<number>(n).fill(1);
    const kkt: KktReport = { ...plus.kkt, certified, method: 'r = 0: every ω ∈ K attains ratio 0', activeSet: [] };
    return { omega, ratio: 0, sign: 0, kkt, sides: { plus, minus } };
  }
  const best = plus.ratio >= minus.ratio ? plus : minus;
  const kkt: KktReport = {
    ...best.kkt,
    stationarity: worse('stationarity'),
    primalFeasibility: worse('primalFeasibility'),
    dualFeasibility: worse('dualFeasibility'),
    complementarity: worse('complementarity'),
    iterations: plus.kkt.iterations + minus.kkt.iterations,
    certified,
  };
  return { omega: best.omega, ratio: best.ratio, sign: best.sign, kkt, sides: { plus, minus } };
}

/** One sign side of the exact cone program. */
export interface RationalConeSide {
  sign: 1 | -1;
  feasible: boolean;
  /** The side's maximiser in K, scaled to ω_n = 1; empty when infeasible. */
  omega: Fraction[];
  /** Increments of omega. */
  delta: Fraction[];
  /** (ωᵀr)²/(ωᵀQω) at omega; 0 when infeasible. */
  ratio: Fraction;
  /** λ = δᵀHδ at (σc)ᵀδ = 1; undefined when infeasible. */
  lambda?: Fraction;
  /** Multipliers ν = Hδ − λσc at (σc)ᵀδ = 1 (ν = −σc when infeasible). */
  nu: Fraction[];
  /** True when δ ≥ 0, ν ≥ 0 and ν ⊙ δ = 0 hold exactly. */
  certified: boolean;
  activeSet: number[];
  iterations: number;
  /** True when the float64 active set was exactly optimal as it stood. */
  floatGuessExact: boolean;
}

export interface RationalConeSolution {
  omega: Fraction[];
  ratio: Fraction;
  sign: 1 | -1 | 0;
  /** True when both sides pass the exact KKT test. */
  certified: boolean;
  /** True when both sides are feasible and attain the same maximal ratio exactly. */
  tie: boolean;
  sides: { plus: RationalConeSide; minus: RationalConeSide };
}

/**
 * Exact counterpart of coneQuadraticMax over the rationals. The float64
 * solver's free sets are the first guess; the reduced KKT system on that set
 * is solved exactly, and when any exact KKT condition fails the exact
 * active-set method continues from there (or from δ̂ = 0 when the guess is not
 * a feasible subspace minimiser). Q must be symmetric positive definite, which
 * R_n + μI is for μ > 0 even when R_n is singular.
 */
export function rationalConeQuadraticMax(Q: Fraction[][], r: Fraction[]): RationalConeSolution {
  validateRationalProgram(Q, r);
  const { H, c } = incrementProgram(rationalArithmetic, Q, r);
  const guess = floatGuess(Q, r);
  const plus = solveRationalSide(H, c, 1, Q, r, guess.plus);
  const minus = solveRationalSide(H, c, -1, Q, r, guess.minus);
  const certified = plus.certified && minus.certified;
  if (!plus.feasible && !minus.feasible) {
    return { omega: r.map(() => q(1)), ratio: q(0), sign: 0, certified, tie: false, sides: { plus, minus } };
  }
  const comparison = plus.ratio.compare(minus.ratio);
  const best = comparison >= 0 ? plus : minus;
  const tie = plus.feasible && minus.feasible && comparison === 0;
  return { omega: best.omega, ratio: best.ratio, sign: best.sign, certified, tie, sides: { plus, minus } };
}

function validateRationalProgram(Q: Fraction[][], r: Fraction[]): void {
  const n = r.length;
  if (n === 0) throw new InputError('r', 'is empty', '[]', 'pass n ≥ 1 example-to-query correlations');
  requireShape('Q', Q, n, n);
  requireLength('r', r, n, `Q of size ${n}×${n}`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (!Q[i][j].equals(Q[j][i])) {
        throw new InputError(`Q[${i}][${j}]`, 'differs from its transpose entry', `${Q[i][j].toFraction()} vs ${Q[j][i].toFraction()}`, 'pass a symmetric Q');
      }
    }
  }
  const pivot = firstNonPositivePivot(Q);
  if (pivot !== undefined) {
    throw new InputError('Q', 'is not positive definite', `pivot ${pivot.index} of its LDLᵀ factorisation is ${pivot.value.toFraction()}`, 'pass Q = R_n + μI with μ > 0, or another positive definite matrix');
  }
}

/** Free sets of the float64 solution on each side, or none when the float64 problem cannot be posed. */
function floatGuess(Q: Fraction[][], r: Fraction[]): { plus: number[]; minus: number[] } {
  try {
    const solution = coneQuadraticMax(rationalToNumbers(Q), r.map((value) => value.valueOf()));
    const freeOf = (side: ConeSide) => side.delta.flatMap((value, i) => (value > 0 ? [i] : []));
    return { plus: freeOf(solution.sides.plus), minus: freeOf(solution.sides.minus) };
  } catch (error) {
    // Q can be positive definite exactly yet not in float64 (eigenvalue below rounding).
    if (error instanceof InputError) return { plus: [], minus: [] };
    throw error;
  }
}

function solveRationalSide(
  H: Fraction[][],
  c: readonly Fraction[],
  sign: 1 | -1,
  Q: Fraction[][],
  r: readonly Fraction[],
  guessFree: readonly number[],
): RationalConeSide {
  const signed = c.map((value) => (sign === 1 ? value : value.neg()));
  if (signed.every((value) => !value.gt(0))) {
    const nu = signed.map((value) => value.neg());
    return {
      sign,
      feasible: false,
      omega: [],
      delta: [],
      ratio: q(0),
      nu,
      certified: true,
      activeSet: signed.map((_, i) => i),
      iterations: 0,
      floatGuessExact: guessFree.length === 0,
    };
  }

  const result = boundConstrainedQp(rationalArithmetic, H, signed, guessFree, 50 * signed.length + 100);
  const floatGuessExact = result.warmStarted && result.iterations === 0;
  const deltaHat = result.delta;
  const g = gradient(rationalArithmetic, H, signed, deltaHat);
  const certified =
    deltaHat.every((value) => !value.lt(0)) && g.every((value) => !value.lt(0)) && g.every((value, i) => value.mul(deltaHat[i]).equals(0));

  const progress = signed.reduce((acc, value, i) => acc.add(value.mul(deltaHat[i])), q(0));
  if (!progress.gt(0)) {
    return { sign, feasible: true, omega: [], delta: [], ratio: q(0), nu: g, certified: false, activeSet: [], iterations: result.iterations, floatGuessExact };
  }
  const total = deltaHat.reduce((acc, value) => acc.add(value), q(0));
  const delta = deltaHat.map((value) => value.div(total));
  const omega = cumulativeSums(rationalArithmetic, delta);
  return {
    sign,
    feasible: true,
    omega,
    delta,
    ratio: rationalRatioAt(Q, r, omega),
    lambda: q(1).div(progress),
    nu: g.map((value) => value.div(progress)),
    certified,
    activeSet: deltaHat.flatMap((value, i) => (value.equals(0) ? [i] : [])),
    iterations: result.iterations,
    floatGuessExact,
  };
}

/** (ωᵀr)² / ωᵀQω, exactly. */
export function rationalRatioAt(Q: readonly (readonly Fraction[])[], r: readonly Fraction[], omega: readonly Fraction[]): Fraction {
  let s = q(0);
  let quadratic = q(0);
  for (let i = 0; i < omega.length; i++) {
    s = s.add(omega[i].mul(r[i]));
    let row = q(0);
    for (let j = 0; j < omega.length; j++) row = row.add(Q[i][j].mul(omega[j]));
    quadratic = quadratic.add(omega[i].mul(row));
  }
  return s.mul(s).div(quadratic);
}
