import fc from 'fast-check';
import nerdamer from 'nerdamer';
import 'nerdamer/Calculus.js';
import { rationalField, symbol, symbolicField, type Symbolic } from '../src/algebra/field.ts';
import { q, rationalDot, showRational } from '../src/algebra/rational-matrix.ts';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { runProperty } from '../src/claims/property.ts';
import { resultFromMetrics } from '../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Claim, Json } from '../src/claims/types.ts';
import { blockCorrelation } from '../src/data/correlation.ts';
import { Random } from '../src/data/random.ts';
import { randomFloatInstance, randomMatrix, randomRationalRiskInstance, rotatedCovariance, spreadEigenvalues } from '../src/data/instances.ts';
import { matmul, maxAbs, transpose } from '../src/linalg/dense.ts';
import { fieldRisk, fieldRiskFromCoefficients } from '../src/theory/risk-field.ts';
import { rationalOptimalPreconditioner, rationalReducedRisk } from '../src/theory/risk-rational.ts';
import { derivedPreconditionerCheck } from './support/pstar-symbolic.ts';
import { makeTask, optimalPreconditioner, reducedRisk, risk, riskCoefficients, riskRoundingScale } from '../src/theory/risk.ts';

/**
 * P-STAR: for fixed ω ≠ 0, L(P, ω) is a strictly convex quadratic in P whose
 * unique minimiser is P*(ω) = (ωᵀr)(aΣ + bI)^{-1}, with reduced risk
 * L(ω) = tr Σ + σ² − (ωᵀr)² tr(Σ²(aΣ + bI)^{-1}); ωᵀr = 0 gives P* = 0.
 */

const expand = (expression: Symbolic | string): string => nerdamer(`expand(${expression.toString()})`).toString();

/** Evaluates an expression exactly at the point where its k-th variable (sorted) is 2 + k/3. */
function valueAtRationalPoint(expression: string): string {
  const parsed = nerdamer(expression);
  const point: Record<string, string> = {};
  parsed.variables().sort().forEach((name, k) => (point[name] = `(${6 + k}/3)`));
  return nerdamer(expression, point).expand().toString();
}

/** The d = 2 objects: Σ = [[s11, s12], [s12, s22]], P = [[p11, p12], [p21, p22]], scalars a, b, s, constant c. */
const SIGMA_NAMES = [
  ['s11', 's12'],
  ['s12', 's22'],
];
const P_NAMES = [
  ['p11', 'p12'],
  ['p21', 'p22'],
];

interface SymbolicFailure {
  what: string;
  expression: string;
}

/**
 * Symbolic proof for d = 2. L(P) = c − 2 s tr(ΣPΣ) + tr(PᵀΣP(aΣ² + bΣ)) is built
 * by the generic closed form over nerdamer expressions, then:
 * 1. every second derivative ∂²L/∂p_ki∂p_lj is free of P and equals 2 Σ_kl M_ij,
 *    M = aΣ² + bΣ (so L is quadratic in P with Hessian 2 M ⊗ Σ);
 * 2. with D = det(aΣ + bI) and P* = s adj(aΣ + bI)/D, the polynomial
 *    D·∂L/∂p_ij(P*) = D·∂L/∂p_ij(0) + Σ_kl H_(ij),(kl) s adj_kl expands to 0;
 * 3. det M = det Σ (a² det Σ + a b tr Σ + b²) and M_11 = a(s11² + s12²) + b s11.
 */
