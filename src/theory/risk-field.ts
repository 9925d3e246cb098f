import type { Field } from '../algebra/field.ts';

/**
 * The RISK closed form over any field, so one formula runs in float64, exact
 * rationals and symbolic expressions:
 *   L(P, ω) = tr Σ + σ² − 2 (ωᵀ r) tr(Σ P Σ) + tr(Pᵀ Σ P (a Σ² + b Σ)),
 *   a = ωᵀ R_n ω + ‖ω‖²,  b = ‖ω‖² (tr Σ + σ²).
 * Only ring operations are used: the risk is a polynomial in all inputs.
 */
export interface RiskInputs<T> {
  /** Feature covariance Σ, d×d. */
  Sigma: T[][];
  /** Example correlations R_n, n×n. */
  Rn: T[][];
  /** Example-to-query correlations r, length n. */
  r: T[];
  sigma2: T;
}

export function fieldMatmul<T>(F: Field<T>, A: readonly (readonly T[])[], B: readonly (readonly T[])[]): T[][] {
  const cols = B.length === 0 ? 0 : B[0].length;
  return A.map((row) =>
    Array.from({ length: cols }, (_, j) => row.reduce((acc, value, k) => F.add(acc, F.mul(value, B[k][j])), F.zero)),
  );
}

export function fieldTranspose<T>(A: readonly (readonly T[])[]): T[][] {
  if (A.length === 0) return [];
  return A[0].map((_, j) => A.map((row) => row[j]));
}

export function fieldTrace<T>(F: Field<T>, A: readonly (readonly T[])[]): T {
  return A.reduce((acc, row, i) => F.add(acc, row[i]), F.zero);
}

export function fieldDot<T>(F: Field<T>, a: readonly T[], b: readonly T[]): T {
  return a.reduce((acc, value, i) => F.add(acc, F.mul(value, b[i])), F.zero);
}

/** a = ωᵀ R_n ω + ‖ω‖², b = ‖ω‖² (tr Σ + σ²), s = ωᵀ r. */
export function fieldRiskCoefficients<T>(F: Field<T>, inputs: RiskInputs<T>, omega: readonly T[]): { a: T; b: T; s: T } {
  const squaredNorm = fieldDot(F, omega, omega);
  const quadratic = fieldDot(
    F,
    omega,
    inputs.Rn.map((row) => fieldDot(F, row, omega)),
  );
  const c = F.add(fieldTrace(F, inputs.Sigma), inputs.sigma2);
  return { a: F.add(quadratic, squaredNorm), b: F.mul(squaredNorm, c), s: fieldDot(F, omega, inputs.r) };
}

/**
 * L as a function of P for given scalars a, b, s and the constant tr Σ + σ²:
 *   constant − 2 s tr(Σ P Σ) + tr(Pᵀ Σ P (a Σ² + b Σ)).
 */
export function fieldRiskFromCoefficients<T>(
  F: Field<T>,
  Sigma: readonly (readonly T[])[],
  P: readonly (readonly T[])[],
  coefficients: { a: T; b: T; s: T },
  constant: T,
): T {
  const { a, b, s } = coefficients;
  const Sigma2 = fieldMatmul(F, Sigma, Sigma);
  const curvature = Sigma2.map((row, i) => row.map((value, j) => F.add(F.mul(a, value), F.mul(b, Sigma[i][j]))));
  const linear = fieldTrace(F, fieldMatmul(F, fieldMatmul(F, Sigma, P), Sigma));
  const quadratic = fieldTrace(F, fieldMatmul(F, fieldMatmul(F, fieldMatmul(F, fieldTranspose(P), Sigma), P), curvature));
  const two = F.fromInteger(2);
  return F.add(F.sub(constant, F.mul(F.mul(two, s), linear)), quadratic);
}

/** RISK closed form L(P, ω) over the field F. */
export function fieldRisk<T>(F: Field<T>, inputs: RiskInputs<T>, P: readonly (readonly T[])[], omega: readonly T[]): T {
  const constant = F.add(fieldTrace(F, inputs.Sigma), inputs.sigma2);
  return fieldRiskFromCoefficients(F, inputs.Sigma, P, fieldRiskCoefficients(F, inputs, omega), constant);
}
