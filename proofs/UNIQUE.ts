import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { resultFromMetrics } from '../src/claims/results.ts';
import type { CheckContext, CheckResult, Claim, Json } from '../src/claims/types.ts';
import { blockCorrelation, type Correlation } from '../src/data/correlation.ts';
import { isotropicCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { dot, lineAngle, norm2 } from '../src/linalg/dense.ts';
import { curveProblem, globalCurveSearch } from '../src/optim/curve.ts';
import { randomCorrelation } from '../src/data/instances.ts';
import { uncorrelatedQuery } from '../src/optim/instances.ts';
import { landscapeProblem } from '../src/optim/landscape.ts';
import { secondOrderTest } from '../src/optim/second-order.ts';
import { minimizeOnSphere, randomStarts } from '../src/optim/sphere.ts';
import { isotropicOptimum } from '../src/theory/isotropic.ts';
import { makeTask, nullRisk, reducedRisk, type Task } from '../src/theory/risk.ts';
import { anisotropicTask, correlatedQuery, globalOptimum } from './support/landscape-probes.ts';

/** The singular block model of the statement: four blocks, rank(R) = 5. */
const BLOCK_SIZES = [3, 5, 2, 4];
const BLOCK_RHO = [0.2, 0.9, 0.5, 0.7];

interface UniqueInstance {
  label: string;
  task: Task;
  s: number;
}

/** Instance 0: the block model with Σ = I; 1: the same with Σ = 2.5 I; then random correlation matrices, Σ = I or s I. */
function drawInstance(random: Random, index: number): UniqueInstance {
  if (index < 2) {
    const s = index === 0 ? 1 : 2.5;
    const task = makeTask(isotropicCovariance(3, s), blockCorrelation(BLOCK_SIZES, BLOCK_RHO), 0.4);
    return { label: `block (3,5,2,4), ρ = (0.2,0.9,0.5,0.7), Σ = ${s} I_3, σ² = 0.4`, task, s };
  }
  const d = random.integer(1, 6);
  const n = random.integer(1, 10);
  // rank between 1 and n + 1: low ranks give singular R_n
  const rank = random.integer(1, n + 1);
  const s = random.uniform() < 0.5 ? 1 : Math.exp(2 * random.normal());
  const sigma2 = random.uniform() < 0.2 ? 0 : 2 * random.uniform();
  let correlation: Correlation = randomCorrelation(random, n, rank);
  // r = 0 is excluded by hypothesis; a Gram matrix has r = 0 only with probability 0
  if (correlation.r.every((value) => Math.abs(value) < 1e-12)) correlation = randomCorrelation(random, n, n + 1);
  return { label: `random R (n = ${n}, rank ≤ ${rank}), Σ = ${s.toPrecision(4)} I_${d}, σ² = ${sigma2.toPrecision(4)}`, task: makeTask(isotropicCovariance(d, s), correlation, sigma2), s };
}

/**
 * Float64 agreement of the closed form with the curve search: both solve a system with
 * R_n + μI, μ ≥ 1 + c/λ_max > 1, whose condition number is ≤ (λ_max(R_n) + μ)/μ ≤ n + 1,
 * so each side carries relative error ≲ 10 n ε; 1e-11 (relative to c for risks) leaves margin.
 */
const CLOSED_FORM_TOL = 1e-11;

function closedFormCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 20, standard: 200, thorough: 1000 });
  let worstRisk = 0;
  let worstAngle = 0;
  let worstMu = 0;
  let worstIndependent = 0;
  const rows: Json[] = [];
  for (let index = 0; index < count; index++) {
    const instance = drawInstance(random, index);
    const closed = isotropicOptimum(instance.task);
    const c = nullRisk(instance.task);
    const search = globalCurveSearch(curveProblem(instance.task));
    const riskError = Math.abs(search.best.risk - closed.risk) / c;
    const angle = lineAngle(search.best.omega, closed.omega);
    const muError = Math.abs(search.best.mu - closed.mu) / closed.mu;
    // independent evaluation: the theory module's L(ω) at the closed-form ω*
    const independent = Math.abs(reducedRisk(instance.task, closed.omega) - closed.risk) / c;
    worstRisk = Math.max(worstRisk, riskError);
    worstAngle = Math.max(worstAngle, angle);
    worstMu = Math.max(worstMu, muError);
    worstIndependent = Math.max(worstIndependent, independent);
    if (index < 4) rows.push({ instance: instance.label, mu: closed.mu, riskClosedForm: closed.risk, riskCurve: search.best.risk, peaks: search.peaks.length });
    context.progress((index + 1) / count);
  }
  return resultFromMetrics(
    {
      pass: `On ${count} isotropic instances (singular block-model R included) the global μ-search, the closed form and the reduced risk at ω* agree.`,
      fail: 'The closed form ω* ∝ (R_n + (d+1+σ²/s) I)^{-1} r disagrees with the global μ-search on some isotropic instance.',
    },
    [
      { name: 'instances', value: count },
      { name: 'max |L_curve − L*| / c', value: worstRisk, threshold: CLOSED_FORM_TOL, comparison: '<=' },
      { name: 'max angle(ω_curve, ω*) [rad]', value: worstAngle, threshold: CLOSED_FORM_TOL, comparison: '<=' },
      { name: 'max |μ_curve − (d+1+σ²/s)| / μ', value: worstMu, threshold: CLOSED_FORM_TOL, comparison: '<=' },
      { name: 'max |L(ω*) − L*| / c (theory reduced risk)', value: worstIndependent, threshold: CLOSED_FORM_TOL, comparison: '<=' },
    ],
    { examples: rows, tolerance: `${CLOSED_FORM_TOL}: both sides solve with R_n + μI, condition ≤ n + 1 since μ > 1` },
  );
}

function multistartCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 10, standard: 60, thorough: 300 });
  const starts = byEffort(context.effort, { quick: 6, standard: 12, thorough: 24 });
  let worstAngleRatio = 0;
  let worstRisk = 0;
  let nonConverged = 0;
  let total = 0;
  let worstAngle = 0;
  const failures: Json[] = [];
  for (let index = 0; index < count; index++) {
    const instance = drawInstance(random, index);
    const problem = landscapeProblem(instance.task);
    const closed = isotropicOptimum(instance.task);
    const c = problem.c;
    const curvature = instance.task.n > 1 ? secondOrderTest(problem, closed.omega).minEigenvalue : Infinity;
    for (const start of randomStarts(random, instance.task.n, starts)) {
      total++;
      const result = minimizeOnSphere(problem, start);
      if (!result.converged) {
        nonConverged++;
        continue;
      }
      // A stationary point at distance θ from ω* has ‖grad‖ ≈ κ θ with κ the smallest tangent
      // curvature at ω*; allow 10× that plus 1e-9 for the rounding of unit vectors.
      const angle = lineAngle(result.omega, closed.omega);
      const allowedAngle = 1e-9 + (10 * result.gradientNorm) / curvature;
      const riskError = Math.abs(result.risk - closed.risk) / c;
      worstAngle = Math.max(worstAngle, angle);
      worstAngleRatio = Math.max(worstAngleRatio, angle / allowedAngle);
      worstRisk = Math.max(worstRisk, riskError);
      if (angle > allowedAngle || riskError > CLOSED_FORM_TOL) {
        failures.push({ instance: instance.label, angle, allowedAngle, riskMultistart: result.risk, riskClosedForm: closed.risk });
      }
    }
    context.progress((index + 1) / count);
  }
  const metrics = [
    { name: 'converged starts', value: total - nonConverged },
    { name: 'non-converged starts', value: nonConverged },
    { name: 'max angle to ω* [rad]', value: worstAngle },
    { name: 'max angle / allowed angle', value: worstAngleRatio, threshold: 1, comparison: '<=' as const },
    { name: 'max |L − L*| / c', value: worstRisk, threshold: CLOSED_FORM_TOL, comparison: '<=' as const },
  ];
  const details = {
    instances: count,
    startsPerInstance: starts,
    failures: failures.slice(0, 5),
    tolerance:
      'angle ≤ 1e-9 + 10‖grad‖/κ (κ = smallest tangent Hessian eigenvalue at ω*: a point with gradient g lies ≈ ‖g‖/κ from the minimiser); ' +
      `risk within ${CLOSED_FORM_TOL}·c`,
  };
  const result = resultFromMetrics(
    {
      pass: `Every converged multistart minimiser (${total - nonConverged} of ${total}) lies on the single orbit of ω* with the closed-form risk.`,
      fail: 'A converged multistart minimiser lies off the orbit of ω* or has a different risk.',
    },
    metrics,
    details,
  );
  if (result.status === 'verified' && nonConverged > 0) {
    return { ...result, status: 'inconclusive', summary: `${nonConverged} of ${total} starts did not converge; the converged ones all lie on the orbit of ω*.` };
  }
  return result;
}

/** Relative tolerance for "the closed-form ω* is a global minimiser": both risks are float64 evaluations of one formula. */
const PROBE_RTOL = 1e-9;

/**
 * Drops "Σ = sI": diagonal Σ with trace d (so s = tr Σ / d = 1), random R. The
 * conclusion tested is the closed form: ω* ∝ (R_n + (d + 1 + σ²) I)^{-1} r must be
 * a global minimiser, i.e. its risk must equal the CURVE search's global minimum.
 */
function* anisotropicInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const n = 2 + (index % 5);
    const d = 2 + Math.floor(index / 5) % 3;
    const sigma2 = 0.5 * random.uniform();
    const task = anisotropicTask(random, d, correlatedQuery(random, n), sigma2);
    const closedForm = reducedRisk(task, isotropicOptimum(makeTask(isotropicCovariance(d), task.correlation, sigma2)).omega);
    const optimum = globalOptimum(task);
    const gap = closedForm - optimum.risk;
    yield {
      input: { d, n, eigenvalues: task.covariance.eigenvalues, R: task.correlation.R, sigma2 },
      holds: gap <= PROBE_RTOL * nullRisk(task),
      note: `the closed-form ω* has risk ${closedForm}, but the global μ-search finds ${optimum.risk} (lower by ${gap.toExponential(3)}, tolerance ${PROBE_RTOL} (tr Σ + σ²))`,
    };
  }
}

/**
 * Drops "r ≠ 0": with r = 0, s = ωᵀ r is an exact 0 in float64 for every ω, so
 * L(ω) = tr Σ + σ² everywhere; e_1 and e_2 are then two minimisers on different
 * orbits and "exactly one orbit" fails.
 */
function* uncorrelatedInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const n = 2 + (index % 4);
    const d = 1 + (index % 3);
    const task = makeTask(isotropicCovariance(d), uncorrelatedQuery(random, n), random.uniform());
    const e = (i: number) => Array.from({ length: n }, (_, k) => (k === i ? 1 : 0));
    const risks = [reducedRisk(task, e(0)), reducedRisk(task, e(1)), reducedRisk(task, random.normalVector(n))];
    const spread = Math.max(...risks) - Math.min(...risks);
    const oneOrbit = spread > 4 * Number.EPSILON * nullRisk(task);
    yield {
      input: { d, n, R: task.correlation.R, sigma2: task.sigma2 },
      holds: oneOrbit,
      note: `r = 0 gives L(e_1) = L(e_2) = L(random ω) = tr Σ + σ² = ${nullRisk(task)} (spread ${spread}): every ω is a minimiser, so the minimisers form more than one orbit`,
    };
  }
}

export const claim: Claim = {
  id: 'UNIQUE',
  title: 'Isotropic features: the WPGD risk has one minimiser orbit, in closed form',
  paperResult:
    'Under the multitask model with isotropic features the WPGD risk has a unique global minimum up to scaling, so the optimal WPGD algorithm is unique.',
  statement:
    'If $\\Sigma = s I$ and $r \\neq 0$, the reduced risk $L(\\omega) = \\operatorname{tr}\\Sigma + \\sigma^2 - (\\omega^\\top r)^2 \\operatorname{tr}(\\Sigma^2 (a\\Sigma + bI)^{-1})$ ' +
    'has exactly one minimiser orbit $\\lbrace t\\,\\omega^* : t \\neq 0\\rbrace$ (with $P^* \\propto I$ scaled by $1/t$) with\n\n' +
    '$$\\omega^* \\propto (R_n + (d + 1 + \\sigma^2/s) I)^{-1} r, \\qquad L^* = s d + \\sigma^2 - s d\\, r^\\top (R_n + (d + 1 + \\sigma^2/s) I)^{-1} r,$$\n\n' +
    'for every valid $R$, singular $R_n$ included ($s = 1$: $L^* = d + \\sigma^2 - d\\, r^\\top (R_n + (d+1+\\sigma^2) I)^{-1} r$). ' +
    'With $r = 0$ every $\\omega$ is a minimiser.',
  hypotheses: [
    {
      id: 'isotropic',
      statement: '$\\Sigma = I$, or $\\Sigma = s I$ with $s > 0$.',
      probe: {
        violation: 'diagonal Σ with eigenvalues over four decades and tr Σ = d; random R',
        run: (context) =>
          searchProbe(context, {
            instances: anisotropicInstances(new Random(context.seed), byEffort(context.effort, { quick: 10, standard: 30, thorough: 100 })),
            sampled: 'anisotropic diagonal Σ, random correlation R',
            details: { tolerance: `relative ${PROBE_RTOL}: both risks are float64 evaluations of the RISK closed form` },
          }),
      },
    },
    {
      id: 'r-nonzero',
      statement: '$r \\neq 0$: some example is correlated with the query task.',
      probe: {
        violation: 'r = 0 (the query task uncorrelated with every example), n ≥ 2',
        run: (context) =>
          searchProbe(context, {
            instances: uncorrelatedInstances(new Random(context.seed), byEffort(context.effort, { quick: 5, standard: 30, thorough: 200 })),
            sampled: 'Σ = I, random R_n, r = 0',
            details: { tolerance: '4ε (tr Σ + σ²): s = ωᵀr is an exact 0, so L(ω) is the same float64 number for every ω' },
          }),
      },
    },
  ],
  checks: [
    { id: 'curve-vs-closed-form', kind: 'optimisation', title: 'Global μ-search equals the closed form on random and singular-block isotropic instances', run: closedFormCheck },
    { id: 'multistart-single-orbit', kind: 'optimisation', title: 'Every converged multistart minimiser lies on the orbit of ω* with risk L*', run: multistartCheck },
  ],
};
