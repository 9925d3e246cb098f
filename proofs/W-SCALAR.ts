import type { Fraction } from 'mathjs';
import { expandSymbolic, product, rationalField, symbol, symbolicField } from '../src/algebra/field.ts';
import { q, showRational } from '../src/algebra/rational-matrix.ts';
import { byEffort } from '../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../src/claims/probe.ts';
import { runProperty } from '../src/claims/property.ts';
import type { Check, CheckContext, CheckResult, Claim, Json, Metric } from '../src/claims/types.ts';
import { Random } from '../src/data/random.ts';
import { rationalInScalarCone, rationalInSignedScalarCone } from '../src/gating/cone.ts';
import { ConeViolationError, rationalOrderedField, scalarGatesFor } from '../src/gating/synthesis.ts';
import { suffixProductWeights } from '../src/models/wpgd.ts';
import { coneReachInstance, compareScalarReach, REACH_MAX_D, REACH_MAX_N, SCALAR_REACH_TOLERANCE } from './support/reach-float.ts';
import { EXACT_REACH_HINTS, failingInstancesMetric, gatesOutsideUnitInterval, runExactReach } from './support/reach-exact.ts';
import { coneFeatures, rationalConePoint, rationalGate, rationalTarget, showVector } from './support/reach-instances.ts';
import { scalarReachSides } from './support/reach-sides.ts';
import { judgeCheck, ViolationLog } from './support/reach-verdict.ts';

/**
 * W-SCALAR: the weights scalar gates induce are exactly the cone
 * {0 ≤ ω_1 ≤ … ≤ ω_n}, up to a scale that P absorbs. Every gate choice lands
 * in it, and every point of it is reached by scalarGatesFor.
 */

/** Sizes of the symbolic proof that consecutive weights differ by a nonnegative product. */
const SYMBOLIC_SIZES = { quick: 6, standard: 10, thorough: 16 };

/**
 * Symbolic: with ω = suffix products of symbolic gates (the library's
 * suffixProductWeights), ω_n − γ_{n+1} and ω_{i+1} − ω_i − (1 − γ_{i+1}) Π_{j>i+1} γ_j
 * expand to 0. Both factors are ≥ 0 for gates in [0, 1], so every gate choice
 * gives 0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1.
 */
function symbolicGapsCheck(context: CheckContext): CheckResult {
  const largest = byEffort(context.effort, SYMBOLIC_SIZES);
  let identities = 0;
  for (let n = 1; n <= largest; n++) {
    const gamma = Array.from({ length: n + 1 }, (_, j) => symbol(`g${j + 1}`));
    const omega = suffixProductWeights(symbolicField, gamma);
    const differences = [symbolicField.sub(omega[n - 1], gamma[n])];
    for (let i = 0; i + 1 < n; i++) {
      // 0-based: ω[i + 1] − ω[i] against (1 − γ_{i+2}) Π_{j ≥ i+3} γ_j in 1-based notation.
      const tail = product(symbolicField, gamma.slice(i + 2));
      const gap = symbolicField.mul(symbolicField.sub(symbolicField.one, gamma[i + 1]), tail);
      differences.push(symbolicField.sub(symbolicField.sub(omega[i + 1], omega[i]), gap));
    }
    for (const difference of differences) {
      identities++;
      const expanded = expandSymbolic(difference).toString();
      if (expanded !== '0') {
        return {
          status: 'failed',
          summary: `At n = ${n} a gap identity does not hold: the difference expands to ${expanded}.`,
          metrics: [{ name: 'identities that do not expand to 0', value: 1, threshold: 0, comparison: '==' }],
          details: { n, difference: expanded },
          counterexample: {
            input: { n },
            failure: `difference expands to ${expanded}`,
            replay: context.replayCommand,
            hints: ['suffixProductWeights must include the query gate γ_{n+1} and exclude γ_1.'],
          },
        };
      }
    }
    context.progress(n / largest);
  }
  return {
    status: 'verified',
    summary: `For every n ≤ ${largest}: ω_n = γ_{n+1} and ω_{i+1} − ω_i = (1 − γ_{i+1}) Π_{j>i+1} γ_j, so gates in [0, 1] give 0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1.`,
    metrics: [
      { name: 'sizes proved', value: largest, threshold: largest, comparison: '==' },
      { name: 'identities expanded to 0', value: identities },
    ],
    details: { method: 'nerdamer expansion of the library suffix products over symbolic gates g1..g(n+1)' },
    certificates: [
      `For $n \\le ${largest}$: $\\omega_n - \\gamma_{n+1}$ and $\\omega_{i+1} - \\omega_i - (1 - \\gamma_{i+1})\\prod_{j>i+1}\\gamma_j$ ` +
        'expand to $0$ in $\\mathbb{Q}[\\gamma_1, \\dots, \\gamma_{n+1}]$, so $\\gamma_j \\in [0,1]$ implies $0 \\le \\omega_1 \\le \\dots \\le \\omega_n \\le 1$.',
    ],
  };
}

