import fc from 'fast-check';
import type { Fraction } from 'mathjs';
import { q, rationalIdentity, rationalSolve, showRational } from '../src/algebra/rational-matrix.ts';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { lineAngle } from '../src/linalg/dense.ts';
import { anisotropicTask, globalOptimum } from './support/landscape-probes.ts';
import { singleTaskSymbolicCheck } from './support/block-symbolic.ts';
import { runProperty } from '../src/claims/property.ts';
import { resultFromMetrics } from '../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Claim, Json } from '../src/claims/types.ts';
import { blockCorrelation, singleTaskCorrelation } from '../src/data/correlation.ts';
import { isotropicCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { rationalRiskInputs } from '../src/data/instances.ts';
import { isotropicOptimum, singleTaskOptimalRisk } from '../src/theory/isotropic.ts';
import { rationalReducedRisk } from '../src/theory/risk-rational.ts';
import { makeTask, reducedRisk } from '../src/theory/risk.ts';

/**
 * SINGLE-TASK: R = 1 1ᵀ, Σ = I. The general optimum ω* ∝ (R_n + (d + 1 + σ²) I)^{-1} r
 * with R_n = 1 1ᵀ and r = 1 is, by Sherman–Morrison, 1/(n + d + 1 + σ²) · 1, and
 * L* = d + σ² − d rᵀω* = d + σ² − n d / (n + d + 1 + σ²); at σ = 0, d(d + 1)/(n + d + 1).
 */

/** Exact: solve (1 1ᵀ + μ I) ω = 1 in rationals and compare ω*, L* and the reduced risk with the closed forms. */
function exactCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 40, standard: 200, thorough: 1000 });
  let failures = 0;
  let first: Json = null;
  for (let t = 0; t < count; t++) {
    const n = random.integer(1, 8);
    const d = random.integer(1, 5);
    const sigma2 = t % 4 === 0 ? q(0) : q(random.integer(1, 20), random.integer(1, 6));
    const mu = sigma2.add(d + 1);
    const Rn = Array.from({ length: n }, () => Array.from({ length: n }, () => q(1)));
    const shifted = Rn.map((row, i) => row.map((value, j) => (i === j ? value.add(mu) : value)));
    const ones = Array.from({ length: n }, () => q(1));
    const omega = rationalSolve(shifted, ones);
    const proportional = omega.every((value) => value.equals(omega[0]));
    const shermanMorrison = omega[0].equals(q(1).div(mu.add(n)));
    const dotR = omega.reduce((acc, value) => acc.add(value), q(0));
    const Lstar = sigma2.add(d).sub(dotR.mul(d));
    const expected = sigma2.add(d).sub(q(n * d).div(mu.add(n)));
    const noiseless = sigma2.equals(0) ? Lstar.equals(q(d * (d + 1), n + d + 1)) : true;
    // the reduced risk of the multitask model at ω* (Σ = I, R = 1 1ᵀ) must be the same L*
    const R: Fraction[][] = Array.from({ length: n + 1 }, () => Array.from({ length: n + 1 }, () => q(1)));
    const reduced = rationalReducedRisk(rationalRiskInputs(rationalIdentity(d), R, sigma2), omega);
    const ok = proportional && shermanMorrison && Lstar.equals(expected) && noiseless && reduced.equals(expected);
    if (!ok) {
      failures++;
      first ??= { n, d, sigma2: showRational(sigma2), omega: omega.map(showRational), Lstar: showRational(Lstar), expected: showRational(expected), reduced: showRational(reduced) };
    }
    context.progress((t + 1) / count);
  }
  return resultFromMetrics(
    {
      pass: `On ${count} rational (n, d, σ²), (1 1ᵀ + (d+1+σ²)I)^{-1} 1 = 1/(n+d+1+σ²) · 1 and L* = d + σ² − nd/(n+d+1+σ²) exactly (= d(d+1)/(n+d+1) at σ = 0), equal to the reduced risk at ω*.`,
      fail: `The single-task optimum disagrees with the closed form on ${failures} of ${count} instances.`,
    },
    [{ name: 'instances that disagree', value: failures, threshold: 0, comparison: '==' }],
    { instances: count, first, tolerance: 'none: exact rational arithmetic' },
  );
}

