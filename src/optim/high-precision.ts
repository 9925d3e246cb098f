import { all, create, type BigNumber, type MathJsInstance } from 'mathjs';
import { InputError } from '../core/errors.ts';
import { validateBlockModel } from '../data/correlation.ts';
import type { Task } from '../theory/risk.ts';

/**
 * Multiprecision re-evaluation of the reduced risk and of the curve
 *   ω(μ) = (R_n + μ I)^{-1} r,  φ(μ) = −L(ω(μ)),  L(ω) = c − s² Σ_k λ_k²/(aλ_k + b),
 * in mathjs BigNumber (decimal.js). Default precision: 80 significant digits, so that
 * 60-digit values of φ are exact in their last digit and a golden-section maximiser can
 * place μ to ~1e-35 (φ is flat to O(δ²) at a peak, so δ ~ 10^{-precision/2} is the limit).
 */
export const DEFAULT_PRECISION = 80;

/** Digits printed in reports. */
export const REPORT_DIGITS = 60;

export function createBig(precision = DEFAULT_PRECISION): MathJsInstance {
  return create(all, { number: 'BigNumber', precision });
}

export function bigToNumber(value: BigNumber): number {
  return value.toNumber();
}

/** value to `digits` significant digits in exponential notation. */
export function bigToString(value: BigNumber, digits = REPORT_DIGITS): string {
  return value.toExponential(digits - 1);
}

/**
 * A problem in BigNumber with examples grouped: group k holds m_k examples that share
 * r_i = r_k and all correlations (the block model's blocks; singletons in general). For
 * i ≠ j, R_ij = `within[k]` when both are in group k and `across[k][l]` across groups.
 * Because (R_n + μI) commutes with permutations inside a group and r is constant there,
 * ω(μ) is constant on each group, so the n × n solve reduces exactly to a K × K one.
 */
export interface HighPrecisionProblem {
  big: MathJsInstance;
  /** Distinct eigenvalues of Σ with their multiplicities. */
  lambda: { value: BigNumber; count: number }[];
  /** c = tr Σ + σ². */
  c: BigNumber;
  sizes: number[];
  within: BigNumber[];
  across: BigNumber[][];
  r: BigNumber[];
  n: number;
}

type Numeric = number | string;

function groupEigenvalues(big: MathJsInstance, lambda: readonly { value: Numeric; count: number }[]) {
  return lambda.map(({ value, count }) => ({ value: big.bignumber(value) as BigNumber, count }));
}

function nullRiskBig(big: MathJsInstance, lambda: { value: BigNumber; count: number }[], sigma2: BigNumber): BigNumber {
  return lambda.reduce((acc, { value, count }) => acc.plus(value.times(count)), sigma2);
}

/** From a float64 task: each float is read as its shortest decimal form; examples are singletons. */
export function highPrecisionProblem(big: MathJsInstance, task: Task): HighPrecisionProblem {
  const counts = new Map<number, number>();
  for (const value of task.covariance.eigenvalues) counts.set(value, (counts.get(value) ?? 0) + 1);
  const lambda = groupEigenvalues(
    big,
    [...counts].map(([value, count]) => ({ value, count })),
  );
  const { Rn, r } = task.correlation;
  const n = task.n;
  const zero = big.bignumber(0) as BigNumber;
  return {
    big,
    lambda,
    c: nullRiskBig(big, lambda, big.bignumber(task.sigma2) as BigNumber),
    sizes: new Array<number>(n).fill(1),
    within: new Array<BigNumber>(n).fill(zero),
    across: Rn.map((row) => row.map((value) => big.bignumber(value) as BigNumber)),
    r: r.map((value) => big.bignumber(value) as BigNumber),
    n,
  };
}

/** The block model in BigNumber from decimal parameters: R_ij = 1 in a block, ρ_k ρ_l across, r = ρ. */
export interface BlockInstance {
  /** Eigenvalues of Σ (decimal strings or numbers) with multiplicities. */
  lambda: { value: Numeric; count: number }[];
  sigma2: Numeric;
  sizes: number[];
  rho: Numeric[];
}

export function highPrecisionBlockProblem(big: MathJsInstance, instance: BlockInstance): HighPrecisionProblem {
  validateBlockModel(instance.sizes, instance.rho.map(Number));
  const lambda = groupEigenvalues(big, instance.lambda);
  if (lambda.some(({ value, count }) => !(value.isPositive() && !value.isZero()) || count < 1)) {
    throw new InputError('λ', 'has an eigenvalue ≤ 0 or a multiplicity < 1', instance.lambda.map((entry) => String(entry.value)), 'Σ must be positive definite');
  }
  const rho = instance.rho.map((value) => big.bignumber(value) as BigNumber);
  const one = big.bignumber(1) as BigNumber;
  return {
    big,
    lambda,
    c: nullRiskBig(big, lambda, big.bignumber(instance.sigma2) as BigNumber),
    sizes: [...instance.sizes],
    within: rho.map(() => one),
    across: rho.map((rk) => rho.map((rl) => rk.times(rl))),
    r: rho,
    n: instance.sizes.reduce((acc, size) => acc + size, 0),
  };
}