/** Exact: suffix products of random rational gates in [0, 1] (exact 0 and 1 included) lie in the cone with ω_n ≤ 1. */
function gatesLandInConeCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 400, standard: 4000, thorough: 40000 });
  const violations = new ViolationLog();
  let withZero = 0;
  let withOne = 0;
  for (let index = 0; index < count; index++) {
    const n = index === 0 ? 16 : random.integer(1, 16);
    const gamma = Array.from({ length: n + 1 }, () => rationalGate(random));
    const omega = suffixProductWeights(rationalField, gamma);
    if (gamma.slice(1).some((gate) => gate.equals(0))) withZero++;
    if (gamma.slice(1).some((gate) => gate.equals(1))) withOne++;
    if (!rationalInScalarCone(omega) || omega[n - 1].compare(1) > 0) {
      const shown = showVector(gamma);
      violations.add({
        input: { gamma: shown, omega: showVector(omega) },
        failure: `gates ${JSON.stringify(shown)} give ω = ${JSON.stringify(showVector(omega))}, outside 0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1 (exact arithmetic)`,
        size: [n, JSON.stringify(shown).length],
      });
    }
    context.progress((index + 1) / count);
  }
  return judgeCheck(context, {
    pass: `${count} random rational gate choices (n ≤ 16) all give weights in the cone with ω_n ≤ 1.`,
    fail: 'Suffix products of gates in [0, 1] left the cone:',
    undecidedSummary: 'No gate choice left the cone, but a gate value class was never drawn',
    info: [{ name: 'gate choices', value: count }],
    required: [{ name: 'gate choices outside the cone', value: violations.count, threshold: 0, comparison: '==' }],
    undecided: [
      { name: 'choices with an exact 0 gate', value: withZero, threshold: 1, comparison: '>=' },
      { name: 'choices with an exact 1 gate', value: withOne, threshold: 1, comparison: '>=' },
    ],
    violations,
    hints: ['Check suffixProductWeights against ω_i = Π_{j=i+1}^{n+1} γ_j by hand on this input.'],
    details: { seed: context.seed, gates: 'exactly 0 (15 %), exactly 1 (20 %), else k/m with 1 ≤ k < m ≤ 9', membership: 'rationalInScalarCone, exact comparisons' },
  });
}

