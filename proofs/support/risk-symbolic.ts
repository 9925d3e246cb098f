import { byEffort } from '../../src/claims/effort.ts';
import type { Check, CheckContext, CheckResult, Effort, Json } from '../../src/claims/types.ts';
import { correlationEntry, GaussianExpectation, noiseVariance, sigmaEntry } from '../../src/symbolic/gaussian.ts';
import { Polynomial } from '../../src/symbolic/polynomial.ts';
import { polynomialField } from '../../src/symbolic/polynomial-field.ts';
import { wpgdLoss } from '../../src/symbolic/risk-proof.ts';
import { fieldRisk } from '../../src/theory/risk-field.ts';

/**
 * RISK derived, not sampled: E[(y − xᵀ P Xᵀ (ω ⊙ y))²] by Isserlis' theorem,
 * every entry of Σ (symmetric), R, P, ω and σ² a symbol, minus the toolkit's
 * own closed form (theory/risk-field.ts evaluated over polynomials). A zero
 * remainder proves the closed form for that (d, n); any edit to the formula's
 * coefficients leaves a nonzero remainder, which the check prints.
 */

/** Sizes proved at each effort: every size the statement is checked at, smallest first. */
const SIZES: Record<Effort, readonly (readonly [number, number])[]> = {
  quick: [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3]],
  standard: [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3], [2, 5], [3, 3]],
  thorough: [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3], [2, 5], [3, 3], [4, 3], [3, 5]],
};

/** Maximum characters of a remainder printed in a counterexample. */
const MAX_REMAINDER_CHARS = 600;

/** Builds the toolkit's closed form with symbolic inputs: S_a_b = S_b_a, R_i_j with R_i_i = 1, P_a_b, w_i, sigma2. */
function symbolicClosedForm(d: number, n: number): Polynomial {
  const range = (size: number) => Array.from({ length: size }, (_, i) => i + 1);
  const Sigma = range(d).map((a) => range(d).map((b) => sigmaEntry(a, b)));
  const Rn = range(n).map((i) => range(n).map((j) => correlationEntry(i, j)));
  const r = range(n).map((i) => correlationEntry(i, n + 1));
  const P = range(d).map((a) => range(d).map((b) => Polynomial.variable(`P_${a}_${b}`)));
  const omega = range(n).map((i) => Polynomial.variable(`w_${i}`));
  return fieldRisk(polynomialField, { Sigma, Rn, r, sigma2: noiseVariance }, P, omega);
}

interface SizeProof {
  d: number;
  n: number;
  remainder: Polynomial;
  lossTerms: number;
  matchings: number;
  expectationTerms: number;
  milliseconds: number;
}

function proveSize(d: number, n: number): SizeProof {
  const started = performance.now();
  const loss = wpgdLoss(d, n);
  const { expectation, matchings } = new GaussianExpectation({ queryIndex: n + 1 }).expect(loss);
  const remainder = expectation.sub(symbolicClosedForm(d, n));
  return { d, n, remainder, lossTerms: loss.termCount, matchings, expectationTerms: expectation.termCount, milliseconds: performance.now() - started };
}

function certificate(proof: SizeProof): string {
  return (
    `$d = ${proof.d},\\ n = ${proof.n}$: $\\mathbb E\\big[(y - x^\\top P X^\\top(\\omega \\odot y))^2\\big] - L(P, \\omega) = 0$ ` +
    `with $\\Sigma, R, P, \\omega, \\sigma^2$ symbolic (${proof.lossTerms} loss monomials, ${proof.matchings} Isserlis matchings, ` +
    `${proof.expectationTerms} monomials in the expectation, ${proof.milliseconds.toFixed(0)} ms)`
  );
}

function isserlisCheck(context: CheckContext): CheckResult {
  const sizes = byEffort(context.effort, SIZES);
  const proofs: SizeProof[] = [];
  for (const [index, [d, n]] of sizes.entries()) {
    proofs.push(proveSize(d, n));
    context.progress((index + 1) / sizes.length);
  }
  const rows: Json[] = proofs.map((proof) => ({ d: proof.d, n: proof.n, lossMonomials: proof.lossTerms, matchings: proof.matchings, expectationMonomials: proof.expectationTerms, zero: proof.remainder.isZero() }));
  const failed = proofs.find((proof) => !proof.remainder.isZero());
  const metrics = [
    { name: 'sizes proved', value: proofs.filter((proof) => proof.remainder.isZero()).length, threshold: proofs.length, comparison: '==' as const },
    { name: 'largest size (d, n)', value: `(${proofs.at(-1)!.d}, ${proofs.at(-1)!.n})` },
  ];
  if (failed) {
    const remainder = failed.remainder.toString();
    const shown = remainder.length > MAX_REMAINDER_CHARS ? `${remainder.slice(0, MAX_REMAINDER_CHARS)} … (${failed.remainder.termCount} terms)` : remainder;
    return {
      status: 'failed',
      summary: `At d = ${failed.d}, n = ${failed.n} the derived expectation minus the closed form is not zero: ${failed.remainder.termCount} monomials remain.`,
      metrics,
      details: { sizes: rows },
      counterexample: {
        input: { d: failed.d, n: failed.n, remainder: shown },
        failure: `E[loss] − L(P, ω) = ${shown}`,
        replay: context.replayCommand,
        hints: [
          'The remainder names the monomials the closed form gets wrong; compare them with the terms of theory/risk-field.ts.',
          'The expectation uses only Isserlis pairings of the model of THEORY §3, so a remainder points at the closed form, not at sampling noise.',
        ],
      },
    };
  }
  return {
    status: 'verified',
    summary: `Isserlis' theorem gives E[loss] equal to the closed form exactly for every (d, n) in ${proofs.map((proof) => `(${proof.d}, ${proof.n})`).join(', ')}, with all of Σ, R, P, ω and σ² symbolic.`,
    metrics,
    details: {
      sizes: rows,
      method: 'sparse polynomials with BigInt rational coefficients; E[monomial] factored over independent groups (x_i, x, each coordinate of β, each ξ), each group by Isserlis pairings; Σ symmetric (S_a_b = S_b_a), R_ii = 1',
    },
    certificates: proofs.map(certificate),
  };
}

export const isserlisRiskCheck: Check = {
  id: 'symbolic-isserlis',
  kind: 'symbolic',
  title: "E[loss] derived by Isserlis' theorem equals the closed form, every parameter a symbol",
  run: isserlisCheck,
};
