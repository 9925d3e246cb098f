import { CholeskyDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { InputError } from '../core/errors.ts';
import { requireFiniteMatrix } from '../core/validate.ts';
import { symmetrize, type Matrix, type Vector } from '../linalg/dense.ts';
import { eigenSymmetric, requireSymmetric } from '../linalg/symmetric.ts';

/** A validated feature covariance Σ ≻ 0 with what the formulas and the sampler need. */
export interface Covariance {
  Sigma: Matrix;
  /** Eigenvalues λ_k of Σ, ascending. */
  eigenvalues: Vector;
  /** Eigenvectors of Σ as columns, in the order of `eigenvalues`. */
  eigenvectors: Matrix;
  /** Lower-triangular Cholesky factor C with C Cᵀ = Σ, used to draw x = C z. */
  cholesky: Matrix;
}

/**
 * Validates Σ and factors it. Σ is symmetrised first: a covariance built as
 * Q D Qᵀ in float64 is symmetric only up to round-off, and ml-matrix's
 * Cholesky rejects it unless the two triangles agree exactly.
 */
export function makeCovariance(Sigma: readonly (readonly number[])[]): Covariance {
  requireFiniteMatrix('Σ', Sigma);
  requireSymmetric('Σ', Sigma);
  const symmetric = symmetrize(Sigma);
  const { values, vectors } = eigenSymmetric(symmetric);
  const smallest = values[0];
  if (!(smallest > 0)) {
    throw new InputError(
      'Σ',
      'is not positive definite',
      `smallest eigenvalue ${smallest}`,
      'pass a covariance with all eigenvalues > 0 (add a small multiple of I if features are degenerate)',
    );
  }
  const decomposition = new CholeskyDecomposition(new MlMatrix(symmetric));
  if (!decomposition.isPositiveDefinite()) {
    throw new InputError(
      'Σ',
      'failed Cholesky factorisation (numerically not positive definite)',
      `eigenvalues from ${values[0]} to ${values[values.length - 1]}`,
      'pass a better-conditioned covariance',
    );
  }
  return {
    Sigma: symmetric,
    eigenvalues: values,
    eigenvectors: vectors,
    cholesky: decomposition.lowerTriangularMatrix.to2DArray(),
  };
}

/** Σ = diag(λ) as a covariance. */
export function diagonalCovariance(eigenvalues: readonly number[]): Covariance {
  return makeCovariance(eigenvalues.map((value, i) => eigenvalues.map((_, j) => (i === j ? value : 0))));
}

/** Σ = s I of size d. */
export function isotropicCovariance(d: number, s = 1): Covariance {
  return diagonalCovariance(new Array<number>(d).fill(s));
}
