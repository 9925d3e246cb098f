import { dot, maxAbs, norm2, type Matrix, type Vector } from '../linalg/dense.ts';
import { eigenSymmetric } from '../linalg/symmetric.ts';
import { gradientAt, hessianAt, landscapePoint, type LandscapeProblem } from './landscape.ts';

/**
 * Orthonormal basis of the tangent space ω⊥ of the unit sphere at ω: columns 2..n
 * of the Householder reflector H = I − 2 v vᵀ/(vᵀv), v = ω/‖ω‖ + sign(ω_1) e_1,
 * which maps ω/‖ω‖ to ∓e_1. Returned as an n × (n−1) matrix.
 */
export function tangentBasis(omega: readonly number[]): Matrix {
  const n = omega.length;
  const norm = norm2(omega);
  const v = omega.map((value) => value / norm);
  const sign = v[0] >= 0 ? 1 : -1;
  v[0] += sign;
  const vv = dot(v, v);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n - 1 }, (_, k) => (i === k + 1 ? 1 : 0) - (2 * v[i] * v[k + 1]) / vv));
}

/** Qᵀ H Q for an n × m basis Q, symmetrised. */
export function projectHessian(H: readonly (readonly number[])[], Q: readonly (readonly number[])[]): Matrix {
  const n = H.length;
  const m = Q[0]?.length ?? 0;
  const HQ: Matrix = H.map((row) => {
    const out = new Array<number>(m).fill(0);
    for (let j = 0; j < n; j++) {
      const value = row[j];
      if (value === 0) continue;
      const Qj = Q[j];
      for (let k = 0; k < m; k++) out[k] += value * Qj[k];
    }
    return out;
  });
  const result: Matrix = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < n; i++) {
    const Qi = Q[i];
    const HQi = HQ[i];
    for (let k = 0; k < m; k++) {
      const q = Qi[k];
      if (q === 0) continue;
      for (let l = 0; l < m; l++) result[k][l] += q * HQi[l];
    }
  }
  for (let k = 0; k < m; k++) {
    for (let l = 0; l < k; l++) {
      const mean = 0.5 * (result[k][l] + result[l][k]);
      result[k][l] = mean;
      result[l][k] = mean;
    }
  }
  return result;
}

export type PointClass = 'strict-local-min' | 'strict-local-max' | 'saddle' | 'degenerate';

export interface SecondOrderResult {
  /** Eigenvalues of the Hessian restricted to ω⊥ (ω scaled to unit length), ascending. */
  eigenvalues: Vector;
  minEigenvalue: number;
  maxEigenvalue: number;
  /** Eigenvalues with |value| ≤ tolerance count as zero. */
  tolerance: number;
  classification: PointClass;
  /** ‖∇L‖ at the unit ω: the test is a second-order test only where this is ~0. */
  gradientNorm: number;
  /** |ωᵀ ∇L|: zero by homogeneity; a check on the gradient. */
  radialGradient: number;
}

/**
 * Relative size of round-off in the tangent Hessian: eigenvalues within
 * SECOND_ORDER_RTOL · n · max|∇²L| of zero are treated as zero. Each entry of ∇²L
 * sums a handful of terms of size ≤ max|∇²L| with relative error ~ε, and the
 * eigensolver adds O(n ε ‖H‖); 1e-10 leaves three orders of margin over both.
 */
export const SECOND_ORDER_RTOL = 1e-10;

/**
 * Second-order test at ω (scaled to unit length). L is homogeneous of degree 0, so
 * ωᵀ∇L = 0 and ∇²L ω = −∇L: at a stationary point ∇²L ω = 0, and the Hessian restricted
 * to ω⊥ is the Riemannian Hessian on the sphere. Strict local minimum (up to scale)
 * iff all its eigenvalues are > 0.
 */
export function secondOrderTest(problem: LandscapeProblem, omega: readonly number[], tolerance?: number): SecondOrderResult {
  const norm = norm2(omega);
  const unit = omega.map((value) => value / norm);
  const point = landscapePoint(problem, unit);
  const gradient = gradientAt(problem, point);
  const H = hessianAt(problem, point);
  const Q = tangentBasis(unit);
  const eigenvalues = problem.n > 1 ? eigenSymmetric(projectHessian(H, Q)).values : [];
  const zero = tolerance ?? SECOND_ORDER_RTOL * problem.n * Math.max(maxAbs(H), Number.MIN_VALUE);
  const minEigenvalue = eigenvalues.length > 0 ? eigenvalues[0] : Infinity;
  const maxEigenvalue = eigenvalues.length > 0 ? eigenvalues[eigenvalues.length - 1] : -Infinity;
  let classification: PointClass;
  if (eigenvalues.length === 0) classification = 'strict-local-min';
  else if (minEigenvalue > zero) classification = 'strict-local-min';
  else if (maxEigenvalue < -zero) classification = 'strict-local-max';
  else if (minEigenvalue < -zero && maxEigenvalue > zero) classification = 'saddle';
  else classification = 'degenerate';
  return {
    eigenvalues,
    minEigenvalue,
    maxEigenvalue,
    tolerance: zero,
    classification,
    gradientNorm: norm2(gradient),
    radialGradient: Math.abs(dot(unit, gradient)),
  };
}
