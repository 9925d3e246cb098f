import type { Fraction } from 'mathjs';
import { floatField, rationalField, type Field } from '../algebra/field.ts';
import { rationalSolveMatrix, rationalTranspose, type RationalMatrix } from '../algebra/rational-matrix.ts';
import { InputError } from '../core/errors.ts';
import { requireFiniteMatrix, requireLength, requireShape } from '../core/validate.ts';
import { transpose, type Matrix } from '../linalg/dense.ts';
import { solve } from '../linalg/symmetric.ts';
import { fieldMatmul, fieldTrace, fieldTranspose, type RiskInputs } from '../theory/risk-field.ts';

/**
 * Risk of matrix-weighted WPGD, ŷ = xᵀ P Σ_i Ω_i x_i y_i, under the multitask
 * model (x_i, x ~ N(0, Σ), E[β_i β_jᵀ] = R_ij I, noise variance σ²). Key-vector
 * gating under construction C is the case Ω_i = D_i = diag(ω_i).
 *
 * Derivation (Gaussian fourth moments, c = tr Σ + σ²). Let h = Σ_i Ω_i x_i y_i,
 * so ŷ = xᵀ P h with x independent of h:
 *   E[y²] = E[βᵀ Σ β] + σ² = tr Σ + σ²,
 *   E[y ŷ] = Σ_i E[βᵀ Σ P Ω_i x_i x_iᵀ β_i] = Σ_i r_i tr(Σ P Ω_i Σ) = tr(Σ P N),
 *   E[ŷ²] = tr(Pᵀ Σ P E[h hᵀ]),
 *   E[h hᵀ] = Σ_{i≠j} Ω_i E[x_i y_i y_j x_jᵀ] Ω_jᵀ + Σ_i Ω_i E[y_i² x_i x_iᵀ] Ω_iᵀ.
 * For i ≠ j, E[x_i y_i y_j x_jᵀ] = Σ E[β_i β_jᵀ] Σ = R_ij Σ². For i = j, Isserlis
 * gives E[x xᵀ A x xᵀ] = Σ (A + Aᵀ) Σ + tr(AΣ) Σ, so with A = E[β_i β_iᵀ] = I,
 * E[y_i² x_i x_iᵀ] = 2Σ² + tr(Σ) Σ + σ² Σ = R_ii Σ² + Σ² + c Σ. Hence E[h hᵀ] = M with
 *   N = Σ_i r_i Ω_i Σ,
 *   M = Σ_{i,j} R_ij Ω_i Σ² Ω_jᵀ + Σ_i Ω_i (Σ² + c Σ) Ω_iᵀ,
 *   L(P, {Ω_i}) = tr Σ + σ² − 2 tr(Σ P N) + tr(Σ P M Pᵀ).
 * M is symmetric positive semidefinite, so L is convex in P with gradient
 * −2 Σ Nᵀ + 2 Σ P M. Where M ≻ 0 the minimiser is P* = Nᵀ M⁻¹, and
 * tr(Σ P* N) = tr(Σ P* M P*ᵀ) = tr(Σ Nᵀ M⁻¹ N) gives the reduced risk
 *   L({Ω_i}) = tr Σ + σ² − tr(Σ Nᵀ M⁻¹ N).
 * With Ω_i = ω_i I this is the RISK formula: N = (ωᵀr) Σ and M = a Σ² + b Σ.
 */

/** Ω_1..Ω_n, each d×d. */
export type MatrixWeights<T> = readonly (readonly (readonly T[])[])[];

/** Ω_i = diag(ω_{i,1..d}) from per-coordinate sequences: `omegaByCoordinate[m][i]` = ω_{i,m}. */
export function diagonalWeights<T>(F: Field<T>, omegaByCoordinate: readonly (readonly T[])[]): T[][][] {
  const d = omegaByCoordinate.length;
  const n = d === 0 ? 0 : omegaByCoordinate[0].length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: d }, (__, a) => Array.from({ length: d }, (___, b) => (a === b ? omegaByCoordinate[a][i] : F.zero))),
  );
}

function scaled<T>(F: Field<T>, factor: T, A: readonly (readonly T[])[]): T[][] {
  return A.map((row) => row.map((value) => F.mul(factor, value)));
}

function added<T>(F: Field<T>, A: readonly (readonly T[])[], B: readonly (readonly T[])[]): T[][] {
  return A.map((row, i) => row.map((value, j) => F.add(value, B[i][j])));
}

function zeroMatrix<T>(F: Field<T>, size: number): T[][] {
  return Array.from({ length: size }, () => new Array<T>(size).fill(F.zero));
}

/**
 * N = Σ_i r_i Ω_i Σ and M = Σ_{i,j} R_ij Ω_i Σ² Ω_jᵀ + Σ_i Ω_i (Σ² + c Σ) Ω_iᵀ
 * with c = tr Σ + σ², over any field.
 */
