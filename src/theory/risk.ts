import { InputError } from '../core/errors.ts';
import { requireFinite, requireFiniteMatrix, requireLength, requireNoiseVariance, requireShape } from '../core/validate.ts';
import type { Correlation } from '../data/correlation.ts';
import type { Covariance } from '../data/covariance.ts';
import { floatField } from '../algebra/field.ts';
import { type Matrix, type Vector } from '../linalg/dense.ts';
import { fieldRisk, fieldRiskCoefficients, fieldRiskFromCoefficients, type RiskInputs } from './risk-field.ts';

/** One instance of the multitask in-context regression model. */
export interface Task {
  d: number;
  n: number;
  covariance: Covariance;
  correlation: Correlation;
  /** Label noise variance σ² ≥ 0. */
  sigma2: number;
}

/** Builds a Task after checking that the sizes of Σ, R and σ² agree. */
export function makeTask(covariance: Covariance, correlation: Correlation, sigma2: number): Task {
  requireNoiseVariance(sigma2);
  const d = covariance.Sigma.length;
  const n = correlation.R.length - 1;
  return { d, n, covariance, correlation, sigma2 };
}

/** Σ, R_n, r and σ² of a task in the form the field-generic formulas take. */
export function riskInputs(task: Task): RiskInputs<number> {
  return { Sigma: task.covariance.Sigma, Rn: task.correlation.Rn, r: task.correlation.r, sigma2: task.sigma2 };
}

/** The scalars the risk depends on: a = ωᵀ R_n ω + ‖ω‖², b = ‖ω‖² (tr Σ + σ²), s = ωᵀ r. */
export function riskCoefficients(task: Task, omega: readonly number[]): { a: number; b: number; s: number } {
  return fieldRiskCoefficients(floatField, riskInputs(task), omega);
}

function validateWeights(task: Task, omega: readonly number[]): void {
  requireLength('ω', omega, task.n, `a task with n = ${task.n} examples`);
  requireFinite('ω', omega);
}

/**
 * RISK closed form in float64:
 *   L(P, ω) = tr Σ + σ² − 2 (ωᵀ r) tr(Σ P Σ) + tr(Pᵀ Σ P (a Σ² + b Σ)),
 * a = ωᵀ R_n ω + ‖ω‖², b = ‖ω‖² (tr Σ + σ²). The formula itself lives in
 * risk-field.ts, shared with the exact and symbolic checks.
 */
export function risk(task: Task, P: readonly (readonly number[])[], omega: readonly number[]): number {
  validateWeights(task, omega);
  requireShape('P', P, task.d, task.d);
  requireFiniteMatrix('P', P);
  return fieldRisk(floatField, riskInputs(task), P, omega);
}

/**
 * Evaluates the closed form on absolute values (|Σ|, |P|, |ω|, |R_n|, |r|, with
 * the linear term's sign flipped): the sum of the magnitudes of all its
 * summands. Rounding error of risk() in float64 is at most a small multiple of
 * ε times this, whatever the conditioning of Σ, because it is the standard
 * |A||B| bound for matrix products.
 */
export function riskRoundingScale(task: Task, P: readonly (readonly number[])[], omega: readonly number[]): number {
  const absolute = (A: readonly (readonly number[])[]) => A.map((row) => row.map(Math.abs));
  const inputs = riskInputs(task);
  const absoluteInputs: RiskInputs<number> = {
    Sigma: absolute(inputs.Sigma),
    Rn: absolute(inputs.Rn),
    r: inputs.r.map(Math.abs),
    sigma2: inputs.sigma2,
  };
  const { a, b, s } = fieldRiskCoefficients(floatField, absoluteInputs, omega.map(Math.abs));
  const constant = absoluteInputs.Sigma.reduce((acc, row, i) => acc + row[i], 0) + task.sigma2;
  return fieldRiskFromCoefficients(floatField, absoluteInputs.Sigma, absolute(P), { a, b, s: -s }, constant);
}

/**
 * P-STAR: P*(ω) = (ωᵀ r) (a Σ + b I)^{-1}, the unique minimiser over P for ω ≠ 0
 * (P* = 0 when ωᵀ r = 0). Computed in Σ's eigenbasis: Σ = V Λ Vᵀ gives
 * (aΣ + bI)^{-1} = V diag(1/(aλ_k + b)) Vᵀ.
 */
export function optimalPreconditioner(task: Task, omega: readonly number[]): Matrix {
  validateWeights(task, omega);
  if (omega.every((value) => value === 0)) {
    throw new InputError('ω', 'is the zero vector', '0', 'P*(ω) is defined for ω ≠ 0');
  }
  const { a, b, s } = riskCoefficients(task, omega);
  const { eigenvalues: lambda, eigenvectors: V } = task.covariance;
  const d = task.d;
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let total = 0;
      for (let k = 0; k < d; k++) total += (V[i][k] * V[j][k]) / (a * lambda[k] + b);
      return s * total;
    }),
  );
}

/**
 * Reduced risk L(ω) = min_P L(P, ω) = tr Σ + σ² − (ωᵀ r)² tr(Σ² (aΣ + bI)^{-1}),
 * with tr(Σ² (aΣ + bI)^{-1}) = Σ_k λ_k² / (aλ_k + b). Scale invariant in ω.
 */
export function reducedRisk(task: Task, omega: readonly number[]): number {
  validateWeights(task, omega);
  // L(ω) is scale invariant, so divide by max|ω_i| first: otherwise ‖ω‖²
  // underflows for tiny weights (max|ω_i| ≈ 1e-162) and the formula gives 0/0.
  const largest = omega.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
  const unit = largest === 0 ? 1 : largest;
  const { a, b, s } = riskCoefficients(task, omega.map((value) => value / unit));
  return reducedRiskFromCoefficients(task, a, b, s);
}

export function reducedRiskFromCoefficients(task: Task, a: number, b: number, s: number): number {
  const lambda = task.covariance.eigenvalues;
  const base = lambda.reduce((acc, value) => acc + value, 0) + task.sigma2;
  if (b === 0) return base; // ω = 0 predicts 0
  let gain = 0;
  for (const value of lambda) gain += (value * value) / (a * value + b);
  return base - s * s * gain;
}

/** tr Σ + σ²: the risk of predicting 0, and the constant c of the CURVE formula. */
export function nullRisk(task: Task): number {
  return task.covariance.eigenvalues.reduce((acc, value) => acc + value, 0) + task.sigma2;
}

export type { Vector };