function symbolicCheck(context: CheckContext): CheckResult {
  const Sigma = SIGMA_NAMES.map((row) => row.map(symbol));
  const P = P_NAMES.map((row) => row.map(symbol));
  const [a, b, s, c] = ['a', 'b', 's', 'c'].map(symbol);
  const L = nerdamer(expand(fieldRiskFromCoefficients(symbolicField, Sigma, P, { a, b, s }, c)));
  const failures: SymbolicFailure[] = [];
  const names = P_NAMES.flat();
  const index = (k: number, i: number) => 2 * k + i;
  // gradient and Hessian
  const gradient = names.map((name) => nerdamer.diff(L, name));
  const hessian = gradient.map((g) => names.map((name) => nerdamer.diff(g, name)));
  const M = [
    [0, 1].map((j) => `a*(s11*s1${j + 1}+s12*s${j === 0 ? '12' : '22'}) + b*s1${j + 1}`),
    [0, 1].map((j) => `a*(s12*s1${j + 1}+s22*s${j === 0 ? '12' : '22'}) + b*s${j === 0 ? '12' : '22'}`),
  ];
  for (let k = 0; k < 2; k++)
    for (let i = 0; i < 2; i++)
      for (let l = 0; l < 2; l++)
        for (let j = 0; j < 2; j++) {
          const entry = hessian[index(k, i)][index(l, j)].toString();
          if (names.some((name) => nerdamer(entry).variables().includes(name))) failures.push({ what: `∂²L/∂p${k + 1}${i + 1}∂p${l + 1}${j + 1} depends on P`, expression: entry });
          const difference = expand(`(${entry}) - 2*${SIGMA_NAMES[k][l]}*(${M[i][j]})`);
          if (difference !== '0') failures.push({ what: `∂²L/∂p${k + 1}${i + 1}∂p${l + 1}${j + 1} − 2 Σ_${k + 1}${l + 1} M_${i + 1}${j + 1}`, expression: difference });
        }
  // stationarity at P* (multiplied through by D)
  const D = '((a*s11+b)*(a*s22+b) - a^2*s12^2)';
  const adjugate = [
    ['(a*s22+b)', '(-a*s12)'],
    ['(-a*s12)', '(a*s11+b)'],
  ];
  const zeroP = Object.fromEntries(names.map((name) => [name, '0']));
  gradient.forEach((g, row) => {
    const atZero = nerdamer(g.toString(), zeroP).toString();
    const linearPart = names.map((name, col) => `(${hessian[row][col].toString()})*s*${adjugate[Math.floor(col / 2)][col % 2]}`).join(' + ');
    const difference = expand(`${D}*(${atZero}) + ${linearPart}`);
    if (difference !== '0') failures.push({ what: `D·∂L/∂${names[row]} at P*`, expression: difference });
  });
  // M ≻ 0 under Σ ≻ 0, a > 0, b > 0
  const detM = `(${M[0][0]})*(${M[1][1]}) - (${M[0][1]})*(${M[1][0]})`;
  const detSigma = '(s11*s22 - s12^2)';
  const detIdentity = expand(`${detM} - ${detSigma}*(a^2*${detSigma} + a*b*(s11+s22) + b^2)`);
  if (detIdentity !== '0') failures.push({ what: 'det M − det Σ (a² det Σ + ab tr Σ + b²)', expression: detIdentity });
  const m11Identity = expand(`${M[0][0]} - (a*(s11^2+s12^2) + b*s11)`);
  if (m11Identity !== '0') failures.push({ what: 'M_11 − (a(s11² + s12²) + b s11)', expression: m11Identity });
  context.progress(1);
  if (failures.length > 0) {
    // A difference that did not expand to 0 refutes the identity only if it is nonzero
    // somewhere: evaluate it at a rational point before calling the check failed.
    const confirmed = failures.map((failure) => ({ ...failure, valueAtPoint: valueAtRationalPoint(failure.expression) }));
    const refuted = confirmed.some((failure) => failure.valueAtPoint !== '0');
    return {
      status: refuted ? 'failed' : 'inconclusive',
      summary: refuted
        ? `${failures.length} symbolic identities did not expand to 0 (first: ${failures[0].what}), and a rational point confirms a nonzero difference.`
        : `${failures.length} symbolic identities did not expand to 0 (first: ${failures[0].what}), but every difference vanishes at a rational point: a missed simplification is possible.`,
      metrics: [{ name: 'identities not shown', value: failures.length, threshold: 0, comparison: '==' }],
      details: { failures: confirmed as unknown as Json },
    };
  }
  return {
    status: 'verified',
    summary: `For d = 2 with symbolic Σ, a, b, s: the Hessian in P is 2 M ⊗ Σ, the gradient vanishes at P* = s(aΣ + bI)^{-1}, and M = aΣ² + bΣ ≻ 0.`,
    metrics: [
      { name: 'identities expanded to 0', value: 16 + 4 + 2, threshold: 22, comparison: '==' },
    ],
    details: { method: 'nerdamer diff and expand; L built by the generic closed form over symbolic expressions' },
    certificates: [
      '$d = 2$, $`\\Sigma = \\begin{pmatrix} s_{11} & s_{12} \\\\ s_{12} & s_{22}\\end{pmatrix}`$, $P = (p_{ij})$, $L(P) = c - 2s\\operatorname{tr}(\\Sigma P \\Sigma) + \\operatorname{tr}(P^\\top \\Sigma P M)$, $M = a\\Sigma^2 + b\\Sigma$.',
      '$\\operatorname{expand}\\big(\\partial^2 L / \\partial p_{ki}\\partial p_{lj} - 2\\Sigma_{kl} M_{ij}\\big) = 0$ for all 16 index pairs, and no second derivative contains a $p_{ij}$: $L$ is quadratic in $P$ with Hessian $2\\,M \\otimes \\Sigma$.',
      'With $D = \\det(a\\Sigma + bI)$ and $P^* = s\\,\\operatorname{adj}(a\\Sigma + bI)/D$: $\\operatorname{expand}\\big(D\\,\\partial L/\\partial p_{ij}(P^*)\\big) = 0$ for all four entries, so $\\nabla_P L(P^*) = 0$ wherever $D \\neq 0$.',
      '$\\det M = \\det\\Sigma\\,(a^2\\det\\Sigma + ab\\operatorname{tr}\\Sigma + b^2)$ and $M_{11} = a(s_{11}^2 + s_{12}^2) + b s_{11}$ (both expand to identities). For $\\Sigma \\succ 0$, $a = \\omega^\\top(R_n + I)\\omega > 0$ and $b = \\lVert \\omega\\rVert ^2(\\operatorname{tr}\\Sigma + \\sigma^2) > 0$ (any $\\omega \\neq 0$) both are positive, so $M \\succ 0$; the eigenvalues of $M \\otimes \\Sigma$ are products of positive eigenvalues, so the Hessian is positive definite, $L$ is strictly convex in $P$ and $P^*$ is its unique minimiser ($D > 0$ too).',
    ],
  };
}