export function matrixWeightedMoments<T>(F: Field<T>, inputs: RiskInputs<T>, Omegas: MatrixWeights<T>): { N: T[][]; M: T[][] } {
  const { Sigma, Rn, r, sigma2 } = inputs;
  const d = Sigma.length;
  const c = F.add(fieldTrace(F, Sigma), sigma2);
  const Sigma2 = fieldMatmul(F, Sigma, Sigma);
  const diagonalMoment = added(F, Sigma2, scaled(F, c, Sigma));
  let N = zeroMatrix(F, d);
  let M = zeroMatrix(F, d);
  Omegas.forEach((Omega, i) => {
    N = added(F, N, scaled(F, r[i], fieldMatmul(F, Omega, Sigma)));
    const OmegaSigma2 = fieldMatmul(F, Omega, Sigma2);
    Omegas.forEach((OmegaJ, j) => {
      M = added(F, M, scaled(F, Rn[i][j], fieldMatmul(F, OmegaSigma2, fieldTranspose(OmegaJ))));
    });
    M = added(F, M, fieldMatmul(F, fieldMatmul(F, Omega, diagonalMoment), fieldTranspose(Omega)));
  });
  return { N, M };
}

/** L(P, {Ω_i}) = tr Σ + σ² − 2 tr(Σ P N) + tr(Σ P M Pᵀ), over any field. */
export function matrixWeightedRisk<T>(F: Field<T>, inputs: RiskInputs<T>, P: readonly (readonly T[])[], Omegas: MatrixWeights<T>): T {
  const { N, M } = matrixWeightedMoments(F, inputs, Omegas);
  const SigmaP = fieldMatmul(F, inputs.Sigma, P);
  const linear = fieldTrace(F, fieldMatmul(F, SigmaP, N));
  const quadratic = fieldTrace(F, fieldMatmul(F, fieldMatmul(F, SigmaP, M), fieldTranspose(P)));
  const constant = F.add(fieldTrace(F, inputs.Sigma), inputs.sigma2);
  return F.add(F.sub(constant, F.mul(F.fromInteger(2), linear)), quadratic);
}

function validateFloatWeights(inputs: RiskInputs<number>, Omegas: MatrixWeights<number>): void {
  const d = inputs.Sigma.length;
  requireLength('Ω', Omegas, inputs.r.length, `a task with n = ${inputs.r.length} examples`);
  Omegas.forEach((Omega, i) => {
    requireShape(`Ω[${i}]`, Omega, d, d);
    requireFiniteMatrix(`Ω[${i}]`, Omega);
  });
}

/** P* = Nᵀ M⁻¹ in float64, from the solve M X = N (M symmetric, so P* = Xᵀ). Throws when M is singular. */
export function matrixWeightedOptimalPreconditioner(inputs: RiskInputs<number>, Omegas: MatrixWeights<number>): Matrix {
  validateFloatWeights(inputs, Omegas);
  const { N, M } = matrixWeightedMoments(floatField, inputs, Omegas);
  requireNonsingularMoment(M);
  const X = transpose(transpose(N).map((column) => solve(M, column)));
  return transpose(X);
}

/** Reduced risk tr Σ + σ² − tr(Σ Nᵀ M⁻¹ N) in float64 (M ≻ 0). */
export function matrixWeightedReducedRisk(inputs: RiskInputs<number>, Omegas: MatrixWeights<number>): number {
  const P = matrixWeightedOptimalPreconditioner(inputs, Omegas);
  const { N } = matrixWeightedMoments(floatField, inputs, Omegas);
  const constant = fieldTrace(floatField, inputs.Sigma) + inputs.sigma2;
  return constant - fieldTrace(floatField, fieldMatmul(floatField, fieldMatmul(floatField, inputs.Sigma, P), N));
}

/** P* = Nᵀ M⁻¹ exactly. Throws when M is singular (e.g. every Ω_i = 0). */
export function rationalMatrixWeightedOptimalPreconditioner(inputs: RiskInputs<Fraction>, Omegas: MatrixWeights<Fraction>): RationalMatrix {
  const { N, M } = matrixWeightedMoments(rationalField, inputs, Omegas);
  return rationalTranspose(rationalSolveMatrix(M, N));
}

/** Reduced risk tr Σ + σ² − tr(Σ Nᵀ M⁻¹ N), exactly. */
export function rationalMatrixWeightedReducedRisk(inputs: RiskInputs<Fraction>, Omegas: MatrixWeights<Fraction>): Fraction {
  const { N, M } = matrixWeightedMoments(rationalField, inputs, Omegas);
  const X = rationalSolveMatrix(M, N);
  const gain = fieldTrace(rationalField, fieldMatmul(rationalField, fieldMatmul(rationalField, inputs.Sigma, rationalTranspose(N)), X));
  return fieldTrace(rationalField, inputs.Sigma).add(inputs.sigma2).sub(gain);
}

function requireNonsingularMoment(M: readonly (readonly number[])[]): void {
  const largest = Math.max(...M.map((row) => Math.max(...row.map(Math.abs))));
  if (!(largest > 0)) {
    throw new InputError('Ω', 'makes the moment matrix M zero', 'M = 0', 'pass weights with some Ω_i ≠ 0; with all weights 0 the prediction is 0 and P does not matter');
  }
}
