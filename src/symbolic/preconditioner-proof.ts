import { adjugate, cofactorDeterminant } from '../algebra/cofactors.ts';
import { InputError } from '../core/errors.ts';
import { fieldMatmul, fieldRiskCoefficients } from '../theory/risk-field.ts';
import { GaussianExpectation, correlationEntry, noiseVariance, sigmaEntry } from './gaussian.ts';
import type { ProvedIdentity } from './identity.ts';
import { Polynomial } from './polynomial.ts';
import { polynomialField as F } from './polynomial-field.ts';
import { wpgdLoss } from './risk-proof.ts';

/**
 * P-STAR from the derived risk. E(P) = E[(y − xᵀ P Xᵀ(ω ⊙ y))²] is derived by
 * Isserlis' theorem with Σ, R, P, ω and σ² symbolic (no closed form is
 * assumed), then differentiated in P:
 * 1. every second derivative is free of P and ∂²E/∂P_ki∂P_lj = 2 Σ_kl M_ij with
 *    M = aΣ² + bΣ, a = ωᵀR_nω + ‖ω‖², b = ‖ω‖²(tr Σ + σ²): the Hessian is 2 M ⊗ Σ;
 * 2. with D = det(aΣ + bI) and P* = s adj(aΣ + bI)/D, s = ωᵀr, the gradient is
 *    affine in P, so D·∇E(P*) = D·∇E(0) + H·vec(s adj(aΣ + bI)) must be the zero
 *    polynomial;
 * 3. for d = 2, det M = det Σ (a² det Σ + ab tr Σ + b²) and
 *    M_11 = a(Σ_11² + Σ_12²) + b Σ_11, which are positive for Σ ≻ 0, a, b > 0.
 * Each identity is a polynomial that must expand to zero. A nonzero remainder
 * is kept, so a wrong P* or a wrong Hessian is shown, not hidden.
 */

export interface PreconditionerProof {
  readonly d: number;
  readonly n: number;
  readonly identities: readonly ProvedIdentity[];
  /** Terms of the derived expectation E(P). */
  readonly expectationTerms: number;
  readonly matchings: number;
  readonly milliseconds: number;
}

const pName = (k: number, i: number) => `P_${k}_${i}`;

/** E(P) derived by Isserlis' theorem, every input symbolic. */
function derivedRisk(d: number, n: number): { expectation: Polynomial; matchings: number } {
  const { expectation, matchings } = new GaussianExpectation({ queryIndex: n + 1 }).expect(wpgdLoss(d, n));
  return { expectation, matchings };
}

/** a, b, s of the RISK closed form, from the toolkit's own formula over polynomials. */
function riskScalars(d: number, n: number): { a: Polynomial; b: Polynomial; s: Polynomial; Sigma: Polynomial[][] } {
  const range = (size: number) => Array.from({ length: size }, (_, i) => i + 1);
  const Sigma = range(d).map((k) => range(d).map((l) => sigmaEntry(k, l)));
  const Rn = range(n).map((i) => range(n).map((j) => correlationEntry(i, j)));
  const r = range(n).map((i) => correlationEntry(i, n + 1));
  const omega = range(n).map((i) => Polynomial.variable(`w_${i}`));
  return { ...fieldRiskCoefficients(F, { Sigma, Rn, r, sigma2: noiseVariance }, omega), Sigma };
}

/** Proves P* = (ωᵀr)(aΣ + bI)⁻¹ stationary with Hessian 2 M ⊗ Σ, from the derived risk. */
export function provePreconditionerOptimum(d: number, n: number): PreconditionerProof {
  for (const [name, value] of [['d', d], ['n', n]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new InputError(name, 'is not a positive integer', value, `pass ${name} ≥ 1`);
  }
  if (d > 3) throw new InputError('d', 'is above the cofactor limit 3', d, 'pass d ≤ 3: the adjugate is expanded by cofactors');
  const started = performance.now();
  const { expectation, matchings } = derivedRisk(d, n);
  const { a, b, s, Sigma } = riskScalars(d, n);
  const indices = Array.from({ length: d * d }, (_, t) => [Math.floor(t / d) + 1, (t % d) + 1] as const);
  const gradient = indices.map(([k, i]) => expectation.derivative(pName(k, i)));
  const hessian = gradient.map((g) => indices.map(([l, j]) => g.derivative(pName(l, j))));
  const M = fieldMatmul(F, Sigma, Sigma).map((row, i) => row.map((value, j) => a.mul(value).add(b.mul(Sigma[i][j]))));
  const identities: ProvedIdentity[] = [];

  indices.forEach(([k, i], row) =>
    indices.forEach(([l, j], column) => {
      identities.push({ identity: `∂²E/∂P_${k}_${i}∂P_${l}_${j} − 2 Σ_${k}${l} M_${i}${j}`, remainder: hessian[row][column].sub(Sigma[k - 1][l - 1].mul(M[i - 1][j - 1]).scale(2)) });
    }),
  );

  const shifted = Sigma.map((rowValues, i) => rowValues.map((value, j) => (i === j ? a.mul(value).add(b) : a.mul(value))));
  const D = cofactorDeterminant(F, shifted);
  const adj = adjugate(F, shifted);
  const zeroP = new Map(indices.map(([k, i]) => [pName(k, i), Polynomial.zero()]));
  gradient.forEach((g, row) => {
    let value = D.mul(g.substitute(zeroP));
    indices.forEach(([l, j], column) => (value = value.add(hessian[row][column].mul(s).mul(adj[l - 1][j - 1]))));
    identities.push({ identity: `D·∂E/∂P_${indices[row][0]}_${indices[row][1]} at P*`, remainder: value });
  });
  identities.push({ identity: 'adj(aΣ + bI)·(aΣ + bI) − D·I', remainder: matrixRemainder(fieldMatmul(F, adj, shifted), D) });

  if (d === 2) {
    const detSigma = cofactorDeterminant(F, Sigma);
    const traceSigma = Sigma[0][0].add(Sigma[1][1]);
    const expectedDet = detSigma.mul(a.mul(a).mul(detSigma).add(a.mul(b).mul(traceSigma)).add(b.mul(b)));
    identities.push({ identity: 'det M − det Σ (a² det Σ + ab tr Σ + b²)', remainder: cofactorDeterminant(F, M).sub(expectedDet) });
    const expectedCorner = a.mul(Sigma[0][0].pow(2).add(Sigma[0][1].pow(2))).add(b.mul(Sigma[0][0]));
    identities.push({ identity: 'M_11 − (a(Σ_11² + Σ_12²) + b Σ_11)', remainder: M[0][0].sub(expectedCorner) });
  }
  return { d, n, identities, expectationTerms: expectation.termCount, matchings, milliseconds: performance.now() - started };
}

/** Sums the entries of A − c I, each times its own tag variable, so no two entries can cancel. */
function matrixRemainder(A: Polynomial[][], c: Polynomial): Polynomial {
  let total = Polynomial.zero();
  A.forEach((row, i) =>
    row.forEach((value, j) => {
      const entry = i === j ? value.sub(c) : value;
      total = total.add(entry.mul(Polynomial.variable(`tag_${i + 1}_${j + 1}`)));
    }),
  );
  return total;
}
