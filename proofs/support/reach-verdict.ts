import { metricPasses } from '../../src/claims/results.ts';
import type { CheckContext, CheckResult, Json, Metric } from '../../src/claims/types.ts';

/**
 * Status rules shared by the reachability and key-vector checks. A violated
 * statement is `failed` and carries its smallest violating instance. A missing
 * certificate or an input class that never occurred is `inconclusive`,
 * because neither is evidence against the statement.
 */

/** A violating instance. `size` orders instances, smaller first, compared entry by entry. */
export interface Violation {
  input: Json;
  failure: string;
  size: readonly number[];
}

/** A counter of violations that keeps the smallest one by its size key (the first of equal size). */
export class ViolationLog {
  count = 0;
  smallest?: Violation;

  add(violation: Violation): void {
    this.count++;
    if (!this.smallest || isSmaller(violation.size, this.smallest.size)) this.smallest = violation;
  }
}

function isSmaller(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    if (a[k] !== b[k]) return a[k] < b[k];
  }
  return a.length < b.length;
}

export interface VerdictSpec {
  /** Summary when every metric holds. */
  pass: string;
  /** Summary when the statement is violated; the count and the smallest failure are appended. */
  fail: string;
  /** Summary opening when nothing is violated but some undecided metric misses; the missed metrics are appended. */
  undecidedSummary?: string;
  /** Metrics the statement requires: a miss fails the check. */
  required: Metric[];
  /** Metrics whose miss leaves the check undecided: coverage of input classes, certificates of optimisers. */
  undecided?: Metric[];
  /** Metrics shown without a bound. */
  info?: Metric[];
  /** The violations counted over all instances; required when a required metric misses. */
  violations?: ViolationLog;
  hints: string[];
  details: { [key: string]: Json };
  extra?: Partial<CheckResult>;
}

/**
 * failed when a required metric misses (with the smallest violation as
 * counterexample), else inconclusive when an undecided metric misses, else
 * verified.
 */
export function judgeCheck(context: CheckContext, spec: VerdictSpec): CheckResult {
  const undecided = spec.undecided ?? [];
  const metrics = [...(spec.info ?? []), ...spec.required, ...undecided];
  const base = { metrics, details: spec.details, ...spec.extra };
  if (!spec.required.every(metricPasses)) {
    const smallest = spec.violations?.smallest;
    if (!smallest) throw new Error(`${context.claimId}/${context.checkId}: a failed check must name its smallest violating instance`);
    const count = spec.violations!.count;
    return {
      ...base,
      status: 'failed',
      summary: `${spec.fail} ${count} violating instance${count === 1 ? '' : 's'}; the smallest: ${smallest.failure}.`,
      counterexample: { input: smallest.input, failure: smallest.failure, replay: context.replayCommand, hints: spec.hints },
    };
  }
  const missed = undecided.filter((metric) => !metricPasses(metric));
  if (missed.length > 0) {
    const list = missed.map((metric) => `${metric.name} = ${metric.value} (needs ${metric.comparison} ${metric.threshold})`).join('; ');
    return {
      ...base,
      status: 'inconclusive',
      summary: `${spec.undecidedSummary ?? 'No instance violated the statement, but the evidence is incomplete'}: ${list}.`,
    };
  }
  return { ...base, status: 'verified', summary: spec.pass };
}
