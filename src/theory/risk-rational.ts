import type { Fraction } from 'mathjs';
import { rationalField } from '../algebra/field.ts';
import {
  q,
  rationalCombine,
  rationalIdentity,
  rationalInverse,
  rationalMatmul,
  rationalTrace,
  type RationalMatrix,
} from '../algebra/rational-matrix.ts';
import { fieldRiskCoefficients, type RiskInputs } from './risk-field.ts';

/** (a Σ + b I)^{-1}, exactly. */
function shiftedInverse(Sigma: RationalMatrix, a: Fraction, b: Fraction): RationalMatrix {
  return rationalInverse(rationalCombine(a, Sigma, b, rationalIdentity(Sigma.length)));
}

/** P*(ω) = (ωᵀ r) (a Σ + b I)^{-1} in exact rationals (ω ≠ 0). */
export function rationalOptimalPreconditioner(inputs: RiskInputs<Fraction>, omega: readonly Fraction[]): RationalMatrix {
  const { a, b, s } = fieldRiskCoefficients(rationalField, inputs, omega);
  return shiftedInverse(inputs.Sigma, a, b).map((row) => row.map((value) => value.mul(s)));
}

/** Reduced risk L(ω) = tr Σ + σ² − (ωᵀ r)² tr(Σ² (a Σ + b I)^{-1}) in exact rationals (ω ≠ 0). */
export function rationalReducedRisk(inputs: RiskInputs<Fraction>, omega: readonly Fraction[]): Fraction {
  const { a, b, s } = fieldRiskCoefficients(rationalField, inputs, omega);
  const Sigma2 = rationalMatmul(inputs.Sigma, inputs.Sigma);
  const gain = rationalTrace(rationalMatmul(Sigma2, shiftedInverse(inputs.Sigma, a, b)));
  return rationalTrace(inputs.Sigma).add(inputs.sigma2).sub(s.mul(s).mul(gain));
}

/** Zero as a Fraction, for comparisons that read well. */
export const RATIONAL_ZERO = q(0);
