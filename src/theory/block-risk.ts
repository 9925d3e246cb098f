import { floatField } from '../algebra/field.ts';
import { requireFinite, requireLength, requireNoiseVariance } from '../core/validate.ts';
import { validateBlockModel } from '../data/correlation.ts';
import { fieldRiskFromCoefficients } from './risk-field.ts';

/**
 * The RISK closed form for the block model with Σ = diag(λ), without forming
 * the (n+1)×(n+1) correlation matrix, so it stays cheap at n = 4096. Inside a
 * block R_ij = 1 = ρ_k² + (1 − ρ_k²), so R_n = r rᵀ + Σ_k (1 − ρ_k²) 1_k 1_kᵀ and,
 * with S_k = Σ_{i ∈ block k} ω_i,
 *   ωᵀ R_n ω = (Σ_k ρ_k S_k)² + Σ_k (1 − ρ_k²) S_k²,  ωᵀ r = Σ_k ρ_k S_k.
 * The risk itself is the shared formula of risk-field.ts with these a, b, s.
 */

export interface DiagonalBlockTask {
  /** Eigenvalues of Σ = diag(λ). */
  readonly lambda: readonly number[];
  readonly blockSizes: readonly number[];
  readonly rho: readonly number[];
  readonly sigma2: number;
}

/** Returns S_k, the sum of ω over each block. */
function blockSums(task: DiagonalBlockTask, omega: ArrayLike<number>): number[] {
  const sums: number[] = [];
  let start = 0;
  for (const size of task.blockSizes) {
    let sum = 0;
    for (let i = start; i < start + size; i++) sum += omega[i];
    sums.push(sum);
    start += size;
  }
  return sums;
}

/** Returns a = ωᵀR_nω + ‖ω‖², b = ‖ω‖²(tr Σ + σ²) and s = ωᵀr by the block decomposition. */
export function blockRiskCoefficients(task: DiagonalBlockTask, omega: ArrayLike<number>): { a: number; b: number; s: number } {
  validateBlockModel(task.blockSizes, task.rho);
  requireNoiseVariance(task.sigma2);
  const n = task.blockSizes.reduce((sum, size) => sum + size, 0);
  requireLength('ω', Array.from(omega), n, `a block model with n = ${n} examples`);
  requireFinite('ω', Array.from(omega));
  const sums = blockSums(task, omega);
  const s = sums.reduce((acc, sum, k) => acc + task.rho[k] * sum, 0);
  const within = sums.reduce((acc, sum, k) => acc + (1 - task.rho[k] ** 2) * sum * sum, 0);
  let squaredNorm = 0;
  for (let i = 0; i < n; i++) squaredNorm += omega[i] * omega[i];
  const traceSigma = task.lambda.reduce((acc, value) => acc + value, 0);
  return { a: s * s + within + squaredNorm, b: squaredNorm * (traceSigma + task.sigma2), s };
}

/** Computes RISK L(P, ω) for the block model with diagonal Σ. */
export function blockRisk(task: DiagonalBlockTask, P: readonly (readonly number[])[], omega: ArrayLike<number>): number {
  const d = task.lambda.length;
  const Sigma = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (__, j) => (i === j ? task.lambda[i] : 0)));
  const constant = task.lambda.reduce((acc, value) => acc + value, 0) + task.sigma2;
  return fieldRiskFromCoefficients(floatField, Sigma, P, blockRiskCoefficients(task, omega), constant);
}

/** Computes P*(ω) = s (aΣ + bI)⁻¹, which is diagonal for diagonal Σ. */
export function blockOptimalPreconditioner(task: DiagonalBlockTask, omega: ArrayLike<number>): number[][] {
  const { a, b, s } = blockRiskCoefficients(task, omega);
  const d = task.lambda.length;
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (__, j) => (i === j ? s / (a * task.lambda[i] + b) : 0)));
}
