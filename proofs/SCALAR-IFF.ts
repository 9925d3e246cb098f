import fc from 'fast-check';
import type { Fraction } from 'mathjs';
import { q, showRational } from '../src/algebra/rational-matrix.ts';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { runProperty } from '../src/claims/property.ts';
import type { Check, CheckContext, CheckResult, Claim, Json } from '../src/claims/types.ts';
import { rationalBlockCorrelation } from '../src/data/instances.ts';
import { Random } from '../src/data/random.ts';
import { rationalInSignedScalarCone } from '../src/gating/cone.ts';
import { scalarOptimum } from '../src/gating/optima.ts';
import { curveProblem, globalCurveSearch } from '../src/optim/curve.ts';
import { nullRisk } from '../src/theory/risk.ts';
import { exactIsotropic } from './support/gating-exact.ts';
import {
  generalInstance,
  generalInstanceArbitrary,
  generalInstanceJson,
  randomRationalIsotropicInstance,
  rationalInstanceJson,
  rationalInstanceSize,
  smallDescentInstanceArbitrary,
  type RationalIsotropicInstance,
} from './support/gating-instances.ts';
import { gatingResult, ViolationLog, withUnjudged } from './support/gating-results.ts';

/**
 * SCALAR-IFF: L*_scalar = L*_WPGD iff some global minimiser ω* of L has ω* or
 * −ω* in the scalar cone K = {0 ≤ ω_1 ≤ … ≤ ω_n}.
 */

/** Draws an exact instance; every seventh has r = 0 (all ρ_k = 0), where every ω, 1 included, is a global minimiser. */
function exactInstance(random: Random, index: number): RationalIsotropicInstance {
  if (index % 7 === 6) {
    const sizes = [random.integer(1, 3), random.integer(1, 3)];
    return { kind: 'r = 0', d: random.integer(1, 3), R: rationalBlockCorrelation(sizes, [q(0), q(0)]), sigma2: q(random.integer(0, 3)), sizes, rho: [q(0), q(0)] };
  }
  return randomRationalIsotropicInstance(random, index);
}

/**
 * Exact, Σ = I: the global minimisers are the orbit of ω* = Q^{-1} r (UNIQUE) when
 * r ≠ 0, and every ω when r = 0. Both directions are tested: ±ω* ∈ K must give
 * L*_scalar = L*_WPGD exactly, and ±ω* ∉ K must give L*_scalar > L*_WPGD strictly.
 */
function exactCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 49, standard: 1050, thorough: 4200 });
  const violations = new ViolationLog();
  let inside = 0;
  let outside = 0;
  let zeroR = 0;
  let uncertified = 0;
  for (let index = 0; index < count; index++) {
    const instance = exactInstance(random, index);
    const exact = exactIsotropic(instance);
    const { scalar, wpgd } = exact.optima;
    context.progress((index + 1) / count);
    if (!scalar.certified) {
      uncertified++;
      continue;
    }
    const rZero = exact.r.every((value) => value.equals(0));
    const inCone = rZero || rationalInSignedScalarCone(wpgd.omega);
    if (rZero) zeroR++;
    else if (inCone) inside++;
    else outside++;
    const equal = scalar.risk.equals(wpgd.risk);
    const strict = scalar.risk.gt(wpgd.risk);
    if (inCone !== equal || (!inCone && !strict)) {
      violations.record(
        rationalInstanceSize(instance),
        () => ({ instance: rationalInstanceJson(instance), omegaStar: wpgd.omega.map(showRational), scalarOmega: scalar.omega.map(showRational) }),
        `±ω* is ${inCone ? '' : 'not '}in K, but L*_scalar = ${showRational(scalar.risk)} and L*_WPGD = ${showRational(wpgd.risk)}`,
      );
    }
  }
  return gatingResult({
    context,
    summary: {
      pass: `On ${count} exact isotropic instances L*_scalar = L*_WPGD exactly when ±ω* ∈ K (${inside} instances, plus ${zeroR} with r = 0) and L*_scalar > L*_WPGD strictly when not (${outside}).`,
      fail: `The equivalence fails on ${violations.count} of ${count} exact isotropic instances.`,
    },
    violationName: 'instances contradicting the equivalence',
    violations,
    coverage: [
      { name: 'instances with ±ω* in K', value: inside, minimum: 1 },
      { name: 'instances with ±ω* outside K', value: outside, minimum: 1 },
      { name: 'instances with r = 0', value: zeroR, minimum: 1 },
    ],
    unjudged: [{ name: 'cone programs without exact KKT certificate', count: uncertified }],
    details: { instances: count, tolerance: 'none: exact rationals; ±ω* ∈ K decided exactly, L*_scalar from the exact cone program, KKT-certified on both sign sides' },
    hints: [
      'For Σ = I the global minimisers are the multiples of ω* = (R_n + (d + 1 + σ²)I)^{-1} r: recompute ω* exactly and test ±ω* ∈ K by hand.',
      'Recompute the cone optimum with rationalConeQuadraticMax and inspect both sign sides and their multipliers.',
    ],
  });
}

