import { metricPasses } from '../../src/claims/results.ts';
import type { CheckContext, CheckResult, Counterexample, Json, Metric } from '../../src/claims/types.ts';

/**
 * Turns the tallies of a gating check into a CheckResult. The check fails when an
 * instance contradicts the statement, and the smallest such instance becomes the
 * counterexample. It is inconclusive when a solver returned no certificate or an
 * input class the check needs did not occur, and verified otherwise.
 */

/** Violating instances, keeping the smallest one by a size key compared lexicographically (e.g. [n, d, digits]). */
export class ViolationLog {
  count = 0;
  private best: { size: readonly number[]; input: Json; failure: string } | undefined;

  /** Records one violating instance; `input` is built only when it is the smallest so far. */
  record(size: readonly number[], input: () => Json, failure: string): void {
    this.count++;
    if (this.best === undefined || lexicographicallyLess(size, this.best.size)) this.best = { size, input: input(), failure };
  }

  /** The smallest violating instance and its failure, or null when there is none. */
  get smallest(): { input: Json; failure: string; size: number[] } | null {
    return this.best ? { input: this.best.input, failure: this.best.failure, size: [...this.best.size] } : null;
  }
}

function lexicographicallyLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return a.length < b.length;
}

/** Count of instances left unjudged because a solver could not certify its result. */
export interface UnjudgedCount {
  name: string;
  count: number;
}

/** An input class that must occur at least `minimum` times for the check to exercise the statement. */
export interface CoverageCount {
  name: string;
  value: number;
  minimum: number;
}

export interface GatingOutcome {
  context: CheckContext;
  summary: { pass: string; fail: string };
  /** Name of the metric that counts violating instances. */
  violationName: string;
  violations: ViolationLog;
  /** Further metrics; one with a threshold that it misses also fails the check. */
  metrics?: Metric[];
  unjudged?: UnjudgedCount[];
  coverage?: CoverageCount[];
  details: { [key: string]: Json };
  /** Suggestions attached to the counterexample. */
  hints: string[];
  extra?: Partial<CheckResult>;
}

/**
 * Builds the result. A violation or a missed judged metric fails the check;
 * otherwise unjudged instances or a missed coverage count make it inconclusive.
 */
export function gatingResult(outcome: GatingOutcome): CheckResult {
  const { context, violations } = outcome;
  const unjudged = outcome.unjudged ?? [];
  const coverage = outcome.coverage ?? [];
  const judged: Metric[] = [{ name: outcome.violationName, value: violations.count, threshold: 0, comparison: '==' }, ...(outcome.metrics ?? [])];
  const metrics: Metric[] = [
    ...judged,
    ...coverage.map((entry): Metric => ({ name: entry.name, value: entry.value, threshold: entry.minimum, comparison: '>=' })),
    ...unjudged.map((entry): Metric => ({ name: entry.name, value: entry.count, threshold: 0, comparison: '==' })),
  ];
  const smallest = violations.smallest;
  const details = { ...outcome.details, smallestViolation: smallest ? { input: smallest.input, failure: smallest.failure } : null };

  if (!judged.every(metricPasses)) {
    const result: CheckResult = { status: 'failed', summary: outcome.summary.fail, metrics, details, ...outcome.extra };
    if (smallest) result.counterexample = counterexampleOf(context, smallest, outcome.hints);
    return result;
  }

  const reasons = [
    ...unjudged.filter((entry) => entry.count > 0).map((entry) => `${entry.count} ${entry.name}`),
    ...coverage.filter((entry) => entry.value < entry.minimum).map((entry) => `${entry.name}: ${entry.value} < ${entry.minimum}`),
  ];
  if (reasons.length > 0) {
    const summary = `No instance contradicts the statement, but the check could not decide: ${reasons.join('; ')}.`;
    return { status: 'inconclusive', summary, metrics, details, ...outcome.extra };
  }
  return { status: 'verified', summary: outcome.summary.pass, metrics, details, ...outcome.extra };
}

function counterexampleOf(context: CheckContext, smallest: { input: Json; failure: string }, hints: string[]): Counterexample {
  return { input: smallest.input, failure: smallest.failure, replay: context.replayCommand, hints };
}

/**
 * Adjusts a property-check result for instances it did not judge: a verified
 * result with unjudged instances or a missed coverage count becomes inconclusive.
 * A failed result stays failed, because its counterexample was judged.
 */
export function withUnjudged(result: CheckResult, unjudged: UnjudgedCount[], coverage: CoverageCount[] = []): CheckResult {
  result.metrics.push(
    ...coverage.map((entry): Metric => ({ name: entry.name, value: entry.value, threshold: entry.minimum, comparison: '>=' })),
    ...unjudged.map((entry): Metric => ({ name: entry.name, value: entry.count, threshold: 0, comparison: '==' })),
  );
  if (result.status !== 'verified') return result;
  const reasons = [
    ...unjudged.filter((entry) => entry.count > 0).map((entry) => `${entry.count} ${entry.name}`),
    ...coverage.filter((entry) => entry.value < entry.minimum).map((entry) => `${entry.name}: ${entry.value} < ${entry.minimum}`),
  ];
  if (reasons.length === 0) return result;
  return { ...result, status: 'inconclusive', summary: `The judged inputs agree, but the check could not decide: ${reasons.join('; ')}.` };
}

/** Total length of the exact decimal strings of some rationals: the "digits" part of a size key. */
export function digitCount(values: readonly { toFraction(): string }[]): number {
  return values.reduce((total, value) => total + value.toFraction().length, 0);
}
