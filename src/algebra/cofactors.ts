import type { Field } from './field.ts';

/**
 * Determinant and adjugate by cofactor expansion, over any ring. Only ring
 * operations are used, so over polynomials they give det A and adj A as
 * polynomials, and A⁻¹ = adj A / det A stays division-free until the end.
 * The cost is factorial in the size; the symbolic proofs use d ≤ 4.
 */

/** Returns the minor of A with row i and column j removed. */
function minor<T>(A: readonly (readonly T[])[], i: number, j: number): T[][] {
  return A.filter((_, row) => row !== i).map((row) => row.filter((_, column) => column !== j));
}

/** det A by Laplace expansion along the first row. */
export function cofactorDeterminant<T>(F: Field<T>, A: readonly (readonly T[])[]): T {
  if (A.length === 0) return F.one;
  if (A.length === 1) return A[0][0];
  let determinant = F.zero;
  A[0].forEach((entry, j) => {
    const term = F.mul(entry, cofactorDeterminant(F, minor(A, 0, j)));
    determinant = j % 2 === 0 ? F.add(determinant, term) : F.sub(determinant, term);
  });
  return determinant;
}

/** adj A, the transposed cofactor matrix: A · adj A = det A · I. */
export function adjugate<T>(F: Field<T>, A: readonly (readonly T[])[]): T[][] {
  const size = A.length;
  if (size === 1) return [[F.one]];
  return Array.from({ length: size }, (_, i) =>
    Array.from({ length: size }, (__, j) => {
      const cofactor = cofactorDeterminant(F, minor(A, j, i));
      return (i + j) % 2 === 0 ? cofactor : F.neg(cofactor);
    }),
  );
}