/** Exact: random rational cone points → scalarGatesFor → the rational GLA forward pass equals WPGD with the target ω. */
function coneReachedCheck(context: CheckContext): CheckResult {
  const count = byEffort(context.effort, { quick: 150, standard: 1500, thorough: 15000 });
  const summary = runExactReach(context, {
    count,
    draw: (random, index) => {
      const n = index === 0 ? 10 : random.integer(1, 10);
      const d = index === 0 ? 4 : random.integer(1, 4);
      return { n, d, omega: rationalConePoint(random, n) };
    },
    evaluate: (prompt, omega) => {
      const sides = scalarReachSides(rationalOrderedField, prompt, omega);
      const { gamma, scale } = sides.synthesis;
      const problems = gatesOutsideUnitInterval(gamma);
      const reached = suffixProductWeights(rationalField, gamma).map((value) => value.mul(scale));
      if (!reached.every((value, i) => value.equals(omega[i]))) {
        problems.push(`c · suffix products = ${JSON.stringify(showVector(reached))} ≠ target`);
      }
      return { gla: sides.gla, wpgd: sides.wpgd, problems };
    },
    classify: (omega) => {
      const features = coneFeatures(omega);
      return Object.entries(features)
        .filter(([, present]) => present)
        .map(([name]) => name);
    },
  });
  const labels: Record<string, string> = { zeros: 'some ω_i = 0', ties: 'ties ω_i = ω_{i+1}', aboveOne: 'ω_n > 1', exactlyOne: 'ω_n = 1' };
  const coverage: Metric[] = ['zeros', 'ties', 'aboveOne', 'exactlyOne'].map((tag) => ({
    name: `targets with ${labels[tag]}`,
    value: summary.tags[tag] ?? 0,
    threshold: 1,
    comparison: '>=',
  }));
  return judgeCheck(context, {
    pass: `${summary.instances} rational cone points (n ≤ ${summary.maxN}, d ≤ ${summary.maxD}) are reached exactly: gates in [0, 1], c · suffix products = ω, ŷ_GLA = xᵀ P Xᵀ (ω ⊙ y).`,
    fail: 'Synthesised scalar gates missed some cone point:',
    undecidedSummary: 'Every cone point drawn was reached, but a target feature never occurred',
    info: [{ name: 'instances', value: summary.instances }, { name: 'largest denominator (digits)', value: summary.digits }],
    required: [failingInstancesMetric(summary)],
    undecided: coverage,
    violations: summary.violations,
    hints: EXACT_REACH_HINTS,
    details: {
      seed: context.seed,
      tags: summary.tags,
      targets: 'running sums of increments that are 0 (35 %) or p/q; half divided by k·ω_n, k ∈ {1, 2, 3}',
      tolerance: 'none: exact rational arithmetic',
    },
  });
}

/** float64 property at n up to REACH_MAX_N. */
function floatConeReachedCheck(context: CheckContext): CheckResult {
  return runProperty(context, {
    arbitrary: coneReachInstance,
    numRuns: byEffort(context.effort, { quick: 150, standard: 1500, thorough: 15000 }),
    tolerance: SCALAR_REACH_TOLERANCE,
    compared: 'GLA recurrence with synthesised scalar gates and c·P vs xᵀ P Xᵀ (ω ⊙ y) with the target ω',
    describe: (instance) => instance as unknown as Json,
    evaluate: (instance) => {
      const result = compareScalarReach(instance);
      return { error: result.error, allowed: result.allowed, note: `GLA ${result.gla}, WPGD ${result.wpgd}` };
    },
  });
}

/**
 * Independent first violating index: the smallest k whose prefix ω_1..ω_k is
 * outside the cone, turned into the index of the offending entry (1 when ω_1 < 0,
 * else k − 1, because ω_k < ω_{k−1} there).
 */
function firstViolationByPrefixes(omega: readonly Fraction[]): number | undefined {
  for (let k = 1; k <= omega.length; k++) {
    if (!rationalInScalarCone(omega.slice(0, k))) return k === 1 ? 1 : k - 1;
  }
  return undefined;
}

/**
 * Returns the gate γ_{i+1} that the violating index i forces, since
 * ω_i = γ_{i+1} ω_{i+1} for every gate choice. `outside` is true when no value
 * in [0, 1] works.
 */
function neededGate(omega: readonly Fraction[], index: number): { text: string; outside: boolean } {
  if (index === 1 && omega[0].compare(0) < 0) return { text: 'none: ω_1 < 0, but gate products are ≥ 0', outside: true };
  const current = omega[index - 1];
  const next = omega[index];
  if (next.compare(0) < 0) return { text: `none: ω_${index + 1} < 0, but gate products are ≥ 0`, outside: true };
  if (next.equals(0)) return { text: `none: ω_${index + 1} = 0 < ω_${index}`, outside: true };
  const ratio = current.div(next);
  return { text: showRational(ratio), outside: ratio.compare(0) < 0 || ratio.compare(1) > 0 };
}

/**
 * Negative control: targets outside the cone are rejected with a
 * ConeViolationError at the first violating index i, and the gate that index
 * needs, γ_{i+1} = ω_i / ω_{i+1}, is not in [0, 1] (or ω_i < 0 = ω_i's
 * smallest gate product), so no gate choice with c > 0 reaches them.
 */