/** Exact: L(P*(ω), ω) = L(ω) in rationals, and ωᵀr = 0 ⇒ P* = 0 and L(0, ω) = L(ω) = tr Σ + σ². */
function exactCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 40, standard: 200, thorough: 1000 });
  let mismatches = 0;
  let orthogonalCases = 0;
  let nonzeroPstar = 0;
  let first: Json = null;
  for (let t = 0; t < count; t++) {
    const { d, n, inputs, omega } = randomRationalRiskInstance(random, t);
    const Pstar = rationalOptimalPreconditioner(inputs, omega);
    if (!fieldRisk(rationalField, inputs, Pstar, omega).equals(rationalReducedRisk(inputs, omega))) {
      mismatches++;
      first ??= { d, n, omega: omega.map(showRational), case: 'L(P*) ≠ L(ω)' };
    }
    // make ω ⊥ r exactly: ω' = ω − (ωᵀr / rᵀr) r (skipped when r = 0, where every ω is orthogonal)
    const rr = rationalDot(inputs.r, inputs.r);
    const projection = rr.equals(0) ? q(0) : rationalDot(omega, inputs.r).div(rr);
    const orthogonal = omega.map((value, i) => value.sub(projection.mul(inputs.r[i])));
    context.progress((t + 1) / count);
    if (orthogonal.every((value) => value.equals(0))) continue;
    orthogonalCases++;
    const zeroP = Array.from({ length: d }, () => Array.from({ length: d }, () => q(0)));
    const orthogonalPstar = rationalOptimalPreconditioner(inputs, orthogonal);
    const riskAtZero = fieldRisk(rationalField, inputs, zeroP, orthogonal);
    const baseline = inputs.Sigma.reduce((acc, row, i) => acc.add(row[i]), q(0)).add(inputs.sigma2);
    const ok = orthogonalPstar.flat().every((value) => value.equals(0)) && riskAtZero.equals(baseline) && rationalReducedRisk(inputs, orthogonal).equals(baseline);
    if (!ok) {
      nonzeroPstar++;
      first ??= { d, n, omega: orthogonal.map(showRational), case: 'ωᵀr = 0 but P* ≠ 0 or L ≠ tr Σ + σ²' };
    }
  }
  return resultFromMetrics(
    {
      pass: `On ${count} rational instances L(P*(ω), ω) = L(ω) exactly; on ${orthogonalCases} with ωᵀr = 0 exactly, P* = 0 and L = tr Σ + σ².`,
      fail: `Exact mismatch: ${mismatches} with L(P*) ≠ L(ω), ${nonzeroPstar} with ωᵀr = 0 but P* ≠ 0.`,
    },
    [
      { name: 'L(P*(ω), ω) ≠ L(ω)', value: mismatches, threshold: 0, comparison: '==' },
      { name: 'ωᵀr = 0 with P* ≠ 0', value: nonzeroPstar, threshold: 0, comparison: '==' },
      { name: 'instances with ωᵀr = 0', value: orthogonalCases, threshold: 1, comparison: '>=' },
    ],
    { instances: count, first, tolerance: 'none: exact rational arithmetic' },
  );
}