/**
 * Float64 cone tests. A global minimiser is "inside" when its worst cone violation
 * v (the most negative of ω_1, ω_2 − ω_1, …, relative to max|ω_i|, for the better
 * of ±ω) is at most INSIDE_RTOL: the curve search returns ω* to ~1e-14, and block
 * models put exact ties inside blocks that round-off turns into ±1e-16.
 *
 * Outside K the gap L*_scalar − L*_WPGD is positive but of second order: about
 * v² times the WPGD gain (c − L*_WPGD)/c times a curvature factor. That factor
 * is an estimate, not a bound: it stayed above 0.03 on 800 sampled instances of
 * this check's two generators, small descents included.
 * An instance is "clearly outside" when v² · gain ≥ OUTSIDE_SCALE, where the
 * expected gap exceeds GAP_RTOL by a factor of three or more, and it must then
 * show gap > GAP_RTOL·c. Since gain ≤ 1, this needs v ≥ 1e-4. Between the two
 * (near the boundary, or a tiny gain) the gap can fall below float64
 * resolution, so only gap ≥ −GAP_RTOL·c is required there.
 */
const INSIDE_RTOL = 1e-9;
const OUTSIDE_SCALE = 1e-8;
/** Gap tolerance relative to c: the risks are accurate to ~1e-14 c (see ORDER). */
const GAP_RTOL = 1e-10;
/** Peaks of the curve search within this relative risk of the best count as further global minimisers. */
const TIE_RTOL = 1e-12;

/** Returns the worst cone violation of ω for the better of ±ω, relative to max|ω_i| (0 inside K ∪ −K). */
export function signedConeViolation(omega: readonly number[]): number {
  const largest = omega.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
  if (largest === 0) return 0;
  const violation = (sign: number) => {
    let worst = Math.max(0, -sign * omega[0]);
    for (let i = 1; i < omega.length; i++) worst = Math.max(worst, -sign * (omega[i] - omega[i - 1]));
    return worst / largest;
  };
  return Math.min(violation(1), violation(-1));
}

function generalCheck(context: CheckContext): CheckResult {
  const counts = { inside: 0, outside: 0, near: 0, uncertified: 0, smallDescent: 0 };
  let smallestOutsideGap = Infinity;
  const nearExamples: Json[] = [];
  const methods: { [method: string]: number } = {};
  const result = runProperty(context, {
    // One input in three has a single small descent in ρ, so that ω* lies just outside K.
    arbitrary: fc.oneof({ arbitrary: generalInstanceArbitrary, weight: 2 }, { arbitrary: smallDescentInstanceArbitrary, weight: 1 }),
    evaluate: (spec) => {
      const instance = generalInstance(spec);
      const task = instance.task;
      const c = nullRisk(task);
      if (task.correlation.r.every((value) => value === 0)) return { error: 0, allowed: 1, note: 'r = 0' };
      if (spec.kind === 6) counts.smallDescent++;
      const search = globalCurveSearch(curveProblem(task));
      const minimisers = search.peaks.filter((peak) => peak.risk <= search.best.risk + TIE_RTOL * c);
      const violation = Math.min(...minimisers.map((peak) => signedConeViolation(peak.omega)));
      const scalar = scalarOptimum(task, { starts: 0 });
      methods[scalar.method] = (methods[scalar.method] ?? 0) + 1;
      if (!scalar.certified || scalar.uncertifiedGridSides > 0) {
        counts.uncertified++;
        return { error: 0, allowed: 1, note: 'scalar optimum not certified' };
      }
      const gap = (scalar.risk - search.best.risk) / c;
      const gain = (c - search.best.risk) / c;
      const note = `cone violation of ω* ${violation.toExponential(3)}, WPGD gain ${gain.toExponential(3)}, (L*_scalar − L*_WPGD)/c = ${gap.toExponential(3)}`;
      if (violation <= INSIDE_RTOL) {
        counts.inside++;
        return { error: Math.abs(gap), allowed: GAP_RTOL, note: `inside: ${note}` };
      }
      if (violation * violation * gain >= OUTSIDE_SCALE) {
        counts.outside++;
        smallestOutsideGap = Math.min(smallestOutsideGap, gap);
        // Outside K the gap must be positive beyond round-off: error 0 when gap > GAP_RTOL, else how far it falls short.
        return { error: gap > GAP_RTOL ? 0 : 2 * GAP_RTOL - gap, allowed: GAP_RTOL, note: `outside: ${note}` };
      }
      counts.near++;
      if (nearExamples.length < 3) nearExamples.push({ spec: { ...spec }, violation, gain, gap });
      return { error: Math.max(0, -gap), allowed: GAP_RTOL, note: `near the boundary: ${note}` };
    },
    numRuns: byEffort(context.effort, { quick: 16, standard: 500, thorough: 2000 }),
    tolerance:
      `inside (violation v ≤ ${INSIDE_RTOL}): |gap| ≤ ${GAP_RTOL}·c; clearly outside (v² · gain ≥ ${OUTSIDE_SCALE}, gain = (c − L*_WPGD)/c): gap > ${GAP_RTOL}·c; ` +
      `in between only gap ≥ −${GAP_RTOL}·c is required. Risks are accurate to ~1e-14·c; ω* from the polished curve search to ~1e-14.`,
    describe: (spec) => ({ spec: { ...spec }, instance: generalInstanceJson(generalInstance(spec)) }),
    compared: 'L*_scalar = L*_WPGD exactly when a global minimiser lies in ±K, and strictly above it otherwise',
  });
  Object.assign(result.details, { counts, methods, smallestOutsideGap: Number.isFinite(smallestOutsideGap) ? smallestOutsideGap : null, nearBoundary: nearExamples });
  result.metrics.push(
    { name: 'instances near the boundary (only gap ≥ −tolerance judged)', value: counts.near },
    { name: 'instances with one small descent in ρ', value: counts.smallDescent },
  );
  return withUnjudged(
    result,
    [{ name: 'scalar optima without a KKT certificate (either sign side at μ°, or a hole in the μ-grid)', count: counts.uncertified }],
    [
      { name: 'instances with ω* inside ±K', value: counts.inside, minimum: 1 },
      { name: 'instances with ω* clearly outside ±K', value: counts.outside, minimum: 1 },
    ],
  );
}

