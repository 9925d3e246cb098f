import { progressSlice, type OnProgress } from '../src/core/progress.ts';
import { backendAgreementCheck } from './support/backend-agreement.ts';
import { backendRiskCheck } from './support/backend-risk.ts';
import { rationalField } from '../src/algebra/field.ts';
import { rationalToNumbers, showRational } from '../src/algebra/rational-matrix.ts';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { fourthMomentCheck } from './support/risk-lemmas.ts';
import { isserlisRiskCheck } from './support/risk-symbolic.ts';
import { offModelOutcome, PROBE_Z, type FeatureLaw } from './support/risk-probes.ts';
import { resultFromMetrics } from '../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Claim, Json, Metric } from '../src/claims/types.ts';
import { blockCorrelation, makeCorrelation } from '../src/data/correlation.ts';
import { makeCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import {
  randomCorrelation,
  randomMatrix,
  randomRationalRiskInstance,
  rotatedCovariance,
  spreadEigenvalues,
} from '../src/data/instances.ts';
import { zScore, type MonteCarloEstimate } from '../src/core/statistics.ts';
import { monteCarloRisk, monteCarloRiskGivenFeatures } from '../src/theory/monte-carlo-risk.ts';
import type { Matrix, Vector } from '../src/linalg/dense.ts';
import { fieldRisk } from '../src/theory/risk-field.ts';
import { rationalOptimalPreconditioner, rationalReducedRisk } from '../src/theory/risk-rational.ts';
import { makeTask, optimalPreconditioner, risk, type Task } from '../src/theory/risk.ts';

/**
 * Bound on |z| for each Monte Carlo comparison. The checks below make at most
 * 12 comparisons (3 estimators × 4 instances); under the closed form each z is
 * approximately N(0, 1), and P(|z| > 4.5) = 6.8e-6, so by Bonferroni the chance
 * that a correct formula fails any of them is below 1e-4.
 */
export const RISK_Z_THRESHOLD = 4.5;

/** A fixed instance of the risk formula: a task, a preconditioner P and weights ω. */
export interface RiskInstance {
  name: string;
  /** Which coefficients of the formula this instance makes visible. */
  purpose: string;
  task: Task;
  P: Matrix;
  omega: Vector;
}

/** P = P*(ω) + scale · ‖P*‖_F · G with G Gaussian (scale · G alone when P* = 0). */
function perturbedPreconditioner(random: Random, task: Task, omega: Vector, scale: number): Matrix {
  const Pstar = optimalPreconditioner(task, omega);
  const size = Math.sqrt(Pstar.flat().reduce((acc, value) => acc + value * value, 0)) || 1;
  const G = randomMatrix(random, task.d, task.d, scale * size);
  return Pstar.map((row, i) => row.map((value, j) => value + G[i][j]));
}

/** ω with zero sum inside every block: R_n ω = 0 and ωᵀ r = 0 in the block model, so a = ‖ω‖². */
function blockBalancedWeights(random: Random, sizes: readonly number[]): Vector {
  return sizes.flatMap((size) => {
    const raw = random.normalVector(size);
    const mean = raw.reduce((acc, value) => acc + value, 0) / size;
    return raw.map((value) => value - mean);
  });
}

/**
 * The fixed instances. Their eigenvectors, R, P and ω are drawn from fixed
 * seeds (not the run seed), so the sensitivity of the Monte Carlo comparison
 * does not depend on the run; only the sampled prompts do. They were chosen so
 * that a 10% change of any single coefficient of the formula moves at least
 * one z-score far beyond the threshold at quick effort.
 */
export function riskInstances(): RiskInstance[] {
  const noisy = new Random(5143);
  const noisyTask = makeTask(rotatedCovariance(noisy, spreadEigenvalues(2, 0.5)), blockCorrelation([2, 1, 3], [0.8, -0.4, 0.6]), 3);
  const noisyOmega = noisy.normalVector(6);

  const fourth = new Random(5178);
  const fourthSizes = [4, 6];
  const fourthTask = makeTask(rotatedCovariance(fourth, spreadEigenvalues(2, 1.5)), blockCorrelation(fourthSizes, [0.7, -0.5]), 0.1);
  const fourthOmega = blockBalancedWeights(fourth, fourthSizes);

  const general = new Random(5058);
  const generalTask = makeTask(rotatedCovariance(general, spreadEigenvalues(3, 1)), randomCorrelation(general, 3), 0.5);
  const generalOmega = general.normalVector(3);

  const asymmetric = new Random(5005);
  const asymmetricTask = makeTask(rotatedCovariance(asymmetric, spreadEigenvalues(2, 0.5)), randomCorrelation(asymmetric, 2), 1);
  const asymmetricOmega = asymmetric.normalVector(2);

  return [
    {
      name: 'block model, σ² = 3',
      purpose: 'the constants tr Σ and σ², the 2 in −2(ωᵀr), σ² in b',
      task: noisyTask,
      P: perturbedPreconditioner(noisy, noisyTask, noisyOmega, 0.1),
      omega: noisyOmega,
    },
    {
      name: 'block model, block-balanced ω',
      purpose: 'the fourth-moment terms ‖ω‖² in a and tr Σ in b alone (here ωᵀR_nω = ωᵀr = 0, so a = ‖ω‖²)',
      task: fourthTask,
      P: randomMatrix(fourth, 2, 2, 0.3),
      omega: fourthOmega,
    },
    {
      name: 'general R, d = 3',
      purpose: 'general Σ and R: ωᵀR_nω and ‖ω‖² in a, a Σ² against a Σ, tr(ΣPΣ) against tr(PΣ)',
      task: generalTask,
      P: perturbedPreconditioner(general, generalTask, generalOmega, 0.3),
      omega: generalOmega,
    },
    {
      name: 'general R, asymmetric P',
      purpose: 'Pᵀ Σ P against P Σ Pᵀ for a non-symmetric P',
      task: asymmetricTask,
      P: perturbedPreconditioner(asymmetric, asymmetricTask, asymmetricOmega, 0.3),
      omega: asymmetricOmega,
    },
  ];
}

/**
 * How each Monte Carlo check averages, and its sample size per instance.
 * - `features`: only the example features are sampled; task vectors, noise and
 *   the query are averaged exactly (lowest variance: this is the check that
 *   resolves a 10% change of every coefficient);
 * - `query`: prompts and task vectors are sampled, the query is averaged exactly;
 * - `plain`: everything is sampled, the squared error of the query.
 */
export type RiskEstimator = 'features' | 'query' | 'plain';

export function monteCarloSamples(estimator: RiskEstimator, effort: CheckContext['effort']): number {
  switch (estimator) {
    case 'features':
      return byEffort(effort, { quick: 1_000_000, standard: 5_000_000, thorough: 20_000_000 });
    case 'query':
      return byEffort(effort, { quick: 400_000, standard: 2_000_000, thorough: 8_000_000 });
    case 'plain':
      return byEffort(effort, { quick: 200_000, standard: 1_000_000, thorough: 4_000_000 });
  }
}

/** The Monte Carlo estimate of L(P, ω) for one instance with the given estimator. */
export function estimateRisk(instance: RiskInstance, estimator: RiskEstimator, samples: number, random: Random, onProgress?: OnProgress): MonteCarloEstimate {
  const { task, P, omega } = instance;
  if (estimator === 'features') return monteCarloRiskGivenFeatures(task, P, omega, samples, random, onProgress);
  return monteCarloRisk(task, P, omega, samples, random, estimator === 'query' ? 'conditional' : 'sampled', onProgress);
}

function describeInstance(instance: RiskInstance): { [key: string]: Json } {
  return {
    name: instance.name,
    purpose: instance.purpose,
    d: instance.task.d,
    n: instance.task.n,
    sigma2: instance.task.sigma2,
    SigmaEigenvalues: instance.task.covariance.eigenvalues,
    blocks: instance.task.correlation.blocks ? { sizes: instance.task.correlation.blocks.sizes, rho: instance.task.correlation.blocks.rho } : null,
    P: instance.P,
    omega: instance.omega,
  };
}

const ESTIMATOR_DESCRIPTIONS: Record<RiskEstimator, string> = {
  features:
    'per draw of the example features X, the exact average over task vectors, noise and query: tr Σ + σ² − 2 Σ_i ω_i r_i x_iᵀΣPx_i + Σ_ij ω_i ω_j (x_iᵀPᵀΣPx_j)(R_ij x_iᵀx_j + σ² δ_ij)',
  query: 'per prompt (features, task vectors, noise), the exact average over the query: (β − u)ᵀΣ(β − u) + σ² with u = P Xᵀ(ω ⊙ y)',
  plain: 'per prompt and query, the squared error (y − xᵀ P Xᵀ(ω ⊙ y))²',
};

/** Compares the closed form with a Monte Carlo estimate on every instance. */
function monteCarloCheck(context: CheckContext, estimator: RiskEstimator): CheckResult {
  const samples = monteCarloSamples(estimator, context.effort);
  const instances = riskInstances();
  const metrics: Metric[] = [];
  const rows: Json[] = [];
  instances.forEach((instance, k) => {
    const closedForm = risk(instance.task, instance.P, instance.omega);
    const part = progressSlice(context.progress, k / instances.length, (k + 1) / instances.length);
    const estimate = estimateRisk(instance, estimator, samples, new Random(context.seed + 7919 * k), part);
    const z = zScore(estimate, closedForm);
    metrics.push({ name: `|z| ${instance.name}`, value: Math.abs(z), threshold: RISK_Z_THRESHOLD, comparison: '<=' });
    rows.push({ ...describeInstance(instance), closedForm, mean: estimate.mean, standardError: estimate.standardError, samples, z });
    context.progress((k + 1) / instances.length);
  });
  const worst = Math.max(...metrics.map((metric) => Number(metric.value)));
  const description = ESTIMATOR_DESCRIPTIONS[estimator];
  return resultFromMetrics(
    {
      pass: `The closed form matches Monte Carlo on ${instances.length} instances (${samples} prompts each, largest |z| = ${worst.toFixed(2)} ≤ ${RISK_Z_THRESHOLD}).`,
      fail: `The closed form disagrees with Monte Carlo: largest |z| = ${worst.toFixed(2)} > ${RISK_Z_THRESHOLD}.`,
    },
    metrics,
    {
      estimator: description,
      samplesPerInstance: samples,
      instances: rows,
      tolerance: `|z| ≤ ${RISK_Z_THRESHOLD}, z = (mean − closed form) / (sample std / √N): a Bonferroni bound for 12 comparisons (P(|z| > 4.5) = 6.8e-6 each).`,
    },
    {
      caveats: [
        'The per-prompt values are heavy tailed (products of up to eight Gaussians), so the standard error itself fluctuates; the z-score relies on the central limit theorem at this N.',
      ],
    },
  );
}

/**
 * Exact consistency: at P = P*(ω) the closed form equals the reduced risk
 * tr Σ + σ² − (ωᵀr)² tr(Σ²(aΣ + bI)^{-1}), with zero difference in rationals;
 * and the float64 `risk` agrees with the exact closed form on the same inputs.
 */
function exactCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 40, standard: 200, thorough: 1000 });
  let nonzero = 0;
  let firstNonzero: Json = null;
  let worstFloat = 0;
  for (let t = 0; t < count; t++) {
    const { d, n, Sigma, R, inputs, omega } = randomRationalRiskInstance(random, t);
    const Pstar = rationalOptimalPreconditioner(inputs, omega);
    const atOptimum = fieldRisk(rationalField, inputs, Pstar, omega);
    const reduced = rationalReducedRisk(inputs, omega);
    const difference = atOptimum.sub(reduced);
    if (!difference.equals(0)) {
      nonzero++;
      firstNonzero ??= { d, n, difference: showRational(difference), omega: omega.map(showRational) };
    }
    // float64 implementation against the exact value on the same (rational) inputs
    const task = makeTask(makeCovariance(rationalToNumbers(Sigma)), makeCorrelation(rationalToNumbers(R)), inputs.sigma2.valueOf());
    const floatOmega = omega.map((value) => value.valueOf());
    const floatP = rationalToNumbers(Pstar);
    const relative = Math.abs(risk(task, floatP, floatOmega) - atOptimum.valueOf()) / Math.max(1, Math.abs(atOptimum.valueOf()));
    worstFloat = Math.max(worstFloat, relative);
    context.progress((t + 1) / count);
  }
  return resultFromMetrics(
    {
      pass: `On ${count} rational instances L(P*(ω), ω) − L(ω) = 0 exactly, and float64 risk() matches the exact value (worst relative error ${worstFloat.toExponential(2)}).`,
      fail: `L(P*(ω), ω) ≠ L(ω) on ${nonzero} of ${count} rational instances, or float64 risk() disagrees with the exact value.`,
    },
    [
      { name: 'instances with nonzero exact difference', value: nonzero, threshold: 0, comparison: '==' },
      { name: 'float64 vs exact relative error', value: worstFloat, threshold: 1e-11, comparison: '<=' },
    ],
    {
      instances: count,
      firstNonzero,
      tolerance:
        'exact: the difference must be the rational 0. float64: relative error ≤ 1e-11, about 5e4 ulps, ample for a formula of a few hundred operations on entries of size ≤ 1e3.',
    },
  );
}

