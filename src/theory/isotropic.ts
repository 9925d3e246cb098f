import { InputError } from '../core/errors.ts';
import type { Task } from './risk.ts';
import { dot, type Vector } from '../linalg/dense.ts';
import { solve } from '../linalg/symmetric.ts';

/**
 * Returns s when Σ = s I (all eigenvalues equal up to 1e-12 relative), else undefined.
 */
export function isotropicScale(task: Task): number | undefined {
  const lambda = task.covariance.eigenvalues;
  const first = lambda[0];
  const last = lambda[lambda.length - 1];
  return last - first <= 1e-12 * last ? (first + last) / 2 : undefined;
}

/**
 * UNIQUE for Σ = s I: ω* = (R_n + (d + 1 + σ²/s) I)^{-1} r (up to scale), P* ∝ I,
 * L* = s d + σ² − s d rᵀ (R_n + (d + 1 + σ²/s) I)^{-1} r. With s = 1 this is
 * L* = d + σ² − d rᵀ (R_n + (d + 1 + σ²) I)^{-1} r.
 */
export function isotropicOptimum(task: Task): { omega: Vector; risk: number; mu: number } {
  const s = isotropicScale(task);
  if (s === undefined) {
    throw new InputError('Σ', 'is not isotropic', `eigenvalues ${task.covariance.eigenvalues[0]}..${task.covariance.eigenvalues.at(-1)}`, 'use the CURVE search (globalOptimum) for general Σ');
  }
  const { Rn, r } = task.correlation;
  const mu = task.d + 1 + task.sigma2 / s;
  const shifted = Rn.map((row, i) => row.map((value, j) => (i === j ? value + mu : value)));
  const omega = solve(shifted, r);
  return { omega, risk: s * task.d + task.sigma2 - s * task.d * dot(r, omega), mu };
}

/** SINGLE-TASK: R = 1 1ᵀ, Σ = I gives L* = d + σ² − n d / (n + d + 1 + σ²). */
export function singleTaskOptimalRisk(d: number, n: number, sigma2: number): number {
  return d + sigma2 - (n * d) / (n + d + 1 + sigma2);
}

/** BLOCK-OPT: block weight w_k ∝ ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²) for Σ = I. */
export function blockOptimalWeights(sizes: readonly number[], rho: readonly number[], d: number, sigma2: number): Vector {
  return rho.map((value, k) => value / ((1 - value * value) * sizes[k] + d + 1 + sigma2));
}

/** Expands block weights w_k to per-example weights ω_i = w_{k(i)}. */
export function expandBlockWeights(sizes: readonly number[], weights: readonly number[]): Vector {
  return sizes.flatMap((size, k) => new Array<number>(size).fill(weights[k]));
}