function outsideConeRejectedCheck(context: CheckContext): CheckResult {
  const random = new Random(context.seed);
  const count = byEffort(context.effort, { quick: 300, standard: 3000, thorough: 30000 });
  const violations = new ViolationLog();
  let handled = 0;
  let outsideSigned = 0;
  let negatedInCone = 0;
  let drawn = 0;
  const examples: Json[] = [];
  while (handled < count) {
    drawn++;
    const n = random.integer(1, 8);
    const omega = rationalTarget(random, n);
    const expected = firstViolationByPrefixes(omega);
    if (expected === undefined) continue;
    handled++;
    let thrown: unknown;
    try {
      scalarGatesFor(rationalOrderedField, omega);
    } catch (error) {
      thrown = error;
    }
    const index = thrown instanceof ConeViolationError ? thrown.index : undefined;
    const needed = neededGate(omega, expected);
    if (index !== expected || !needed.outside) {
      const shown = showVector(omega);
      const got = index === undefined ? String(thrown ?? 'no error') : `index ${index}`;
      violations.add({
        input: { omega: shown, neededGate: needed.text },
        failure: `target ${JSON.stringify(shown)}: expected a rejection at index ${expected}, got ${got}`,
        size: [n, JSON.stringify(shown).length],
      });
      continue;
    }
    if (rationalInScalarCone(omega.map((value) => value.neg()))) negatedInCone++;
    if (!rationalInSignedScalarCone(omega)) outsideSigned++;
    if (examples.length < 4) examples.push({ omega: showVector(omega), index, neededGate: needed.text });
    context.progress(handled / count);
  }
  return judgeCheck(context, {
    pass:
      `${count} targets outside the cone are rejected at their first violating index, where the needed gate ω_i/ω_{i+1} is outside [0, 1]; ` +
      `${outsideSigned} of them lie outside ±cone, so no scale c of P reaches them either.`,
    fail: 'scalarGatesFor handled some target outside the cone wrongly:',
    undecidedSummary: 'Every target was rejected at the right index, but none outside both the cone and its negative was drawn',
    info: [
      { name: 'targets outside the cone', value: count },
      { name: 'targets in −cone (reached with c < 0 in P)', value: negatedInCone },
    ],
    required: [{ name: 'targets handled wrongly', value: violations.count, threshold: 0, comparison: '==' }],
    undecided: [{ name: 'targets outside ±cone', value: outsideSigned, threshold: 1, comparison: '>=' }],
    violations,
    hints: ['scalarGatesFor must reject every target outside 0 ≤ ω_1 ≤ … ≤ ω_n and name the first violation in prompt order.'],
    details: {
      seed: context.seed,
      drawn,
      examples,
      argument:
        'every gate choice gives ω_i = γ_{i+1} ω_{i+1} ≤ ω_{i+1} and ω_1 ≥ 0 (symbolic check), so a target with ω_i > ω_{i+1} or ω_1 < 0 ' +
        'is c·(gate products) for no c > 0; a target outside −cone as well is reached by no c ≠ 0',
    },
  });
}

/**
 * Probe of "gates in [0, 1]": gates that enter ω (γ_2 … γ_{n+1}) drawn from
 * {0, 1/2, 1, 3/2, 2}, sizes n = 1, 2, 3, … in order. Only draws with at
 * least one of them above 1 violate the hypothesis, so only those are kept;
 * the conclusion fails once the suffix products leave ±cone.
 */
function* widerGateInstances(random: Random, count: number): Generator<ProbeOutcome> {
  for (let index = 0; index < count; index++) {
    const n = 1 + Math.floor(index / 8);
    const gamma = Array.from({ length: n + 1 }, () => q(random.integer(0, 4), 2));
    if (gamma.slice(1).every((gate) => gate.compare(1) <= 0)) continue;
    const omega = suffixProductWeights(rationalField, gamma);
    const holds = rationalInSignedScalarCone(omega);
    yield {
      input: { n, gamma: showVector(gamma), omega: showVector(omega) },
      holds,
      note: holds
        ? `gates ${JSON.stringify(showVector(gamma))} give weights in ±cone`
        : `gates ${JSON.stringify(showVector(gamma))} give ω = ${JSON.stringify(showVector(omega))}, which is in neither the cone nor its negative (0 ≥ ω_1 ≥ … ≥ ω_n)`,
    };
  }
}

