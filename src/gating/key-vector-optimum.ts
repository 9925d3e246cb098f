import type { Fraction } from 'mathjs';
import { floatField } from '../algebra/field.ts';
import { q } from '../algebra/rational-matrix.ts';
import { InputError } from '../core/errors.ts';
import type { Matrix } from '../linalg/dense.ts';
import type { RiskInputs } from '../theory/risk-field.ts';
import { nullRisk, riskInputs, type Task } from '../theory/risk.ts';
import { coneQuadraticMax, rationalConeQuadraticMax } from './cone-qp.ts';
import { diagonalWeights, matrixWeightedOptimalPreconditioner } from './key-vector-risk.ts';

/**
 * The key-vector gating optimum for diagonal Σ = diag(λ). With Ω_i = diag(ω_i),
 * N and M are diagonal: N_mm = λ_m (ω_mᵀ r) and
 * M_mm = λ_m² ω_mᵀ R_n ω_m + (λ_m² + c λ_m) ‖ω_m‖², where ω_m = (ω_{1,m}..ω_{n,m})
 * is coordinate m's sequence and c = tr Σ + σ². The reduced risk splits over
 * coordinates with no cross terms, because tr(Σ Nᵀ M⁻¹ N) = Σ_m λ_m N_mm² / M_mm:
 *   L({ω_m}) = c − Σ_m λ_m (ω_mᵀ r)² / (ω_mᵀ Q_m ω_m),   Q_m = R_n + (1 + c/λ_m) I
 * (divide N_mm² and M_mm by λ_m²). Each coordinate's sequence ranges over
 * the scalar cone on its own, its scale and sign going into column m of P. So
 *   L*_key = c − Σ_m λ_m max_{ω ∈ K} (ωᵀ r)² / (ωᵀ Q_m ω).
 * For Σ = I every Q_m equals R_n + (d + 1 + σ²) I, the matrix of the Σ = I
 * scalar-gating program, so L*_key = L*_scalar.
 */

/** One coordinate's cone program and its certified maximiser. */
export interface KeyCoordinate {
  /** λ_m = Σ_mm. */
  lambda: number;
  /** μ_m = 1 + c/λ_m, the shift in Q_m = R_n + μ_m I. */
  mu: number;
  /** max over the cone of (ωᵀr)²/(ωᵀQ_mω). */
  ratio: number;
  /** The maximiser in the cone, scaled to ω_n = 1. */
  omega: number[];
  /** Sign of ωᵀr there (0 when r = 0); P absorbs it. */
  sign: 1 | -1 | 0;
  /** True when the cone solver's KKT test passed on both sign sides. */
  certified: boolean;
}

export interface KeyVectorOptimum {
  /** L*_key = c − Σ_m λ_m ratio_m. */
  risk: number;
  coordinates: KeyCoordinate[];
  /** True when every coordinate's program is KKT-certified. */
  certified: boolean;
}

/** Returns the diagonal of Σ after checking that every off-diagonal entry is exactly 0. */
export function diagonalOf(Sigma: readonly (readonly number[])[]): number[] {
  Sigma.forEach((row, a) =>
    row.forEach((value, b) => {
      if (a !== b && value !== 0) {
        throw new InputError(`Σ[${a}][${b}]`, 'is not 0', value, 'the per-coordinate split needs a diagonal Σ; rotate the features to Σ’s eigenbasis first');
      }
    }),
  );
  return Sigma.map((row, m) => row[m]);
}

/** Q_m = R_n + μ I. */
function shifted(Rn: readonly (readonly number[])[], mu: number): number[][] {
  return Rn.map((row, i) => row.map((value, j) => (i === j ? value + mu : value)));
}

/** L*_key for a task with diagonal Σ: one cone program per coordinate (float64, KKT-checked). */
export function keyVectorOptimum(task: Task): KeyVectorOptimum {
  const lambda = diagonalOf(task.covariance.Sigma);
  const c = nullRisk(task);
  const { Rn, r } = task.correlation;
  const coordinates = lambda.map((lambdaM) => {
    const mu = 1 + c / lambdaM;
    const solution = coneQuadraticMax(shifted(Rn, mu), r);
    return { lambda: lambdaM, mu, ratio: solution.ratio, omega: solution.omega, sign: solution.sign, certified: solution.kkt.certified };
  });
  const gain = coordinates.reduce((acc, coordinate) => acc + coordinate.lambda * coordinate.ratio, 0);
  return { risk: c - gain, coordinates, certified: coordinates.every((coordinate) => coordinate.certified) };
}

/** Ω_i = diag(ω_{i,m}) from the optimum's per-coordinate cone points, with P* = Nᵀ M⁻¹ for them. */
export function keyVectorOptimalModel(task: Task, optimum: KeyVectorOptimum): { Omegas: number[][][]; P: Matrix } {
  const Omegas = diagonalWeights(
    floatField,
    optimum.coordinates.map((coordinate) => coordinate.omega),
  );
  return { Omegas, P: matrixWeightedOptimalPreconditioner(riskInputs(task), Omegas) };
}

export interface RationalKeyCoordinate {
  lambda: Fraction;
  mu: Fraction;
  ratio: Fraction;
  omega: Fraction[];
  certified: boolean;
}

/** Exact L*_key = c − Σ_m λ_m max_K (ωᵀr)²/(ωᵀQ_mω) for rational inputs with diagonal Σ. */
export function rationalKeyVectorOptimum(inputs: RiskInputs<Fraction>): { risk: Fraction; coordinates: RationalKeyCoordinate[]; certified: boolean } {
  const { Sigma, Rn, r, sigma2 } = inputs;
  Sigma.forEach((row, a) =>
    row.forEach((value, b) => {
      if (a !== b && !value.equals(0)) {
        throw new InputError(`Σ[${a}][${b}]`, 'is not 0', value.toFraction(), 'the per-coordinate split needs a diagonal Σ');
      }
    }),
  );
  const c = Sigma.reduce((acc, row, m) => acc.add(row[m]), q(0)).add(sigma2);
  const coordinates = Sigma.map((row, m) => {
    const lambda = row[m];
    const mu = q(1).add(c.div(lambda));
    const solution = rationalConeQuadraticMax(
      Rn.map((line, i) => line.map((value, j) => (i === j ? value.add(mu) : value))),
      [...r],
    );
    return { lambda, mu, ratio: solution.ratio, omega: solution.omega, certified: solution.certified };
  });
  const gain = coordinates.reduce((acc, coordinate) => acc.add(coordinate.lambda.mul(coordinate.ratio)), q(0));
  return { risk: c.sub(gain), coordinates, certified: coordinates.every((coordinate) => coordinate.certified) };
}
