import type { Fraction } from 'mathjs';
import { q, rationalMatmul, rationalTranspose, type RationalMatrix } from '../algebra/rational-matrix.ts';
import { dot, matmul, transpose, type Matrix, type Vector } from '../linalg/dense.ts';
import { blockCorrelation, makeCorrelation, type Correlation } from './correlation.ts';
import { makeCovariance, type Covariance } from './covariance.ts';
import { Random as RandomSource, type Random } from './random.ts';
import { makeTask, type Task } from '../theory/risk.ts';
import type { RiskInputs } from '../theory/risk-field.ts';

/**
 * Seeded random instances of the multitask model for the risk claims: float64
 * ones (general Σ with random eigenvectors, general or block R) and exact
 * rational ones (rational Σ ≻ 0, rational correlation matrices).
 */

/** Random orthogonal d×d matrix: Gram–Schmidt on a Gaussian matrix (columns orthonormal). */
export function randomOrthogonal(random: Random, d: number): Matrix {
  const columns: Vector[] = [];
  while (columns.length < d) {
    let v = random.normalVector(d);
    for (const u of columns) {
      const projection = dot(v, u);
      v = v.map((value, i) => value - projection * u[i]);
    }
    const length = Math.sqrt(dot(v, v));
    if (length > 1e-8) columns.push(v.map((value) => value / length));
  }
  return transpose(columns);
}

/** Σ = Q diag(λ) Qᵀ with Q random orthogonal. */
export function rotatedCovariance(random: Random, eigenvalues: readonly number[]): Covariance {
  const Q = randomOrthogonal(random, eigenvalues.length);
  const scaled = Q.map((row) => row.map((value, k) => value * eigenvalues[k]));
  return makeCovariance(matmul(scaled, transpose(Q)));
}

/** Eigenvalues e^{spread·t_k} with t_k equally spaced in [−1, 1] (all 1 when d = 1). */
export function spreadEigenvalues(d: number, spread: number): number[] {
  return Array.from({ length: d }, (_, k) => Math.exp(spread * (d === 1 ? 0 : (2 * k) / (d - 1) - 1)));
}

/** Draws a general correlation matrix: the normalised Gram matrix of a Gaussian (n+1)×rank matrix. */
export function randomCorrelation(random: Random, n: number, rank = n + 1): Correlation {
  const A = Array.from({ length: n + 1 }, () => random.normalVector(rank));
  const G = matmul(A, transpose(A));
  const scale = G.map((row, i) => Math.sqrt(row[i]));
  return makeCorrelation(G.map((row, i) => row.map((value, j) => (i === j ? 1 : value / (scale[i] * scale[j])))));
}

/** Random block sizes (each in [1, maxSize]) summing to n. */
export function randomBlockSizes(random: Random, n: number, maxSize: number): number[] {
  const sizes: number[] = [];
  let left = n;
  while (left > 0) {
    const size = Math.min(left, random.integer(1, maxSize));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/** Draws a block-model correlation with random sizes and ρ_k uniform in [−1, 1]. */
export function randomBlockCorrelation(random: Random, n: number, maxSize: number): Correlation {
  const sizes = randomBlockSizes(random, n, maxSize);
  return blockCorrelation(
    sizes,
    sizes.map(() => 2 * random.uniform() - 1),
  );
}

/** Draws a rows×cols Gaussian matrix scaled by `scale`. */
export function randomMatrix(random: Random, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => random.normalVector(cols).map((value) => scale * value));
}

/** Random rational p/q with |p| ≤ maxNumerator and 1 ≤ q ≤ maxDenominator. */
export function randomRational(random: Random, maxNumerator: number, maxDenominator: number): Fraction {
  return q(random.integer(-maxNumerator, maxNumerator), random.integer(1, maxDenominator));
}

/** Rational Σ = C Cᵀ + δ I ≻ 0 with C random rational lower triangular and δ = 1/k. */
export function randomRationalCovariance(random: Random, d: number): RationalMatrix {
  const C = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => (j <= i ? randomRational(random, 4, 3) : q(0))),
  );
  const shift = q(1, random.integer(1, 4));
  return rationalMatmul(C, rationalTranspose(C)).map((row, i) => row.map((value, j) => (i === j ? value.add(shift) : value)));
}

/**
 * Rational unit vector in R^k by inverse stereographic projection of a random
 * rational t ∈ Q^{k−1}: (2t, 1 − |t|²) / (1 + |t|²).
 */
