import { InputError } from '../core/errors.ts';
import { blockCorrelation } from '../data/correlation.ts';
import type { Covariance } from '../data/covariance.ts';
import { makeTask, type Task } from '../theory/risk.ts';
import type { Instance } from './parse.ts';
import { formatVector } from './text.ts';

/**
 * Largest n for which the full (n+1)×(n+1) R is built. Its validation and the
 * optimisers take eigendecompositions and cone programs of size n: at n = 256
 * the eigendecomposition took 0.6 s and the anisotropic scalar-gating search
 * 3.5 minutes on a 2-core x86 VM with Node 20.
 */
export const MAX_TASK_EXAMPLES = 256;

/** Builds the float64 Task of an instance; a block model's R is built here, so n must be at most MAX_TASK_EXAMPLES. */
export function instanceTask(instance: Instance, purpose: string): Task {
  if (instance.n > MAX_TASK_EXAMPLES) {
    throw new InputError(
      `/n of ${instance.source}`,
      `is above ${MAX_TASK_EXAMPLES}, the largest n ${purpose} accepts`,
      instance.n,
      `pass an instance with n ≤ ${MAX_TASK_EXAMPLES}`,
    );
  }
  const correlation = instance.correlation ?? blockCorrelation(instance.blocks!.sizes, instance.blocks!.rho);
  return makeTask(instance.covariance, correlation, instance.sigma2);
}

/** Relative spread of eigenvalues below which Σ counts as s I, the rule of isotropicScale. */
const ISOTROPIC_RTOL = 1e-12;

/** Returns s when Σ = s I up to ISOTROPIC_RTOL relative, else undefined. */
export function covarianceScale(covariance: Covariance): number | undefined {
  const lambda = covariance.eigenvalues;
  const first = lambda[0];
  const last = lambda[lambda.length - 1];
  return last - first <= ISOTROPIC_RTOL * last ? (first + last) / 2 : undefined;
}

/** True when every off-diagonal entry of Σ is exactly 0. */
export function isDiagonal(covariance: Covariance): boolean {
  return covariance.Sigma.every((row, i) => row.every((value, j) => i === j || value === 0));
}

/** Describes Σ in one line: "Σ = I", "Σ = 2 I", "Σ = diag(λ), λ from 0.1 to 10" or "Σ general, eigenvalues from … to …". */
export function describeCovariance(covariance: Covariance): string {
  const s = covarianceScale(covariance);
  if (s !== undefined) return s === 1 ? 'Σ = I' : `Σ = ${s} I`;
  const lambda = covariance.eigenvalues;
  // Six significant digits: a computed eigenvalue's last digits are round-off, a given one is shown as written.
  const show = (value: number) => String(Number(value.toPrecision(6)));
  const range = `from ${show(lambda[0])} to ${show(lambda[lambda.length - 1])}`;
  return isDiagonal(covariance) ? `Σ = diag(λ), λ ${range}` : `Σ general, eigenvalues ${range}`;
}

/** Describes R in one line: the block model's sizes and ρ, or "R given as a matrix". */
export function describeCorrelation(instance: Instance): string {
  if (instance.blocks === undefined) return 'R given as a matrix';
  const { sizes, rho } = instance.blocks;
  return `block model, sizes [${formatVector(sizes, String)}], ρ [${formatVector(rho, String)}]`;
}
