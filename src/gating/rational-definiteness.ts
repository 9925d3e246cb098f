import type { Fraction } from 'mathjs';

/**
 * Exact definiteness tests for symmetric rational matrices by symmetric
 * Gaussian elimination (A = L D Lᵀ without pivoting).
 */

/** Finds the first pivot of the elimination that is ≤ 0; undefined when A ≻ 0 (every leading principal minor > 0). */
export function firstNonPositivePivot(A: readonly (readonly Fraction[])[]): { index: number; value: Fraction } | undefined {
  const M = A.map((row) => [...row]);
  const n = M.length;
  for (let k = 0; k < n; k++) {
    const pivot = M[k][k];
    if (!pivot.gt(0)) return { index: k, value: pivot };
    eliminate(M, k);
  }
  return undefined;
}

/**
 * True when the symmetric A is positive semidefinite. A zero pivot is allowed
 * only when the rest of its row is zero too: for PSD A, A_kk = 0 forces
 * A_kj = 0 for all j (every 2×2 principal minor is ≥ 0), and such a row can be
 * dropped without changing the other pivots.
 */
export function rationalIsPositiveSemidefinite(A: readonly (readonly Fraction[])[]): boolean {
  const M = A.map((row) => [...row]);
  const n = M.length;
  for (let k = 0; k < n; k++) {
    const pivot = M[k][k];
    if (pivot.lt(0)) return false;
    if (pivot.equals(0)) {
      for (let j = k + 1; j < n; j++) if (!M[k][j].equals(0)) return false;
      continue;
    }
    eliminate(M, k);
  }
  return true;
}

/** Subtracts multiples of row k from the rows below it so that column k vanishes under the pivot. */
function eliminate(M: Fraction[][], k: number): void {
  const n = M.length;
  const pivot = M[k][k];
  for (let i = k + 1; i < n; i++) {
    const factor = M[i][k].div(pivot);
    if (factor.equals(0)) continue;
    for (let j = k; j < n; j++) M[i][j] = M[i][j].sub(factor.mul(M[k][j]));
  }
}