/** Solves A x = b by Gaussian elimination with partial pivoting, in BigNumber. */
export function solveBig(A: readonly (readonly BigNumber[])[], b: readonly BigNumber[]): BigNumber[] {
  const size = A.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) if (M[row][column].abs().gt(M[pivot][column].abs())) pivot = row;
    if (M[pivot][column].isZero()) throw new InputError('A', 'is singular', `zero pivot in column ${column}`, 'pass a nonsingular matrix');
    [M[column], M[pivot]] = [M[pivot], M[column]];
    const pivotRow = M[column];
    for (let row = column + 1; row < size; row++) {
      const factor = M[row][column].div(pivotRow[column]);
      if (factor.isZero()) continue;
      const target = M[row];
      for (let k = column; k <= size; k++) target[k] = target[k].minus(factor.times(pivotRow[k]));
    }
  }
  const x = new Array<BigNumber>(size);
  for (let row = size - 1; row >= 0; row--) {
    let total = M[row][size];
    for (let k = row + 1; k < size; k++) total = total.minus(M[row][k].times(x[k]));
    x[row] = total.div(M[row][row]);
  }
  return x;
}

/** Group values w_k of ω(μ): the K × K system Σ_l C_kl w_l = r_k with C_kk = 1 + (m_k − 1) R_within,k + μ, C_kl = R_kl m_l. */
export function curveWeightsBig(problem: HighPrecisionProblem, mu: BigNumber): BigNumber[] {
  const { sizes, within, across, r } = problem;
  const C = sizes.map((_, k) =>
    sizes.map((ml, l) => (k === l ? within[k].times(sizes[k] - 1).plus(1).plus(mu) : across[k][l].times(ml))),
  );
  return solveBig(C, r);
}

export interface CurveScalarsBig {
  mu: BigNumber;
  /** Group values of ω(μ) (not normalised). */
  weights: BigNumber[];
  s: BigNumber;
  a: BigNumber;
  b: BigNumber;
  gain: BigNumber;
  /** φ(μ) = gain − c = −L(ω(μ)). */
  phi: BigNumber;
  /** F(μ) = 1 + c Σ λ²/(aλ+b)² / Σ λ³/(aλ+b)². */
  fixedPoint: BigNumber;
}

/** s = ωᵀ r, a = ωᵀ (R_n + I) ω, b = c ‖ω‖² for group values w. */
function groupScalars(problem: HighPrecisionProblem, w: readonly BigNumber[]) {
  const { sizes, within, across, r, big } = problem;
  let s = big.bignumber(0) as BigNumber;
  let normSquared = s;
  let quadratic = s;
  for (let k = 0; k < sizes.length; k++) {
    const mk = sizes[k];
    const wk2 = w[k].times(w[k]);
    s = s.plus(r[k].times(w[k]).times(mk));
    normSquared = normSquared.plus(wk2.times(mk));
    quadratic = quadratic.plus(wk2.times(mk).times(within[k].times(mk - 1).plus(1)));
    for (let l = 0; l < sizes.length; l++) {
      if (l !== k) quadratic = quadratic.plus(across[k][l].times(w[k]).times(w[l]).times(mk * sizes[l]));
    }
  }
  return { s, a: quadratic.plus(normSquared), b: problem.c.times(normSquared) };
}

function gainAndFixedPoint(problem: HighPrecisionProblem, s: BigNumber, a: BigNumber, b: BigNumber) {
  let h = problem.big.bignumber(0) as BigNumber;
  let numerator = h;
  let denominator = h;
  for (const { value, count } of problem.lambda) {
    const inverse = a.times(value).plus(b).pow(-1);
    const lambda2 = value.times(value);
    const weight = lambda2.times(inverse).times(inverse).times(count);
    h = h.plus(lambda2.times(inverse).times(count));
    numerator = numerator.plus(weight);
    denominator = denominator.plus(weight.times(value));
  }
  const gain = s.times(s).times(h);
  return { gain, fixedPoint: problem.c.times(numerator).div(denominator).plus(1) };
}

export function phiBig(problem: HighPrecisionProblem, mu: BigNumber): CurveScalarsBig {
  const weights = curveWeightsBig(problem, mu);
  const { s, a, b } = groupScalars(problem, weights);
  const { gain, fixedPoint } = gainAndFixedPoint(problem, s, a, b);
  return { mu, weights, s, a, b, gain, phi: gain.minus(problem.c), fixedPoint };
}

/** Expands group values to the full n-vector ω. */
export function expandWeights(problem: HighPrecisionProblem, weights: readonly BigNumber[]): BigNumber[] {
  return problem.sizes.flatMap((size, k) => new Array<BigNumber>(size).fill(weights[k]));
}

