import type { Fraction } from 'mathjs';
import { showRational } from '../../src/algebra/rational-matrix.ts';
import type { CheckContext, CheckResult, Json } from '../../src/claims/types.ts';
import { Random } from '../../src/data/random.ts';
import { rationalPrompt, showPrompt, showVector, type RationalPrompt } from './reach-instances.ts';

/**
 * The loop shared by the exact reachability checks: draw a rational target
 * and prompt, synthesise gates, and require exact agreement of GLA and WPGD
 * plus the check's own conditions on the synthesised gates.
 */

/** The outcome of one instance: both predictions and any violated condition on the gates. */
export interface ExactReachOutcome {
  gla: Fraction;
  wpgd: Fraction;
  /** Conditions the synthesis broke, e.g. "γ_3 = 3/2 is outside [0, 1]"; empty when all hold. */
  problems: string[];
}

export interface ExactReachSpec {
  count: number;
  /** Draws the sizes and target of instance `index` (index 0 should be the largest size). */
  draw: (random: Random, index: number) => { n: number; d: number; omega: Fraction[] };
  evaluate: (prompt: RationalPrompt, omega: Fraction[]) => ExactReachOutcome;
  /** Feature tags of a target (e.g. "zeros", "ties"), counted over all instances. */
  classify: (omega: readonly Fraction[]) => string[];
}

export interface ExactReachSummary {
  instances: number;
  maxN: number;
  maxD: number;
  /** How many targets had each feature tag. */
  tags: Record<string, number>;
  /** Largest number of digits in a prediction's denominator. */
  digits: number;
  failure?: { index: number; input: Json; failure: string };
}

/** Runs the instances in order and stops at the first one that fails. */
export function runExactReach(context: CheckContext, spec: ExactReachSpec): ExactReachSummary {
  const random = new Random(context.seed);
  const summary: ExactReachSummary = { instances: 0, maxN: 0, maxD: 0, tags: {}, digits: 0 };
  for (let index = 0; index < spec.count; index++) {
    const { n, d, omega } = spec.draw(random, index);
    const prompt = rationalPrompt(random, n, d);
    const outcome = spec.evaluate(prompt, omega);
    summary.instances++;
    summary.maxN = Math.max(summary.maxN, n);
    summary.maxD = Math.max(summary.maxD, d);
    for (const tag of spec.classify(omega)) summary.tags[tag] = (summary.tags[tag] ?? 0) + 1;
    summary.digits = Math.max(summary.digits, outcome.gla.d.toString().length, outcome.wpgd.d.toString().length);
    const problems = [...outcome.problems];
    if (!outcome.gla.equals(outcome.wpgd)) problems.push(`ŷ_GLA = ${showRational(outcome.gla)} ≠ ŷ_WPGD = ${showRational(outcome.wpgd)}`);
    if (problems.length > 0) {
      summary.failure = { index, input: { n, d, omega: showVector(omega), prompt: showPrompt(prompt) }, failure: problems.join('; ') };
      return summary;
    }
    context.progress((index + 1) / spec.count);
  }
  return summary;
}

/** Builds the failed result of an exact reachability check, with its counterexample. */
export function exactReachFailure(context: CheckContext, summary: ExactReachSummary): CheckResult {
  const failure = summary.failure!;
  return {
    status: 'failed',
    summary: `Instance ${failure.index + 1}: ${failure.failure}.`,
    metrics: [
      { name: 'instances before failure', value: failure.index },
      { name: 'failing instances', value: 1, threshold: 0, comparison: '==' },
    ],
    details: { seed: context.seed },
    counterexample: {
      input: failure.input,
      failure: `${failure.failure} (exact arithmetic)`,
      replay: context.replayCommand,
      hints: [
        'Exact arithmetic rules out round-off: the synthesis or the model code is wrong on this input.',
        'Shrink by hand: drop examples and coordinates while the failure persists.',
        'Compare the suffix products of the synthesised gates with the target first, then the GLA forward pass.',
      ],
    },
  };
}

/** Lists the gate values outside [0, 1], named by position (and channel when given). */
export function gatesOutsideUnitInterval(gates: readonly Fraction[], channel?: string): string[] {
  return gates.flatMap((gate, j) =>
    gate.compare(0) < 0 || gate.compare(1) > 0
      ? [`γ_${j + 1}${channel ? ` (${channel})` : ''} = ${showRational(gate)} is outside [0, 1]`]
      : [],
  );
}
