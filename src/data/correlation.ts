import { InputError } from '../core/errors.ts';
import { requireFinite, requireFiniteMatrix, requirePositiveInteger } from '../core/validate.ts';
import { matmul, maxAbsDiff, symmetrize, transpose, type Matrix, type Vector } from '../linalg/dense.ts';
import { eigenSymmetric, PSD_RTOL, requireSymmetric } from '../linalg/symmetric.ts';

/** Allowed deviation of a correlation matrix's diagonal from 1. */
const UNIT_DIAGONAL_TOL = 1e-12;

/** Allowed max |F Fᵀ − R| for a sampling factor F, relative to max(λ_max(R), 1). */
export const FACTOR_TOL = 1e-12;

/**
 * A validated task correlation matrix R ∈ R^{(n+1)×(n+1)} (index n+1 is the
 * query) with R_n, r and a factor F (F Fᵀ = R) for sampling task vectors.
 */
export interface Correlation {
  R: Matrix;
  /** Top-left n×n block: correlations among the in-context examples. */
  Rn: Matrix;
  /** Example-to-query correlations r_i = R_{i,n+1}. */
  r: Vector;
  /** F with F Fᵀ = R to FACTOR_TOL. */
  factor: Matrix;
  /** Eigenvalues of R, ascending. */
  eigenvalues: Vector;
  /** Block structure when R came from the block model. */
  blocks?: BlockModel;
}

/** K tasks in prompt order: block k has m_k examples and query correlation ρ_k. */
export interface BlockModel {
  sizes: number[];
  rho: number[];
}

/**
 * Validates R as a correlation matrix: symmetric, unit diagonal, positive
 * semidefinite with eigenvalues ≥ −PSD_RTOL·λ_max. Singular R (the block model)
 * is valid, so the sampling factor comes from the eigendecomposition with
 * round-off eigenvalues clipped to 0, not from a Cholesky factorisation.
 */
export function makeCorrelation(R: readonly (readonly number[])[]): Correlation {
  requireFiniteMatrix('R', R);
  requireSymmetric('R', R);
  if (R.length < 2) {
    throw new InputError('R', 'is smaller than 2×2', `${R.length}×${R.length}`, 'pass an (n+1)×(n+1) matrix with n ≥ 1 examples and the query last');
  }
  R.forEach((row, i) => {
    if (Math.abs(row[i] - 1) > UNIT_DIAGONAL_TOL) {
      throw new InputError(`R[${i}][${i}]`, 'is not 1', row[i], 'a correlation matrix has unit diagonal');
    }
  });
  const symmetric = symmetrize(R);
  const { values, vectors } = eigenSymmetric(symmetric);
  const largest = values[values.length - 1];
  const smallest = values[0];
  if (smallest < -PSD_RTOL * Math.max(largest, 1)) {
    throw new InputError(
      'R',
      'is not positive semidefinite',
      `smallest eigenvalue ${smallest}`,
      'pass a positive semidefinite matrix with unit diagonal',
    );
  }
  const factor = eigenFactor(values, vectors);
  const residual = maxAbsDiff(matmul(factor, transpose(factor)), symmetric);
  // The round-off of F Fᵀ grows with the largest eigenvalue (about n for block models), so the bound is relative to it.
  if (residual > FACTOR_TOL * Math.max(largest, 1)) {
    throw new InputError('R', 'could not be factored accurately', `max |F Fᵀ − R| = ${residual}`, 'pass a better-conditioned correlation matrix');
  }
  const n = R.length - 1;
  return {
    R: symmetric,
    Rn: symmetric.slice(0, n).map((row) => row.slice(0, n)),
    r: symmetric.slice(0, n).map((row) => row[n]),
    factor,
    eigenvalues: values,
  };
}

/** F = V diag(√max(λ, 0)), so F Fᵀ = R up to the clipped round-off. */
function eigenFactor(values: Vector, vectors: Matrix): Matrix {
  const roots = values.map((value) => Math.sqrt(Math.max(value, 0)));
  return vectors.map((row) => row.map((entry, k) => entry * roots[k]));
}

/**
 * Builds the block model's R: R_ij = 1 inside a block, ρ_k ρ_l across blocks k ≠ l,
 * r_i = ρ_{k(i)}; the query is index n+1 with n = Σ m_k.
 */
export function blockCorrelation(sizes: readonly number[], rho: readonly number[]): Correlation {
  validateBlockModel(sizes, rho);
  const blockOf: number[] = [];
  sizes.forEach((size, k) => {
    for (let t = 0; t < size; t++) blockOf.push(k);
  });
  const n = blockOf.length;
  const R = Array.from({ length: n + 1 }, (_, i) =>
    Array.from({ length: n + 1 }, (_, j) => {
      if (i === j) return 1;
      if (i === n) return rho[blockOf[j]];
      if (j === n) return rho[blockOf[i]];
      return blockOf[i] === blockOf[j] ? 1 : rho[blockOf[i]] * rho[blockOf[j]];
    }),
  );
  return { ...makeCorrelation(R), blocks: { sizes: [...sizes], rho: [...rho] } };
}

export function validateBlockModel(sizes: readonly number[], rho: readonly number[]): void {
  if (sizes.length === 0) {
    throw new InputError('block sizes', 'are empty', '[]', 'pass at least one block');
  }
  if (sizes.length !== rho.length) {
    throw new InputError('ρ', `has ${rho.length} entries but there are ${sizes.length} blocks`, rho, 'pass one ρ_k per block');
  }
  sizes.forEach((size, k) => requirePositiveInteger(`block size m[${k}]`, size));
  requireFinite('ρ', rho);
  rho.forEach((value, k) => {
    if (value < -1 || value > 1) {
      throw new InputError(`ρ[${k}]`, 'is outside [−1, 1]', value, 'a task correlation must lie in [−1, 1]');
    }
  });
}

/** Single-task model R = 1 1ᵀ of size (n+1)×(n+1). */
export function singleTaskCorrelation(n: number): Correlation {
  return blockCorrelation([n], [1]);
}
