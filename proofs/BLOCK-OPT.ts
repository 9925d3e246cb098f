import fc from 'fast-check';
import type { Fraction } from 'mathjs';
import { q, rationalIdentity, rationalSolve, showRational } from '../src/algebra/rational-matrix.ts';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { lineAngle } from '../src/linalg/dense.ts';
import { anisotropicTask, globalOptimum } from './support/landscape-probes.ts';
import { blockOptimumSymbolicCheck } from './support/block-symbolic.ts';
import { runProperty } from '../src/claims/property.ts';
import { resultFromMetrics } from '../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Claim, Json } from '../src/claims/types.ts';
import { blockCorrelation } from '../src/data/correlation.ts';
import { isotropicCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { randomBlockSizes, rationalBlockCorrelation, rationalRiskInputs } from '../src/data/instances.ts';
import { blockOptimalWeights, expandBlockWeights, isotropicOptimum } from '../src/theory/isotropic.ts';
import { rationalReducedRisk } from '../src/theory/risk-rational.ts';
import { makeTask, reducedRisk } from '../src/theory/risk.ts';

/**
 * BLOCK-OPT: block model, Σ = I. The optimum ω* ∝ (R_n + (d + 1 + σ²) I)^{-1} r
 * is constant inside each block with w_k ∝ ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²).
 */

/** ρ_k from {−1, −1/2, 0, 1/2, 1} ∪ {random p/q in [−1, 1]} so that ±1 and 0 occur often. */
function rationalRho(random: Random): Fraction {
  const draw = random.integer(0, 5);
  if (draw < 5) return q(draw - 2, 2);
  const denominator = random.integer(2, 9);
  return q(random.integer(-denominator, denominator), denominator);
}

/** True when u = c v for one c ≠ 0 (both zero counts as proportional). */
function proportional(u: readonly Fraction[], v: readonly Fraction[]): boolean {
  const pivot = v.findIndex((value) => !value.equals(0));
  if (pivot < 0) return u.every((value) => value.equals(0));
  const c = u[pivot].div(v[pivot]);
  return !c.equals(0) && u.every((value, i) => value.equals(c.mul(v[i])));
}

/** Exact: solve the linear system in rationals; the solution must equal the expanded block formula up to one common factor. */
function exactCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 60, standard: 300, thorough: 1500 });
  let failures = 0;
  let first: Json = null;
  let extremes = 0;
  for (let t = 0; t < count; t++) {
    const K = random.integer(1, 4);
    const sizes = randomBlockSizes(random, random.integer(K, 3 * K), 3).slice(0, K);
    const rho = sizes.map(() => rationalRho(random));
    if (rho.some((value) => value.abs().equals(1) || value.equals(0))) extremes++;
    const d = random.integer(1, 5);
    const sigma2 = t % 3 === 0 ? q(0) : q(random.integer(1, 12), random.integer(1, 4));
    const mu = sigma2.add(d + 1);
    const R = rationalBlockCorrelation(sizes, rho);
    const n = R.length - 1;
    const Rn = R.slice(0, n).map((row) => row.slice(0, n));
    const r = R.slice(0, n).map((row) => row[n]);
    const omega = rationalSolve(
      Rn.map((row, i) => row.map((value, j) => (i === j ? value.add(mu) : value))),
      r,
    );
    const weights = rho.map((value, k) => value.div(q(1).sub(value.mul(value)).mul(sizes[k]).add(mu)));
    const expanded = sizes.flatMap((size, k) => new Array<Fraction>(size).fill(weights[k]));
    // the reduced risk must be the same at both (scale invariance), when ω ≠ 0
    const inputs = rationalRiskInputs(rationalIdentity(d), R, sigma2);
    const sameRisk = omega.every((value) => value.equals(0)) || rationalReducedRisk(inputs, omega).equals(rationalReducedRisk(inputs, expanded));
    if (!proportional(omega, expanded) || !sameRisk) {
      failures++;
      first ??= { sizes, rho: rho.map(showRational), d, sigma2: showRational(sigma2), omega: omega.map(showRational), blockFormula: weights.map(showRational) };
    }
    context.progress((t + 1) / count);
  }
  return resultFromMetrics(
    {
      pass: `On ${count} rational block models (${extremes} with some ρ_k ∈ {−1, 0, 1}), (R_n + (d+1+σ²)I)^{-1} r equals the expanded block weights ρ_k/((1 − ρ_k²)m_k + d + 1 + σ²) up to one common factor, exactly.`,
      fail: `The block formula is not proportional to the exact optimum on ${failures} of ${count} instances.`,
    },
    [
      { name: 'instances that disagree', value: failures, threshold: 0, comparison: '==' },
      { name: 'instances with some ρ_k ∈ {−1, 0, 1}', value: extremes, threshold: 1, comparison: '>=' },
    ],
    { instances: count, first, tolerance: 'none: exact Gauss–Jordan elimination over the rationals' },
  );
}

