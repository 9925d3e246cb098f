import { makeCorrelation, type Correlation } from '../data/correlation.ts';
import { makeCovariance, type Covariance } from '../data/covariance.ts';
import type { Random } from '../data/random.ts';
import { dot, norm2, type Matrix, type Vector } from '../linalg/dense.ts';

/**
 * Random correlation matrix of size `size`: the Gram matrix of `size` Gaussian vectors in
 * R^rank, each normalised to unit length, so R_ii = 1 and rank(R) ≤ rank.
 */
export function randomCorrelation(random: Random, size: number, rank: number): Correlation {
  const vectors = Array.from({ length: size }, () => {
    const v = random.normalVector(rank);
    const norm = norm2(v);
    return v.map((value) => value / norm);
  });
  const R = vectors.map((u, i) => vectors.map((v, j) => (i === j ? 1 : dot(u, v))));
  return makeCorrelation(R);
}

/** Builds a correlation matrix with r = 0: R_n is random and the query is uncorrelated with every example. */
export function uncorrelatedQuery(random: Random, n: number): Correlation {
  const Rn = randomCorrelation(random, n, n + 1).R;
  const R = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) R[i][j] = Rn[i][j];
  }
  R[n][n] = 1;
  return makeCorrelation(R);
}

/** d eigenvalues log-uniform on [low, high], the two ends included so the spread is exactly high/low. */
export function logUniformSpectrum(random: Random, d: number, low: number, high: number): Vector {
  const logLow = Math.log(low);
  const logHigh = Math.log(high);
  return Array.from({ length: d }, (_, k) => {
    if (k === 0) return low;
    if (k === 1) return high;
    return Math.exp(logLow + (logHigh - logLow) * random.uniform());
  });
}

/** Random orthogonal d × d matrix: Gram–Schmidt (twice, for orthogonality to round-off) on Gaussian columns. */
export function randomOrthogonal(random: Random, d: number): Matrix {
  const columns: Vector[] = [];
  while (columns.length < d) {
    let v = random.normalVector(d);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of columns) {
        const projection = dot(q, v);
        v = v.map((value, i) => value - projection * q[i]);
      }
    }
    const norm = norm2(v);
    if (norm > 1e-8) columns.push(v.map((value) => value / norm));
  }
  return Array.from({ length: d }, (_, i) => columns.map((column) => column[i]));
}

/** Σ = Q diag(λ) Qᵀ with a random orthogonal Q, validated by makeCovariance. */
export function rotatedCovariance(random: Random, eigenvalues: readonly number[]): Covariance {
  const Q = randomOrthogonal(random, eigenvalues.length);
  const Sigma = Q.map((row) => Q.map((other) => row.reduce((acc, value, k) => acc + value * eigenvalues[k] * other[k], 0)));
  return makeCovariance(Sigma);
}
