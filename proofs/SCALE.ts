import { rationalField } from '../src/algebra/field.ts';
import { q, showRational } from '../src/algebra/rational-matrix.ts';
import fc from 'fast-check';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { runProperty } from '../src/claims/property.ts';
import { resultFromMetrics } from '../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Claim, Json } from '../src/claims/types.ts';
import { Random } from '../src/data/random.ts';
import { randomFloatInstance, randomMatrix, randomRational, randomRationalRiskInstance } from '../src/data/instances.ts';
import { fieldRisk } from '../src/theory/risk-field.ts';
import { risk, riskRoundingScale } from '../src/theory/risk.ts';

/**
 * SCALE: L(cP, ω/c) = L(P, ω) for every c ≠ 0. In the closed form a and b are
 * quadratic in ω and ωᵀr linear, so (a, b, ωᵀr) → (a, b, ωᵀr)/c², /c², /c while
 * P → cP multiplies the linear term by c and the quadratic term by c².
 */

/** Exact: rational Σ, R, σ², P, ω and c ≠ 0 (negative included); the difference must be the rational 0. */
function exactCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 60, standard: 300, thorough: 1500 });
  let nonzero = 0;
  let firstNonzero: Json = null;
  for (let t = 0; t < count; t++) {
    const { d, n, inputs, omega } = randomRationalRiskInstance(random, t);
    const P = Array.from({ length: d }, () => Array.from({ length: d }, () => randomRational(random, 6, 5)));
    let c = randomRational(random, 9, 7);
    if (c.equals(0)) c = q(-1);
    const scaled = fieldRisk(
      rationalField,
      inputs,
      P.map((row) => row.map((value) => value.mul(c))),
      omega.map((value) => value.div(c)),
    );
    const difference = scaled.sub(fieldRisk(rationalField, inputs, P, omega));
    if (!difference.equals(0)) {
      nonzero++;
      firstNonzero ??= { d, n, c: showRational(c), difference: showRational(difference) };
    }
    context.progress((t + 1) / count);
  }
  return resultFromMetrics(
    {
      pass: `L(cP, ω/c) − L(P, ω) is exactly 0 on ${count} rational instances (c ≠ 0 of both signs, general and block R).`,
      fail: `L(cP, ω/c) ≠ L(P, ω) on ${nonzero} of ${count} rational instances.`,
    },
    [{ name: 'instances with nonzero exact difference', value: nonzero, threshold: 0, comparison: '==' }],
    { instances: count, firstNonzero, tolerance: 'none: exact rational arithmetic, the difference must be 0' },
  );
}

/** float64: relative to the size of the terms of L, the two sides agree to 1e-12. */
function propertyCheck(context: CheckContext): CheckResult {
  return runProperty(context, {
    arbitrary: fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      logC: fc.double({ min: -6, max: 6, noNaN: true }),
      negative: fc.boolean(),
    }),
    evaluate: ({ seed, logC, negative }) => {
      const { task, omega, random } = randomFloatInstance(seed);
      const P = randomMatrix(random, task.d, task.d);
      const c = (negative ? -1 : 1) * Math.exp(logC);
      const original = risk(task, P, omega);
      const scaledP = P.map((row) => row.map((value) => c * value));
      const scaledOmega = omega.map((value) => value / c);
      const scaled = risk(task, scaledP, scaledOmega);
      const magnitude = Math.max(riskRoundingScale(task, P, omega), riskRoundingScale(task, scaledP, scaledOmega));
      return { error: Math.abs(scaled - original), allowed: 1e-13 * magnitude, note: `c = ${c}` };
    },
    numRuns: byEffort(context.effort, { quick: 300, standard: 3000, thorough: 30000 }),
    tolerance:
      '|L(cP, ω/c) − L(P, ω)| ≤ 1e-13 × S, where S is the closed form evaluated on absolute values (riskRoundingScale, the larger of the two sides): each side errs by at most a few hundred ε × S for d ≤ 4, n ≤ 6 (the |A||B| bound for matrix products), which holds for Σ with condition numbers up to 1e8 where the value itself can be far smaller than S.',
    describe: (input) => ({ ...input }),
    compared: 'L(cP, ω/c) vs L(P, ω) for c = ±e^{t}, |t| ≤ 6, random Σ, R (general or block), σ², P, ω',
  });
}

const checks: Check[] = [
  { id: 'exact', kind: 'exact', title: 'L(cP, ω/c) − L(P, ω) = 0 exactly on rational instances', run: exactCheck },
  { id: 'property', kind: 'property', title: 'L(cP, ω/c) = L(P, ω) in float64 for c over twelve orders of magnitude, both signs', run: propertyCheck },
];

/**
 * Drops the model: the closed form is evaluated on arbitrary rational inputs.
 * L(cP, ω/c) = L(P, ω) still holds exactly, because every term pairs one power
 * of P with the same power of ω; the probe is expected to find no failure.
 */
function* offModelScaleInstances(random: Random, count: number): Generator<ProbeOutcome> {
  const matrix = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => randomRational(random, 9, 5)));
  for (let index = 0; index < count; index++) {
    const d = random.integer(1, 3);
    const n = random.integer(1, 4);
    const inputs = { Sigma: matrix(d, d), Rn: matrix(n, n), r: matrix(1, n)[0], sigma2: randomRational(random, 9, 5).neg().abs().neg() };
    const P = matrix(d, d);
    const omega = matrix(1, n)[0];
    let c = randomRational(random, 9, 5);
    if (c.equals(0)) c = q(3, 2);
    const left = fieldRisk(rationalField, inputs, P.map((row) => row.map((value) => value.mul(c))), omega.map((value) => value.div(c)));
    const right = fieldRisk(rationalField, inputs, P, omega);
    yield {
      input: { d, n, c: showRational(c), sigma2: showRational(inputs.sigma2) },
      holds: left.equals(right),
      note: `L(cP, ω/c) = ${showRational(left)} but L(P, ω) = ${showRational(right)}`,
    };
  }
}

export const claim: Claim = {
  id: 'SCALE',
  title: 'The WPGD risk is invariant under (P, ω) → (cP, ω/c)',
  paperResult: 'Minimisers of the WPGD risk are unique only up to scaling: rescaling the weights can be undone by the preconditioner.',
  statement: '$L(cP, \\omega / c) = L(P, \\omega)$ for every $c \\neq 0$, every $P \\in \\mathbb{R}^{d \\times d}$ and every $\\omega \\in \\mathbb{R}^n$.',
  hypotheses: [
    {
      id: 'model',
      statement: 'The multitask model with $\\Sigma \\succ 0$, a correlation matrix $R$ and $\\sigma^2 \\ge 0$; $L$ is the closed form of RISK.',
      probe: {
        violation: 'Σ, R_n, r and σ² arbitrary rationals: Σ and R not symmetric or not positive semidefinite, σ² < 0',
        run: (context) => searchProbe(context, { instances: offModelScaleInstances(new Random(context.seed), byEffort(context.effort, { quick: 20, standard: 100, thorough: 500 })), sampled: 'arbitrary rational inputs, exact arithmetic' }),
      },
    },
  ],
  checks,
};