/** float64: no random ω has reduced risk below L*. */
function propertyCheck(context: CheckContext): CheckResult {
  return runProperty(context, {
    arbitrary: fc.record({
      n: fc.integer({ min: 1, max: 10 }),
      d: fc.integer({ min: 1, max: 5 }),
      sigma2: fc.double({ min: 0, max: 4, noNaN: true }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      spread: fc.double({ min: 0, max: 2, noNaN: true }),
    }),
    evaluate: ({ n, d, sigma2, seed, spread }) => {
      const random = new Random(seed);
      const task = makeTask(isotropicCovariance(d), singleTaskCorrelation(n), sigma2);
      // ω = 1 + spread · Gaussian: near and far from the optimum
      const omega = Array.from({ length: n }, () => 1 + spread * random.normal());
      const Lstar = singleTaskOptimalRisk(d, n, sigma2);
      const below = Math.max(0, Lstar - reducedRisk(task, omega));
      return { error: below, allowed: 1e-12 * (d + sigma2), note: `L(ω) = ${reducedRisk(task, omega)}, L* = ${Lstar}` };
    },
    numRuns: byEffort(context.effort, { quick: 500, standard: 5000, thorough: 50000 }),
    tolerance: 'L(ω) ≥ L* − 1e-12 (d + σ²): both are d + σ² minus a gain computed in a few dozen float64 operations, so round-off is below 1e-14 (d + σ²).',
    describe: (input) => ({ ...input }),
    compared: 'reduced risk of random ω vs L* = d + σ² − nd/(n + d + 1 + σ²)',
  });
}

const checks: Check[] = [
  singleTaskSymbolicCheck,
  { id: 'exact', kind: 'exact', title: 'the general optimum is ∝ 1 and gives L* exactly (Sherman–Morrison) for many rational (n, d, σ²)', run: exactCheck },
  { id: 'property', kind: 'property', title: 'float64: no random ω has reduced risk below L*', run: propertyCheck },
];

/** Relative tolerance for comparing two float64 evaluations of optimal risks. */
const PROBE_RTOL = 1e-9;

/** Drops R = 1 1ᵀ: one block sharing a task whose correlation with the query is ρ < 1. L* then differs from the formula. */
function* partialTaskInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const n = 1 + index;
    const d = 1 + (index % 3);
    const sigma2 = 0.5 * random.uniform();
    const rho = 0.1 + 0.8 * random.uniform();
    const task = makeTask(isotropicCovariance(d), blockCorrelation([n], [rho]), sigma2);
    const optimum = isotropicOptimum(task).risk;
    const formula = singleTaskOptimalRisk(d, n, sigma2);
    yield {
      input: { d, n, rho, sigma2 },
      holds: Math.abs(optimum - formula) <= PROBE_RTOL * (d + sigma2),
      note: `with ρ = ${rho.toFixed(4)} the optimum is L* = ${optimum}, not d + σ² − nd/(n + d + 1 + σ²) = ${formula}; ω* ∝ 1 still holds (one block)`,
    };
  }
}

/** Drops Σ = I, keeping tr Σ = d: the optimum (CURVE search) against the formula, and whether ω* ∝ 1 survives. */
function* anisotropicSingleTaskInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const n = 1 + index;
    const d = 2 + (index % 3);
    const sigma2 = 0.5 * random.uniform();
    const task = anisotropicTask(random, d, singleTaskCorrelation(n), sigma2);
    const optimum = globalOptimum(task);
    const formula = singleTaskOptimalRisk(d, n, sigma2);
    const constant = lineAngle(optimum.omega, new Array<number>(n).fill(1)) <= 1e-8;
    yield {
      input: { d, n, eigenvalues: task.covariance.eigenvalues, sigma2 },
      holds: Math.abs(optimum.risk - formula) <= PROBE_RTOL * (d + sigma2),
      note: `the optimum is L* = ${optimum.risk}, not the formula's ${formula}; ω* ∝ 1 ${constant ? 'still holds' : 'fails too'}`,
    };
  }
}

export const claim: Claim = {
  id: 'SINGLE-TASK',
  title: 'Single task with isotropic features: uniform weights are optimal',
  paperResult: 'With one shared task the optimal WPGD is ordinary (unweighted) preconditioned gradient descent, recovering the known optimum of one-layer linear attention.',
  statement:
    'For $R = \\mathbf 1 \\mathbf 1^\\top$ and $\\Sigma = I$: $\\omega^* \\propto \\mathbf 1$ and $L^* = d + \\sigma^2 - \\frac{n d}{n + d + 1 + \\sigma^2}$; at $\\sigma = 0$, $L^* = \\frac{d(d+1)}{n + d + 1}$.',
  hypotheses: [
    {
      id: 'single-task',
      statement: 'Every example shares the query task: $R = \\mathbf 1 \\mathbf 1^\\top$.',
      probe: {
        violation: 'one task for all examples but a query task with correlation ρ < 1 to it',
        run: (context) => searchProbe(context, { instances: partialTaskInstances(new Random(context.seed), byEffort(context.effort, { quick: 5, standard: 20, thorough: 100 })), sampled: 'Σ = I, one block with ρ ∈ (0, 1)', details: { tolerance: `relative ${PROBE_RTOL}` } }),
      },
    },
    {
      id: 'isotropic',
      statement: '$\\Sigma = I_d$, noise variance $\\sigma^2 \\ge 0$.',
      probe: {
        violation: 'diagonal Σ with eigenvalues over four decades and tr Σ = d',
        run: (context) => searchProbe(context, { instances: anisotropicSingleTaskInstances(new Random(context.seed), byEffort(context.effort, { quick: 5, standard: 20, thorough: 100 })), sampled: 'R = 1 1ᵀ, anisotropic diagonal Σ', details: { tolerance: `relative ${PROBE_RTOL}` } }),
      },
    },
  ],
  checks,
};