/** ω(μ) as a full n-vector (not normalised). */
export function curvePointBig(problem: HighPrecisionProblem, mu: BigNumber): BigNumber[] {
  return expandWeights(problem, curveWeightsBig(problem, mu));
}

/** R_ij of the full n × n matrix R_n. */
function fullCorrelation(problem: HighPrecisionProblem): BigNumber[][] {
  const groupOf = problem.sizes.flatMap((size, k) => new Array<number>(size).fill(k));
  const one = problem.big.bignumber(1) as BigNumber;
  return groupOf.map((k, i) => groupOf.map((l, j) => (i === j ? one : k === l ? problem.within[k] : problem.across[k][l])));
}

/**
 * ω(μ) by Gaussian elimination on the full n × n system (R_n + μI) ω = r, without the
 * group reduction: a cross-check of `curvePointBig`. Costs O(n³) BigNumber operations.
 */
export function curvePointFullBig(problem: HighPrecisionProblem, mu: BigNumber): BigNumber[] {
  const R = fullCorrelation(problem);
  const shifted = R.map((row, i) => row.map((value, j) => (i === j ? value.plus(mu) : value)));
  return solveBig(shifted, expandWeights(problem, problem.r));
}

/** L(ω) = c − s² Σ λ²/(aλ+b) for a full n-vector ω, summing over all n² entries of R_n. */
export function reducedRiskBig(problem: HighPrecisionProblem, omega: readonly BigNumber[]): BigNumber {
  if (omega.length !== problem.n) throw new InputError('ω', `has ${omega.length} entries`, omega.length, `pass ${problem.n} entries`);
  const R = fullCorrelation(problem);
  const r = expandWeights(problem, problem.r);
  let s = problem.big.bignumber(0) as BigNumber;
  let normSquared = s;
  let quadratic = s;
  for (let i = 0; i < omega.length; i++) {
    s = s.plus(omega[i].times(r[i]));
    normSquared = normSquared.plus(omega[i].times(omega[i]));
    let row = problem.big.bignumber(0) as BigNumber;
    for (let j = 0; j < omega.length; j++) row = row.plus(R[i][j].times(omega[j]));
    quadratic = quadratic.plus(omega[i].times(row));
  }
  if (normSquared.isZero()) return problem.c;
  const { gain } = gainAndFixedPoint(problem, s, quadratic.plus(normSquared), problem.c.times(normSquared));
  return problem.c.minus(gain);
}

export interface PeakBig {
  mu: BigNumber;
  phi: BigNumber;
  /** μ − F(μ) at the returned μ. */
  fixedPointResidual: BigNumber;
  /** Width of the final golden-section bracket in μ. */
  bracketWidth: BigNumber;
  evaluations: number;
  /** False when the maximum sat at an end of the search bracket even after widening. */
  interior: boolean;
}

/**
 * Golden-section maximiser of φ in BigNumber on [center(1 − δ), center(1 + δ)], stopping at
 * bracket width ≤ tolerance · center. If the maximum lands at an end the bracket is widened
 * ×10 and the search repeated (at most 4 times), so the result is a local maximum inside it.
 */
export function maximizePhiBig(problem: HighPrecisionProblem, center: BigNumber, relativeHalfWidth: number, relativeTolerance: BigNumber): PeakBig {
  const big = problem.big;
  const inverseGolden = (big.bignumber(5) as BigNumber).sqrt().minus(1).div(2);
  let halfWidth = relativeHalfWidth;
  let evaluations = 0;
  for (let attempt = 0; ; attempt++) {
    const low0 = center.times(1 - halfWidth);
    const high0 = center.times(1 + halfWidth);
    let a = low0;
    let b = high0;
    let x1 = b.minus(inverseGolden.times(b.minus(a)));
    let x2 = a.plus(inverseGolden.times(b.minus(a)));
    let f1 = phiBig(problem, x1).phi;
    let f2 = phiBig(problem, x2).phi;
    evaluations += 2;
    const stop = relativeTolerance.times(center);
    while (b.minus(a).gt(stop)) {
      if (f1.gte(f2)) {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b.minus(inverseGolden.times(b.minus(a)));
        f1 = phiBig(problem, x1).phi;
      } else {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a.plus(inverseGolden.times(b.minus(a)));
        f2 = phiBig(problem, x2).phi;
      }
      evaluations++;
    }
    const mu = f1.gte(f2) ? x1 : x2;
    const margin = high0.minus(low0).times(1e-3);
    const interior = mu.minus(low0).gt(margin) && high0.minus(mu).gt(margin);
    if (interior || attempt >= 4) {
      const at = phiBig(problem, mu);
      return { mu, phi: at.phi, fixedPointResidual: mu.minus(at.fixedPoint), bracketWidth: b.minus(a), evaluations: evaluations + 1, interior };
    }
    halfWidth = Math.min(0.5, halfWidth * 10);
  }
}
