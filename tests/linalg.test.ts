import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { blockCorrelation } from '../src/data/correlation.ts';
import { Random } from '../src/data/random.ts';
import { matmul, maxAbs, maxAbsDiff, transpose } from '../src/linalg/dense.ts';
import { eigenSymmetric } from '../src/linalg/symmetric.ts';

describe('symmetric eigensolver', () => {
  it('handles products of tiny correlations', () => {
    // ρ_k ρ_l near 1e-200 made ml-matrix's tql2 index past the matrix
    const correlation = blockCorrelation([1, 4, 1, 2], [-1.1897839156633904e-138, -3.509592088510318e-63, 2.2250738585072014e-308, 0]);
    expect(correlation.eigenvalues.every(Number.isFinite)).toBe(true);
    expect(correlation.eigenvalues[correlation.eigenvalues.length - 1]).toBeCloseTo(4, 12);
  });

  it('rejects non-finite entries with an InputError', () => {
    expect(() => eigenSymmetric([[Infinity, 0], [0, 1]])).toThrow(InputError);
  });

  it('handles a subnormal correlation', () => {
    const correlation = blockCorrelation([2, 3], [5e-324, 0.5]);
    expect(correlation.eigenvalues.every(Number.isFinite)).toBe(true);
  });

  it('satisfies A V = V D with ascending eigenvalues', () => {
    const random = new Random(17);
    for (let trial = 0; trial < 50; trial++) {
      const size = random.integer(1, 9);
      // entries of A = B Bᵀ span 1e-300..1e300, inside the float64 range
      const scale = 10 ** random.integer(-150, 150);
      const B = Array.from({ length: size }, () => random.normalVector(size).map((value) => value * scale));
      const A = matmul(B, transpose(B)).map((row, i, rows) => row.map((value, j) => 0.5 * (value + rows[j][i])));
      const { values, vectors } = eigenSymmetric(A);
      const AV = matmul(A, vectors);
      const VD = vectors.map((row) => row.map((value, k) => value * values[k]));
      expect(maxAbsDiff(AV, VD)).toBeLessThanOrEqual(1e-12 * Math.max(maxAbs(A), Number.MIN_VALUE));
      for (let k = 1; k < size; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
    }
  });
});