/**
 * Probe of "P is free": with P restricted to positive semidefinite matrices,
 * L(P, ω) ≥ tr Σ + σ² whenever ωᵀr ≤ 0 (both P-terms are then ≥ 0), while for
 * ωᵀr > 0 the optimal P* = s (aΣ + bI)^{-1} is already PSD. So the restricted
 * scalar optimum uses only the cone side with ωᵀr > 0. WPGD is unaffected,
 * because L(−ω) = L(ω) lets it pick the sign of ω. Walked smallest first.
 */
function* psdInstances(random: Random, count: number): Generator<ProbeOutcome> {
  const small: RationalIsotropicInstance[] = [q(1, 2), q(-1, 2), q(1), q(-1)].map((rho) => ({
    kind: 'one example',
    d: 1,
    R: rationalBlockCorrelation([1], [rho]),
    sigma2: q(0),
    sizes: [1],
    rho: [rho],
  }));
  const instances = [...small, ...Array.from({ length: count }, (_, index) => exactInstance(random, index))];
  for (const instance of instances) {
    const exact = exactIsotropic(instance);
    const { scalar, wpgd } = exact.optima;
    const d = instance.d;
    const plus: Fraction = scalar.solution.sides.plus.ratio;
    const restricted = instance.sigma2.add(d).sub(plus.mul(d));
    const rZero = exact.r.every((value) => value.equals(0));
    const inCone = rZero || rationalInSignedScalarCone(wpgd.omega);
    const equal = restricted.equals(wpgd.risk);
    yield {
      input: rationalInstanceJson(instance),
      holds: equal === inCone,
      note: `with P ⪰ 0 the scalar optimum is ${showRational(restricted)} against L*_WPGD = ${showRational(wpgd.risk)}, while ${inCone ? 'a' : 'no'} global minimiser lies in ±K (ω* = (${wpgd.omega.map(showRational).join(', ')}))`,
    };
  }
}

const checks: Check[] = [
  { id: 'exact-isotropic', kind: 'exact', title: 'exact, Σ = I: ±ω* ∈ K gives equality, ±ω* ∉ K a strict gap', run: exactCheck },
  { id: 'general-sigma', kind: 'property', title: 'float64, general Σ: equality inside ±K, a gap clearly outside, near-boundary cases counted', run: generalCheck },
];

export const claim: Claim = {
  id: 'SCALAR-IFF',
  title: 'Scalar gating is optimal exactly when an optimal weighting is monotone',
  paperResult: 'Scalar gating reaches the optimal WPGD risk only when the optimal weights can be written as products of gates: nonnegative and nondecreasing towards the query, up to sign.',
  statement:
    '$L^*_{\\mathrm{scalar}} = L^*_{\\mathrm{WPGD}}$ if and only if some global minimiser $\\omega^*$ of $L$ has $\\omega^*$ or $-\\omega^*$ in the cone $\\lbrace 0 \\le \\omega_1 \\le \\dots \\le \\omega_n \\rbrace$.',
  hypotheses: [
    {
      id: 'model',
      statement: 'Multitask model with $\\Sigma \\succ 0$, a correlation matrix $R$ and $\\sigma^2 \\ge 0$; fixed weights (gates read only delimiter features).',
      notProbed: 'It defines $L$ and both optima; without it the statement has no objects to compare.',
    },
    {
      id: 'free-P',
      statement: 'The preconditioner $P$ ranges over all $d \\times d$ matrices, so it absorbs the scale and the sign of $\\omega$.',
      probe: {
        violation: 'P restricted to positive semidefinite matrices (scalar gating then keeps only cone points with ωᵀr > 0)',
        run: (context) =>
          searchProbe(context, {
            instances: psdInstances(new Random(context.seed), byEffort(context.effort, { quick: 10, standard: 60, thorough: 300 })),
            sampled: 'exact Σ = I instances, one-example prompts first',
            details: { tolerance: 'none: exact rationals' },
          }),
      },
    },
  ],
  checks,
};
