import { InputError } from '../core/errors.ts';
import { fieldRisk, fieldRiskCoefficients } from '../theory/risk-field.ts';
import { GaussianExpectation, correlationEntry, noiseVariance } from './gaussian.ts';
import type { ProvedIdentity } from './identity.ts';
import { Polynomial } from './polynomial.ts';
import { polynomialField as F } from './polynomial-field.ts';
import { labelPolynomial } from './risk-proof.ts';

/**
 * KEY-VEC-ISOTROPIC's decoupling, derived. Key-vector gating under
 * construction C is WPGD with per-coordinate weights, ŷ = xᵀ P Σ_i D_i x_i y_i,
 * D_i = diag(ω_{i,1..d}). With Σ = I the engine derives E[(y − ŷ)²] and the
 * proof checks
 * 1. no monomial contains weights of two different coordinates (no cross terms);
 * 2. E = d + σ² + Σ_b [−2 P_bb s_b + (Σ_a P_ab²)(a_b + b_b)], where s_b, a_b, b_b
 *    are RISK's s, a, b for coordinate b's sequence ω_b = (ω_{1,b}..ω_{n,b});
 * 3. each coordinate's term is scalar-gating RISK: d(−2p s_b + p²(a_b + b_b)) + d + σ²
 *    = L(pI, ω_b) at Σ = I.
 * So the risk splits into one scalar-gating problem per coordinate.
 */

export interface KeyVectorProof {
  readonly d: number;
  readonly n: number;
  readonly identities: readonly ProvedIdentity[];
  readonly lossTerms: number;
  readonly expectationTerms: number;
  readonly matchings: number;
  readonly milliseconds: number;
}

const weight = (i: number, b: number) => Polynomial.variable(`w_${i}_${b}`);
const WEIGHT_NAME = /^w_(\d+)_(\d+)$/;

/** ŷ = Σ_{a,b} x_a P_ab Σ_i ω_{i,b} x_{i,b} y_i. */
function keyVectorPrediction(d: number, n: number): Polynomial {
  const labels = Array.from({ length: n }, (_, i) => labelPolynomial(i + 1, d));
  let prediction = Polynomial.zero();
  for (let b = 1; b <= d; b++) {
    let column = Polynomial.zero();
    for (let i = 1; i <= n; i++) column = column.add(weight(i, b).mul(Polynomial.variable(`x_${i}_${b}`)).mul(labels[i - 1]));
    for (let a = 1; a <= d; a++) prediction = prediction.add(Polynomial.variable(`xq_${a}`).mul(Polynomial.variable(`P_${a}_${b}`)).mul(column));
  }
  return prediction;
}

/** Σ = I: S_a_a → 1, S_a_b → 0. */
function isotropic(d: number): Map<string, Polynomial> {
  const values = new Map<string, Polynomial>();
  for (let a = 1; a <= d; a++) for (let b = a; b <= d; b++) values.set(`S_${a}_${b}`, Polynomial.constant(a === b ? 1 : 0));
  return values;
}

/** Collects the terms whose weights come from two or more coordinates. */
function crossTerms(expectation: Polynomial): Polynomial {
  return Polynomial.fromTerms(
    [...expectation.terms.values()].filter((term) => {
      const coordinates = new Set(term.powers.flatMap(([name]) => {
        const match = WEIGHT_NAME.exec(name);
        return match === null ? [] : [match[2]];
      }));
      return coordinates.size > 1;
    }),
  );
}

/**
 * Derives E[loss] and the three identities. `isotropicFeatures` = false keeps Σ
 * symbolic, where the theorem makes no claim and cross terms do appear.
 */
export function proveKeyVectorDecoupling(d: number, n: number, isotropicFeatures = true): KeyVectorProof {
  for (const [name, value] of [['d', d], ['n', n]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new InputError(name, 'is not a positive integer', value, `pass ${name} ≥ 1`);
  }
  const started = performance.now();
  const loss = labelPolynomial('q', d).sub(keyVectorPrediction(d, n)).pow(2);
  const derived = new GaussianExpectation({ queryIndex: n + 1 }).expect(loss);
  const expectation = isotropicFeatures ? derived.expectation.substitute(isotropic(d)) : derived.expectation;
  const identities: ProvedIdentity[] = [{ identity: 'terms of E[loss] mixing weights of two coordinates', remainder: crossTerms(expectation) }];

  const range = (size: number) => Array.from({ length: size }, (_, i) => i + 1);
  const identity = range(d).map((a) => range(d).map((b) => Polynomial.constant(a === b ? 1 : 0)));
  const inputs = { Sigma: identity, Rn: range(n).map((i) => range(n).map((j) => correlationEntry(i, j))), r: range(n).map((i) => correlationEntry(i, n + 1)), sigma2: noiseVariance };
  const P = (a: number, b: number) => Polynomial.variable(`P_${a}_${b}`);
  const p = Polynomial.variable('p');
  let split = Polynomial.constant(d).add(noiseVariance);
  for (const b of range(d)) {
    const omega = range(n).map((i) => weight(i, b));
    const { a, b: bCoefficient, s } = fieldRiskCoefficients(F, inputs, omega);
    const curvature = a.add(bCoefficient);
    const columnNorm = range(d).reduce((sum, row) => sum.add(P(row, b).pow(2)), Polynomial.zero());
    split = split.add(P(b, b).mul(s).scale(-2)).add(columnNorm.mul(curvature));
    const scalarRisk = fieldRisk(F, inputs, identity.map((row) => row.map((entry) => entry.mul(p))), omega);
    const coordinateTerm = p.mul(s).scale(-2).add(p.pow(2).mul(curvature)).scale(d).add(Polynomial.constant(d)).add(noiseVariance);
    identities.push({ identity: `coordinate ${b}: d(−2p s_b + p²(a_b + b_b)) + d + σ² − L(pI, ω_b)`, remainder: coordinateTerm.sub(scalarRisk) });
  }
  identities.splice(1, 0, { identity: 'E[loss] − (d + σ² + Σ_b [−2 P_bb s_b + (Σ_a P_ab²)(a_b + b_b)])', remainder: expectation.sub(split) });
  return { d, n, identities, lossTerms: loss.termCount, expectationTerms: expectation.termCount, matchings: derived.matchings, milliseconds: performance.now() - started };
}