const checks: Check[] = [
  isserlisRiskCheck,
  fourthMomentCheck,
  {
    id: 'monte-carlo-features',
    kind: 'monte-carlo',
    title: 'closed form vs Monte Carlo over Gaussian features (labels and query averaged exactly), 4 fixed instances',
    run: (context) => monteCarloCheck(context, 'features'),
  },
  {
    id: 'monte-carlo-query',
    kind: 'monte-carlo',
    title: 'closed form vs Monte Carlo over sampled prompts and task vectors (query averaged exactly)',
    run: (context) => monteCarloCheck(context, 'query'),
  },
  {
    id: 'monte-carlo-plain',
    kind: 'monte-carlo',
    title: 'closed form vs Monte Carlo of the squared error of sampled prompts and queries',
    run: (context) => monteCarloCheck(context, 'plain'),
  },
  {
    id: 'exact-reduced-risk',
    kind: 'exact',
    title: 'L(P*(ω), ω) equals the reduced risk exactly on rational instances',
    run: exactCheck,
  },
  backendRiskCheck,
  backendAgreementCheck('risk'),
];

/**
 * Instances for the two probes, smallest first: (d, n) = (1, 1), (1, 2), (2, 1), (2, 2), …
 * With Rademacher features every row of the factor B has unit norm (R stays a
 * correlation matrix); with Gaussian features the rows are scaled so that the
 * task-vector variances R_jj leave 1 (the features stay Gaussian).
 */
