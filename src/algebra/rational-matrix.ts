import { fraction, type Fraction } from 'mathjs';
import { InputError } from '../core/errors.ts';

/** Exact rational vectors and matrices (mathjs Fraction with BigInt parts), row-major. */
export type RationalVector = Fraction[];
export type RationalMatrix = Fraction[][];

/** p/q as an exact Fraction (q defaults to 1). */
export function q(numerator: number | bigint, denominator: number | bigint = 1): Fraction {
  return fraction(numerator as number, denominator as number);
}

export function rationalIdentity(size: number, scale: Fraction = q(1)): RationalMatrix {
  return Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i === j ? scale : q(0))));
}

export function rationalTranspose(A: readonly (readonly Fraction[])[]): RationalMatrix {
  if (A.length === 0) return [];
  return A[0].map((_, j) => A.map((row) => row[j]));
}

export function rationalMatmul(A: readonly (readonly Fraction[])[], B: readonly (readonly Fraction[])[]): RationalMatrix {
  const cols = B.length === 0 ? 0 : B[0].length;
  return A.map((row) =>
    Array.from({ length: cols }, (_, j) => row.reduce((acc, value, k) => acc.add(value.mul(B[k][j])), q(0))),
  );
}

export function rationalMatvec(A: readonly (readonly Fraction[])[], x: readonly Fraction[]): RationalVector {
  return A.map((row) => rationalDot(row, x));
}

export function rationalDot(a: readonly Fraction[], b: readonly Fraction[]): Fraction {
  return a.reduce((acc, value, i) => acc.add(value.mul(b[i])), q(0));
}

export function rationalTrace(A: readonly (readonly Fraction[])[]): Fraction {
  return A.reduce((acc, row, i) => acc.add(row[i]), q(0));
}

/** α A + β B, entrywise. */
export function rationalCombine(
  alpha: Fraction,
  A: readonly (readonly Fraction[])[],
  beta: Fraction,
  B: readonly (readonly Fraction[])[],
): RationalMatrix {
  return A.map((row, i) => row.map((value, j) => alpha.mul(value).add(beta.mul(B[i][j]))));
}

/**
 * Solves A X = B exactly by Gauss–Jordan elimination (first nonzero pivot; no
 * pivoting strategy is needed in exact arithmetic). Throws when A is singular.
 */
export function rationalSolveMatrix(A: readonly (readonly Fraction[])[], B: readonly (readonly Fraction[])[]): RationalMatrix {
  const size = A.length;
  const width = B[0]?.length ?? 0;
  const rows = A.map((row, i) => [...row, ...B[i]]);
  for (let col = 0; col < size; col++) {
    const pivotRow = rows.findIndex((row, i) => i >= col && !row[col].equals(0));
    if (pivotRow < 0) {
      throw new InputError('A', 'is singular', `no pivot in column ${col}`, 'pass a nonsingular matrix');
    }
    [rows[col], rows[pivotRow]] = [rows[pivotRow], rows[col]];
    const pivot = rows[col][col];
    rows[col] = rows[col].map((value) => value.div(pivot));
    for (let i = 0; i < size; i++) {
      if (i === col || rows[i][col].equals(0)) continue;
      const factor = rows[i][col];
      rows[i] = rows[i].map((value, j) => value.sub(factor.mul(rows[col][j])));
    }
  }
  return rows.map((row) => row.slice(size, size + width));
}

/** x with A x = b, exactly. */
export function rationalSolve(A: readonly (readonly Fraction[])[], b: readonly Fraction[]): RationalVector {
  return rationalSolveMatrix(
    A,
    b.map((value) => [value]),
  ).map((row) => row[0]);
}

export function rationalInverse(A: readonly (readonly Fraction[])[]): RationalMatrix {
  return rationalSolveMatrix(A, rationalIdentity(A.length));
}

export function rationalToNumbers(A: readonly (readonly Fraction[])[]): number[][] {
  return A.map((row) => row.map((value) => value.valueOf()));
}

/** Exact text of a rational, e.g. "-7/3". */
export function showRational(value: Fraction): string {
  return value.toFraction();
}