/** float64: reducedRisk(ω) = risk(P*(ω), ω), and random perturbations E raise the risk by exactly tr(EᵀΣE M) > 0. */
function propertyCheck(context: CheckContext): CheckResult {
  return runProperty(context, {
    arbitrary: fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), logScale: fc.double({ min: -4, max: 1, noNaN: true }) }),
    evaluate: ({ seed, logScale }) => {
      const { task, omega, random } = randomFloatInstance(seed);
      const Pstar = optimalPreconditioner(task, omega);
      const atOptimum = risk(task, Pstar, omega);
      const reduced = reducedRisk(task, omega);
      const constant = task.covariance.eigenvalues.reduce((acc, value) => acc + value, 0) + task.sigma2;
      const scale = 10 ** logScale * Math.max(maxAbs(Pstar), 1e-3);
      const E = randomMatrix(random, task.d, task.d, scale);
      const PstarPlusE = Pstar.map((row, i) => row.map((value, j) => value + E[i][j]));
      const perturbed = risk(task, PstarPlusE, omega);
      // expected increase tr(Eᵀ Σ E M), M = aΣ² + bΣ
      const { a, b } = riskCoefficients(task, omega);
      const Sigma = task.covariance.Sigma;
      const Sigma2 = matmul(Sigma, Sigma);
      const curvature = Sigma2.map((row, i) => row.map((value, j) => a * value + b * Sigma[i][j]));
      const increase = matmul(matmul(matmul(transpose(E), Sigma), E), curvature).reduce((acc, row, i) => acc + row[i], 0);
      // Rounding of the two risk evaluations scales with the closed form on absolute values,
      // which exceeds the value itself when Σ is ill-conditioned (κ up to 1e8 here).
      const rounding = Math.max(riskRoundingScale(task, Pstar, omega), riskRoundingScale(task, PstarPlusE, omega));
      const magnitude = constant + Math.abs(perturbed) + increase + rounding;
      const allowed = 1e-13 * magnitude;
      const errorReduced = Math.abs(atOptimum - reduced);
      const errorIncrease = Math.abs(perturbed - atOptimum - increase);
      const lowered = Math.max(0, atOptimum - perturbed);
      return {
        error: Math.max(errorReduced, errorIncrease, lowered),
        allowed,
        note: `L(P*) = ${atOptimum}, L(ω) = ${reduced}, L(P* + E) − L(P*) = ${perturbed - atOptimum}, tr(EᵀΣEM) = ${increase}`,
      };
    },
    numRuns: byEffort(context.effort, { quick: 300, standard: 3000, thorough: 30000 }),
    tolerance:
      'each of |L(P*) − L(ω)|, |L(P* + E) − L(P*) − tr(EᵀΣEM)| and max(0, L(P*) − L(P* + E)) ≤ 1e-13 × (tr Σ + σ² + |L(P* + E)| + tr(EᵀΣEM) + S), S the closed form on absolute values at P* and P* + E (riskRoundingScale): the closed forms are sums of a few hundred float64 terms bounded by S, and P* comes from an eigendecomposition accurate to ~1e-14 relative.',
    describe: (input) => ({ ...input }),
    compared: 'reducedRisk(ω) vs risk(P*(ω), ω), and risk(P* + E) − risk(P*) vs tr(EᵀΣE(aΣ² + bΣ)) ≥ 0',
  });
}