const checks: Check[] = [
  { id: 'symbolic-gaps', kind: 'symbolic', title: 'ω_{i+1} − ω_i = (1 − γ_{i+1}) Π_{j>i+1} γ_j symbolically: every gate choice lands in the cone', run: symbolicGapsCheck },
  { id: 'exact-gates-in-cone', kind: 'exact', title: 'suffix products of random rational gates (0 and 1 included) lie in the cone with ω_n ≤ 1', run: gatesLandInConeCheck },
  { id: 'exact-cone-reached', kind: 'exact', title: 'random rational cone points (zeros, ties, ω_n > 1) are reached exactly by synthesised gates through the GLA', run: coneReachedCheck },
  {
    id: 'float-cone-reached',
    kind: 'property',
    title: `float64: synthesised gates reach random cone points through the GLA (n ≤ ${REACH_MAX_N}, d ≤ ${REACH_MAX_D})`,
    run: floatConeReachedCheck,
  },
  { id: 'outside-cone-rejected', kind: 'exact', title: 'targets outside the cone are rejected at the first violating index, which no gate choice reaches', run: outsideConeRejectedCheck },
];

export const claim: Claim = {
  id: 'W-SCALAR',
  title: 'Scalar gates induce exactly the monotone cone of weights',
  paperResult:
    'With scalar gating the induced WPGD weights are products of gates, so they are nonnegative and nondecreasing towards the query; ' +
    'conversely every such weighting is induced by some gate values, with any overall scale absorbed by the preconditioner.',
  statement: [
    'Under construction C with scalar gates $\\gamma_j \\in [0, 1]$ the weights $\\omega_i = \\prod_{j=i+1}^{n+1}\\gamma_j$ satisfy ' +
      '$0 \\le \\omega_1 \\le \\dots \\le \\omega_n \\le 1$. Conversely every $\\omega$ with $0 \\le \\omega_1 \\le \\dots \\le \\omega_n$ is reached: ' +
      'with $c = \\max(\\omega_n, 1)$ and $\\tilde\\omega = \\omega / c$,',
    '$$\\gamma_{n+1} = \\tilde\\omega_n, \\qquad \\gamma_{i+1} = \\tilde\\omega_i / \\tilde\\omega_{i+1}\\ (i < n,\\ \\tilde\\omega_{i+1} \\ne 0), \\qquad \\gamma_{i+1} = 1\\ (\\tilde\\omega_{i+1} = 0),$$',
    'and the layer with preconditioner $cP$ predicts $x^\\top P X^\\top(\\omega \\odot y)$. So $W_{\\mathrm{scalar}} = \\lbrace c\\,\\omega : 0 \\le \\omega_1 \\le \\dots \\le \\omega_n \\le 1,\\ c \\in \\mathbb{R}\\rbrace$.',
  ].join('\n\n'),
  hypotheses: [
    {
      id: 'gates-in-unit-interval',
      statement: 'Every gate value lies in $[0, 1]$ (a sigmoid gate does).',
      probe: {
        violation: 'gates drawn from {0, 1/2, 1, 3/2, 2}, at least one gate that enters ω above 1',
        run: (context) =>
          searchProbe(context, {
            instances: widerGateInstances(new Random(context.seed), byEffort(context.effort, { quick: 64, standard: 256, thorough: 1024 })),
            sampled: 'gates in {0, 1/2, 1, 3/2, 2} with some γ_j > 1 (j ≥ 2), n = 1, 2, … in order, exact suffix products',
          }),
      },
    },
    {
      id: 'construction',
      statement: 'Construction C ($k_i = (x_i, 0)$, $v_i = (0, y_i)$, $q_{n+1} = (P^\\top x, 0)$) with a preconditioner that can absorb the scale $c$.',
      notProbed: 'It defines the model whose weights the statement describes; GLA-1 shows that any other gate map still gives suffix products.',
    },
  ],
  checks,
};