/** float64: the reduced risk of the expanded block weights equals the isotropic optimum L*, and random ω do not beat it. */
function propertyCheck(context: CheckContext): CheckResult {
  return runProperty(context, {
    arbitrary: fc.record({
      sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
      rhoSeed: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
      d: fc.integer({ min: 1, max: 5 }),
      sigma2: fc.double({ min: 0, max: 3, noNaN: true }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    }),
    evaluate: ({ sizes, rhoSeed, d, sigma2, seed }) => {
      const rho = sizes.map((_, k) => rhoSeed[k]);
      const task = makeTask(isotropicCovariance(d), blockCorrelation(sizes, rho), sigma2);
      const optimum = isotropicOptimum(task);
      const raw = expandBlockWeights(sizes, blockOptimalWeights(sizes, rho, d, sigma2));
      // L(ω) is scale invariant; normalising to max |ω_i| = 1 keeps ‖ω‖² away from
      // underflow when every ρ_k is tiny (ρ ~ 1e-160 would make a = b = 0 in float64)
      const largest = Math.max(...raw.map(Math.abs));
      const weights = largest > 0 ? raw.map((value) => value / largest) : raw;
      const scale = d + sigma2;
      if (weights.every((value) => value === 0)) {
        // r = 0: every ω is optimal with L* = d + σ²
        return { error: Math.abs(optimum.risk - scale), allowed: 1e-12 * scale, note: 'r = 0' };
      }
      const blockRisk = reducedRisk(task, weights);
      const random = new Random(seed);
      const competitor = weights.map((value) => value + 0.1 * random.normal());
      const below = Math.max(0, blockRisk - reducedRisk(task, competitor));
      return {
        error: Math.max(Math.abs(blockRisk - optimum.risk), below),
        allowed: 1e-10 * scale,
        note: `L(block weights) = ${blockRisk}, L* = ${optimum.risk}, L(perturbed) = ${reducedRisk(task, competitor)}`,
      };
    },
    numRuns: byEffort(context.effort, { quick: 300, standard: 3000, thorough: 30000 }),
    tolerance:
      '|L(w) − L*| and max(0, L(w) − L(ω)) ≤ 1e-10 (d + σ²): L* uses a float64 linear solve of R_n + (d+1+σ²)I, whose condition number is at most (n + d + 1 + σ²)/(d + 1) ≤ 11, so both sides are accurate to ~1e-14 (d + σ²); the margin covers n up to 20.',
    describe: (input) => ({ ...input }),
    compared: 'reduced risk of the expanded block weights vs the isotropic optimum (R_n + (d+1+σ²)I)^{-1} r, and vs nearby random ω',
  });
}

/** Largest angle between the optimum and the block formula that counts as the same direction (both float64). */
const PROBE_ANGLE = 1e-7;

/**
 * Drops Σ = I: the optimum (CURVE search) is still block-constant, since it is
 * (R_n + μI)^{-1} r for some μ, but μ leaves d + 1 + σ², so the block weights
 * no longer follow the formula.
 */
function* anisotropicBlockInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const K = 2 + (index % 2);
    const sizes = Array.from({ length: K }, (_, k) => 1 + ((index + 2 * k) % 4));
    const rho = sizes.map(() => 0.1 + 0.85 * random.uniform());
    const d = 2 + (index % 3);
    const sigma2 = 0.5 * random.uniform();
    const task = anisotropicTask(random, d, blockCorrelation(sizes, rho), sigma2);
    const optimum = globalOptimum(task);
    const formula = expandBlockWeights(sizes, blockOptimalWeights(sizes, rho, d, sigma2));
    const angle = lineAngle(optimum.omega, formula);
    yield {
      input: { d, sizes, rho, eigenvalues: task.covariance.eigenvalues, sigma2 },
      holds: angle <= PROBE_ANGLE,
      note: `the optimal ω* is ${angle.toExponential(3)} rad away from the block formula (risk ${optimum.risk} against ${reducedRisk(task, formula)})`,
    };
  }
}

const checks: Check[] = [
  blockOptimumSymbolicCheck,
  { id: 'exact', kind: 'exact', title: 'exact solve of (R_n + (d+1+σ²)I) ω = r equals the block formula up to a common factor', run: exactCheck },
  { id: 'property', kind: 'property', title: 'float64: block weights reach the isotropic optimum and nearby ω do not beat it', run: propertyCheck },
];

export const claim: Claim = {
  id: 'BLOCK-OPT',
  title: 'Block model with isotropic features: optimal weights are constant per block',
  paperResult: 'In the multitask prompt model the optimal weighting gives every example of a task the same weight, set by that task’s correlation with the query and its block size.',
  statement:
    'Block model, $\\Sigma = I$: $\\omega^*$ is constant inside each block, with block weight $w_k \\propto \\frac{\\rho_k}{(1 - \\rho_k^2) m_k + d + 1 + \\sigma^2}$.',
  hypotheses: [
    {
      id: 'block',
      statement: '$K$ blocks of sizes $m_k$ in prompt order with $\\rho_k \\in [-1, 1]$; $R_{ij} = 1$ within a block, $\\rho_k\\rho_l$ across, $r_i = \\rho_{k(i)}$.',
      notProbed: 'It defines the blocks the statement speaks of: without blocks, "constant inside each block" refers to nothing. UNIQUE covers general R.',
    },
    {
      id: 'isotropic',
      statement: '$\\Sigma = I_d$, $\\sigma^2 \\ge 0$.',
      probe: {
        violation: 'diagonal Σ with eigenvalues over four decades and tr Σ = d; two or more blocks',
        run: (context) => searchProbe(context, { instances: anisotropicBlockInstances(new Random(context.seed), byEffort(context.effort, { quick: 5, standard: 20, thorough: 100 })), sampled: 'block models with K ≥ 2, anisotropic diagonal Σ', details: { tolerance: `angle ${PROBE_ANGLE} rad` } }),
      },
    },
  ],
  checks,
};