/** float64 corner: r = 0 (block model with every ρ_k = 0) makes ωᵀr exactly 0 and P* exactly the zero matrix. */
function zeroCorrelationCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 50, standard: 500, thorough: 5000 });
  let largest = 0;
  for (let t = 0; t < count; t++) {
    const d = random.integer(1, 4);
    const sizes = [random.integer(1, 3), random.integer(1, 3)];
    const task = makeTask(rotatedCovariance(random, spreadEigenvalues(d, random.uniform())), blockCorrelation(sizes, [0, 0]), random.uniform());
    const omega = random.normalVector(sizes[0] + sizes[1]);
    largest = Math.max(largest, maxAbs(optimalPreconditioner(task, omega)));
  }
  context.progress(1);
  return resultFromMetrics(
    { pass: `With r = 0, P*(ω) is exactly the zero matrix on ${count} instances.`, fail: `With r = 0, P*(ω) has an entry of size ${largest}.` },
    [{ name: 'max |P*| when r = 0', value: largest, threshold: 0, comparison: '==' }],
    { instances: count, tolerance: 'none: ωᵀr is a sum of exact zeros, so P* = 0 · (aΣ + bI)^{-1} must be exactly 0' },
  );
}

const checks: Check[] = [
  derivedPreconditionerCheck,
  { id: 'symbolic-d2', kind: 'symbolic', title: 'd = 2, symbolic Σ, a, b, s: gradient zero at P*, Hessian 2(aΣ² + bΣ) ⊗ Σ ≻ 0', run: symbolicCheck },
  { id: 'exact', kind: 'exact', title: 'L(P*(ω), ω) equals the reduced risk exactly; ωᵀr = 0 gives P* = 0', run: exactCheck },
  { id: 'property', kind: 'property', title: 'float64: reduced risk at P*, and perturbations of P* raise the risk by tr(EᵀΣEM)', run: propertyCheck },
  { id: 'zero-correlation', kind: 'exact', title: 'r = 0 gives P* = 0 exactly in float64', run: zeroCorrelationCheck },
];

/**
 * Drops ω ≠ 0: then a = b = s = 0 and L(P, 0) = tr Σ + σ² for every P, so
 * P = 0 and P = I are both minimisers and "the unique minimiser" fails.
 */
function* zeroWeightInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const { task } = randomFloatInstance(random.integer(0, 2 ** 31 - 1));
    const zero = new Array<number>(task.n).fill(0);
    const atZero = risk(task, randomMatrix(random, task.d, task.d, 0), zero);
    const atRandom = risk(task, randomMatrix(random, task.d, task.d), zero);
    yield {
      input: { d: task.d, n: task.n, sigma2: task.sigma2 },
      holds: atZero !== atRandom,
      note: `with ω = 0, L(0, 0) = ${atZero} and L(P, 0) = ${atRandom} for a random P: every P minimises, so P* is not unique`,
    };
  }
}

export const claim: Claim = {
  id: 'P-STAR',
  title: 'The optimal preconditioner for fixed weights and the reduced risk',
  paperResult: 'For fixed weights the optimal preconditioner is explicit, which reduces the landscape analysis to a function of the weights alone.',
  statement: [
    'For fixed $\\omega \\neq 0$, $P \\mapsto L(P, \\omega)$ is strictly convex with unique minimiser $P^*(\\omega) = (\\omega^\\top r)(a\\Sigma + bI)^{-1}$, and',
    '$$L(\\omega) = \\min_P L(P, \\omega) = \\operatorname{tr}\\Sigma + \\sigma^2 - (\\omega^\\top r)^2 \\operatorname{tr}(\\Sigma^2 (a\\Sigma + bI)^{-1}).$$',
    'If $\\omega^\\top r = 0$ then $P^* = 0$.',
  ].join('\n\n'),
  hypotheses: [
    {
      id: 'model',
      statement: '$\\Sigma \\succ 0$, $R$ a correlation matrix, $\\sigma^2 \\ge 0$, $\\omega \\neq 0$ (so $a > 0$, $b > 0$).',
      probe: {
        violation: 'ω = 0 (the model kept)',
        run: (context) => searchProbe(context, { instances: zeroWeightInstances(new Random(context.seed), byEffort(context.effort, { quick: 5, standard: 20, thorough: 100 })), sampled: 'random tasks with ω = 0' }),
      },
    },
  ],
  checks,
};