export function randomRationalUnitVector(random: Random, k: number): Fraction[] {
  const t = Array.from({ length: k - 1 }, () => randomRational(random, 3, 3));
  const norm2 = t.reduce((acc, value) => acc.add(value.mul(value)), q(0));
  const denominator = norm2.add(1);
  return [...t.map((value) => value.mul(2).div(denominator)), q(1).sub(norm2).div(denominator)];
}

/**
 * Rational correlation matrix R = F Fᵀ whose (n+1) rows of F are rational unit
 * vectors in R^rank: PSD with unit diagonal exactly (singular when rank ≤ n).
 */
export function randomRationalCorrelation(random: Random, n: number, rank = n + 1): RationalMatrix {
  const F = Array.from({ length: n + 1 }, () => randomRationalUnitVector(random, rank));
  return rationalMatmul(F, rationalTranspose(F));
}

/** Builds the block model's R in exact rationals: 1 inside a block, ρ_k ρ_l across, ρ_k to the query. */
export function rationalBlockCorrelation(sizes: readonly number[], rho: readonly Fraction[]): RationalMatrix {
  const blockOf = sizes.flatMap((size, k) => new Array<number>(size).fill(k));
  const n = blockOf.length;
  return Array.from({ length: n + 1 }, (_, i) =>
    Array.from({ length: n + 1 }, (_, j) => {
      if (i === j) return q(1);
      if (i === n) return rho[blockOf[j]];
      if (j === n) return rho[blockOf[i]];
      return blockOf[i] === blockOf[j] ? q(1) : rho[blockOf[i]].mul(rho[blockOf[j]]);
    }),
  );
}

/** Splits an exact R into the inputs of the risk formula. */
export function rationalRiskInputs(Sigma: RationalMatrix, R: RationalMatrix, sigma2: Fraction): RiskInputs<Fraction> {
  const n = R.length - 1;
  return {
    Sigma,
    Rn: R.slice(0, n).map((row) => row.slice(0, n)),
    r: R.slice(0, n).map((row) => row[n]),
    sigma2,
  };
}

/**
 * Draws one exact rational instance of the risk formula: rational Σ ≻ 0 (d ≤ 3), a
 * general rational R (even `index`, possibly singular) or a block-model R (odd
 * `index`, ρ_k ∈ {−1, −3/4, …, 1}), rational σ² ≥ 0 and ω ≠ 0 (n ≤ 4).
 */
export function randomRationalRiskInstance(random: Random, index: number) {
  const d = random.integer(1, 3);
  const n = random.integer(1, 4);
  const Sigma = randomRationalCovariance(random, d);
  const sizes = randomBlockSizes(random, n, n);
  const R =
    index % 2 === 0
      ? randomRationalCorrelation(random, n, random.integer(1, n + 1))
      : rationalBlockCorrelation(
          sizes,
          sizes.map(() => q(random.integer(-4, 4), 4)),
        );
  const sigma2 = q(random.integer(0, 6), random.integer(1, 3));
  let omega: Fraction[] = Array.from({ length: n }, () => randomRational(random, 5, 4));
  if (omega.every((value) => value.equals(0))) omega = omega.map(() => q(1));
  return { d, n, Sigma, R, inputs: rationalRiskInputs(Sigma, R, sigma2), omega };
}


/**
 * Largest condition number of Σ in property instances. Half of the instances
 * are well conditioned (κ ≤ e^4); the other half reach κ = 1e8, where float64
 * eigendecompositions lose about eight digits.
 */
export const MAX_PROPERTY_CONDITION = 1e8;

/**
 * Draws a float64 instance for property checks from one integer seed:
 * d ∈ [1, 4], n ∈ [1, 6], Σ with random eigenvectors and eigenvalues
 * e^{±spread} (condition number e^{2·spread}: spread ∈ [0, 2) or, for half of
 * the seeds, up to ln(1e8)/2), R general or block model (alternating by a
 * coin), σ² ∈ [0, 2), ω Gaussian.
 */
export function randomFloatInstance(seed: number): { task: Task; omega: Vector; random: Random } {
  const random = new RandomSource(seed);
  const d = random.integer(1, 4);
  const n = random.integer(1, 6);
  const maxSpread = random.uniform() < 0.5 ? 2 : Math.log(MAX_PROPERTY_CONDITION) / 2;
  const covariance = rotatedCovariance(random, spreadEigenvalues(d, maxSpread * random.uniform()));
  const correlation = random.uniform() < 0.5 ? randomCorrelation(random, n) : randomBlockCorrelation(random, n, 3);
  const task = makeTask(covariance, correlation, 2 * random.uniform());
  return { task, omega: random.normalVector(n), random };
}
