import { EigenvalueDecomposition, Matrix as MlMatrix, solve as mlSolve } from 'ml-matrix';
import { InputError } from '../core/errors.ts';
import { requireFiniteMatrix } from '../core/validate.ts';
import { maxAbs, symmetrize, type Matrix, type Vector } from './dense.ts';

/**
 * Relative asymmetry allowed before a matrix counts as non-symmetric:
 * |A_ij − A_ji| ≤ SYMMETRY_RTOL · max|A|. Products such as Q D Qᵀ in float64
 * differ across the diagonal by a few ulps of max|A|, so an exact test
 * (ml-matrix's isSymmetric) rejects valid covariances.
 */
export const SYMMETRY_RTOL = 1e-10;

/**
 * Eigenvalues below −PSD_RTOL · λ_max count as negative. Round-off in the
 * eigensolver is a few ulps of λ_max, so a singular PSD matrix such as a block
 * correlation matrix shows eigenvalues near −1e-16 · λ_max.
 */
export const PSD_RTOL = 1e-12;

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Vector;
  /** Eigenvectors as columns, in the order of `values`. */
  vectors: Matrix;
}

/** Largest |A_ij − A_ji| divided by max|A| (0 for a zero matrix). */
export function relativeAsymmetry(A: readonly (readonly number[])[]): number {
  const size = maxAbs(A);
  if (size === 0) return 0;
  let worst = 0;
  for (let i = 0; i < A.length; i++) {
    for (let j = 0; j < i; j++) worst = Math.max(worst, Math.abs(A[i][j] - A[j][i]));
  }
  return worst / size;
}

/** Throws unless `A` is square and symmetric up to SYMMETRY_RTOL. */
export function requireSymmetric(input: string, A: readonly (readonly number[])[]): void {
  if (A.some((row) => row.length !== A.length)) {
    throw new InputError(input, 'is not square', `${A.length} rows`, 'pass a square matrix');
  }
  const asymmetry = relativeAsymmetry(A);
  if (asymmetry > SYMMETRY_RTOL) {
    throw new InputError(
      input,
      'is not symmetric',
      `max |A_ij − A_ji| / max|A| = ${asymmetry.toExponential(3)}`,
      `pass a symmetric matrix (allowed relative asymmetry ${SYMMETRY_RTOL})`,
    );
  }
}

/**
 * Eigen-decomposes the symmetric part of `A`, eigenvalues sorted ascending
 * (the order the solver returns is not relied on anywhere).
 */
export function eigenSymmetric(A: readonly (readonly number[])[]): SymmetricEigen {
  // ml-matrix's tql2 iteration indexes past the matrix once squares of tiny
  // entries underflow (seen with entries near 1e-200), so decompose A / max|A|
  // with entries below TINY_RTOL flushed to 0. By Weyl's inequality that moves
  // each eigenvalue by at most n · TINY_RTOL · max|A|, far below round-off.
  requireFiniteMatrix('matrix passed to the eigensolver', A);
  const size = maxAbs(A);
  const unit = size === 0 ? 1 : size;
  const scaled = symmetrize(A).map((row) => row.map((value) => flushTiny(value / unit)));
  const evd = new EigenvalueDecomposition(new MlMatrix(scaled), { assumeSymmetric: true });
  const raw = evd.realEigenvalues.map((value) => value * unit);
  const V = evd.eigenvectorMatrix.to2DArray();
  const order = raw.map((_, i) => i).sort((i, j) => raw[i] - raw[j]);
  return {
    values: order.map((i) => raw[i]),
    vectors: V.map((row) => order.map((i) => row[i])),
  };
}

/** Relative size below which entries are flushed before the eigensolver; its square, 1e-300, is still a normal float64. */
const TINY_RTOL = 1e-150;

function flushTiny(value: number): number {
  return Math.abs(value) < TINY_RTOL ? 0 : value;
}

/** Solves A x = b for a square nonsingular A. */
export function solve(A: readonly (readonly number[])[], b: readonly number[]): Vector {
  const x = mlSolve(new MlMatrix(A.map((row) => [...row])), MlMatrix.columnVector([...b]));
  return x.getColumn(0);
}

/** Inverse of a symmetric positive definite matrix through its eigenvectors. */
export function inverseSymmetric(A: readonly (readonly number[])[]): Matrix {
  const { values, vectors } = eigenSymmetric(A);
  const size = values.length;
  const result: Matrix = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (let k = 0; k < size; k++) {
    const inv = 1 / values[k];
    for (let i = 0; i < size; i++) {
      const vik = vectors[i][k] * inv;
      for (let j = 0; j < size; j++) result[i][j] += vik * vectors[j][k];
    }
  }
  return result;
}