function* offModelInstances(random: Random, features: FeatureLaw, count: number, samples: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const d = 1 + (Math.floor(index / 2) % 2);
    const n = 1 + (index % 2) + 2 * Math.floor(index / 4);
    const rows = Array.from({ length: n + 1 }, () => random.normalVector(n + 1));
    const factor = rows.map((row) => {
      const length = Math.hypot(...row);
      let variance = 1;
      if (features === 'gaussian') {
        // a variance in [1/4, 3/4] or in [3/2, 4], never near 1
        variance = random.uniform() < 0.5 ? 0.25 + 0.5 * random.uniform() : 1.5 + 2.5 * random.uniform();
      }
      return row.map((value) => (value / length) * Math.sqrt(variance));
    });
    const instance = { d, factor, sigma2: 0.5 * random.uniform(), P: randomMatrix(random, d, d), omega: random.normalVector(n), features };
    yield offModelOutcome(random, instance, samples, features === 'rademacher' ? '±1 features' : 'task-vector variances ≠ 1');
  }
}

export const claim: Claim = {
  id: 'RISK',
  title: 'Closed form of the WPGD risk under the multitask model',
  paperResult:
    'The population risk of one step of weighted preconditioned gradient descent under the multitask in-context regression model, the quantity whose landscape the paper analyses.',
  statement: [
    'For $x_i, x \\sim N(0, \\Sigma)$, task vectors with $E[\\beta_i \\beta_j^\\top] = R_{ij} I_d$, $y_i = x_i^\\top\\beta_i + \\xi_i$, $y = x^\\top\\beta + \\xi$, $\\xi \\sim N(0, \\sigma^2)$:',
    '$$L(P, \\omega) = E[(y - x^\\top P X^\\top(\\omega \\odot y))^2] = \\operatorname{tr}\\Sigma + \\sigma^2 - 2(\\omega^\\top r)\\operatorname{tr}(\\Sigma P \\Sigma) + \\operatorname{tr}(P^\\top \\Sigma P (a\\Sigma^2 + b\\Sigma)),$$',
    'with $a = \\omega^\\top R_n \\omega + \\lVert \\omega\\rVert ^2$ and $b = \\lVert \\omega\\rVert ^2(\\operatorname{tr}\\Sigma + \\sigma^2)$.',
  ].join('\n\n'),
  hypotheses: [
    {
      id: 'gaussian',
      statement: 'Features, task vectors and noise are jointly Gaussian and independent as stated; $\\Sigma \\succ 0$.',
      probe: {
        violation: 'Rademacher (±1) features: same mean and covariance Σ = I, fourth moment 1 instead of 3',
        run: (context) =>
          searchProbe(context, {
            instances: offModelInstances(new Random(context.seed), 'rademacher', byEffort(context.effort, { quick: 4, standard: 8, thorough: 16 }), monteCarloSamples('plain', context.effort)),
            sampled: 'Σ = I with ±1 features, random R, P and ω, smallest sizes first',
            details: { zBound: PROBE_Z },
          }),
      },
    },
    {
      id: 'correlation',
      statement: '$R$ is a correlation matrix: positive semidefinite with unit diagonal.',
      probe: {
        violation: 'task vectors with variances R_jj ∈ [1/4, 4] other than 1 (R positive semidefinite, diagonal not 1)',
        run: (context) =>
          searchProbe(context, {
            instances: offModelInstances(new Random(context.seed), 'gaussian', byEffort(context.effort, { quick: 4, standard: 8, thorough: 16 }), monteCarloSamples('plain', context.effort)),
            sampled: 'Gaussian features, Σ = I, task-vector variances other than 1, smallest sizes first',
            details: { zBound: PROBE_Z },
          }),
      },
    },
  ],
  checks,
};
