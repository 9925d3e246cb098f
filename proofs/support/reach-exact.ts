import type { Fraction } from 'mathjs';
import { showRational } from '../../src/algebra/rational-matrix.ts';
import type { CheckContext, Metric } from '../../src/claims/types.ts';
import { Random } from '../../src/data/random.ts';
import { rationalPrompt, showPrompt, showVector, type RationalPrompt } from './reach-instances.ts';
import { ViolationLog } from './reach-verdict.ts';

/**
 * The loop shared by the exact reachability checks: draw a rational target
 * and prompt, synthesise gates, and require exact agreement of GLA and WPGD
 * plus the check's own conditions on the synthesised gates. All instances
 * run, so a report gives the number of failures and the smallest one.
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
  /** Every failing instance counted; the smallest kept by (n, d, characters of the target). */
  violations: ViolationLog;
}

/** What to try on a failing exact reachability instance. */
export const EXACT_REACH_HINTS = [
  'Exact arithmetic rules out round-off: the synthesis or the model code is wrong on this input.',
  'Shrink by hand: drop examples and coordinates while the failure persists.',
  'Compare the suffix products of the synthesised gates with the target first, then the GLA forward pass.',
];

/** Runs every instance, counting failures and keeping the smallest failing one. */
export function runExactReach(context: CheckContext, spec: ExactReachSpec): ExactReachSummary {
  const random = new Random(context.seed);
  const summary: ExactReachSummary = { instances: 0, maxN: 0, maxD: 0, tags: {}, digits: 0, violations: new ViolationLog() };
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
      const shown = showVector(omega);
      summary.violations.add({
        input: { instance: index + 1, n, d, omega: shown, prompt: showPrompt(prompt) },
        failure: `instance ${index + 1}: ${problems.join('; ')} (exact arithmetic)`,
        size: [n, d, JSON.stringify(shown).length],
      });
    }
    context.progress((index + 1) / spec.count);
  }
  return summary;
}

/** The required metric of an exact reachability check: no instance may fail. */
export function failingInstancesMetric(summary: ExactReachSummary): Metric {
  return { name: 'failing instances', value: summary.violations.count, threshold: 0, comparison: '==' };
}

/** Lists the gate values outside [0, 1], named by position (and channel when given). */
export function gatesOutsideUnitInterval(gates: readonly Fraction[], channel?: string): string[] {
  return gates.flatMap((gate, j) =>
    gate.compare(0) < 0 || gate.compare(1) > 0
      ? [`γ_${j + 1}${channel ? ` (${channel})` : ''} = ${showRational(gate)} is outside [0, 1]`]
      : [],
  );
}
