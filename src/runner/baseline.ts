import { metricPasses } from '../claims/results.ts';
import type { Effort, Metric, Status } from '../claims/types.ts';
import type { CheckRecord, ClaimRecord, HypothesisRecord, RunRecord } from './records.ts';

/** A claim's or check's outcome as recorded; `incomplete` only in an interrupted run. */
export type RecordedStatus = Status | 'incomplete';

/**
 * Meaning of a difference. A regression makes `verify --baseline` exit with
 * status 4 when nothing failed in the run itself. The others are only reported.
 */
export type Effect = 'regression' | 'improvement' | 'change';

/** A claim's status changed, or the claim was added to or removed from a full run. */
export interface ClaimEntry {
  subject: 'claim';
  change: 'status' | 'added' | 'removed';
  effect: Effect;
  claimId: string;
  before?: RecordedStatus;
  after?: RecordedStatus;
}

/** A check's status changed, or the check was added to or removed from its claim. */
export interface CheckEntry {
  subject: 'check';
  change: 'status' | 'added' | 'removed';
  effect: Effect;
  claimId: string;
  checkId: string;
  before?: Status;
  after?: Status;
}

/**
 * A metric that met its bound in one run and missed it in the other
 * (`verdict`), changed its bound (`bound`), moved beyond the tolerance
 * (`value`), or appears in one run only (`added`, `removed`).
 */
export interface MetricEntry {
  subject: 'metric';
  change: 'verdict' | 'bound' | 'value' | 'added' | 'removed';
  effect: Effect;
  claimId: string;
  checkId: string;
  metric: string;
  /** Position among the check's metrics with this name, counting from 1; present only when the name repeats. */
  occurrence?: number;
  before?: Metric;
  after?: Metric;
  /** |after − before| / max(|before|, |after|), for a `value` move between two numbers. */
  relativeChange?: number;
  /** For a `value` move of a metric with an inequality bound: whether it moved toward the bound. */
  towardBound?: boolean;
}

/** A hypothesis probe whose verdict changed (both runs probed it). */
export interface HypothesisEntry {
  subject: 'hypothesis';
  change: 'verdict';
  effect: 'change';
  claimId: string;
  hypothesisId: string;
  before: HypothesisRecord['verdict'];
  after: HypothesisRecord['verdict'];
}

export type DiffEntry = ClaimEntry | CheckEntry | MetricEntry | HypothesisEntry;

/** The facts that decide whether two runs can be compared metric by metric. */
export interface RunIdentity {
  command: string;
  effort: Effort;
  seed: number;
  backend: string;
  toolVersion: string;
}

/** Differences from a baseline run to the current run. */
export interface BaselineDiff {
  baseline: RunIdentity;
  /** Claims present in both runs, which are the only ones compared. */
  claimsCompared: number;
  /** Metrics are compared only between runs with the same effort and seed, which draw the same instances. */
  metricsCompared: boolean;
  /** Metric values (not only their pass/fail) are compared only when, in addition, the backends match. */
  valuesCompared: boolean;
  /** Reasons that parts of the comparison were skipped, and facts that weaken it, one sentence each. */
  warnings: string[];
  entries: DiffEntry[];
  /** Baseline claims ("ID") and checks ("ID / check") that this run did not select with --claim or --check. */
  notRun: string[];
  /** Claims and checks of this run that the baseline did not select, so they cannot count as added. */
  notInBaseline: string[];
  counts: { regressions: number; improvements: number; changes: number };
}

/** A comparison as stored in results.json: the diff and the baseline file it was read from. */
export interface BaselineComparison extends BaselineDiff {
  file: string;
}

/** Exit status of `verify --baseline` when the run has no failure of its own but regressed against the baseline. */
export const REGRESSION_EXIT_CODE = 4;

/**
 * Tolerance for a metric value that moved between two runs with the same
 * effort, seed and backend. Such runs draw the same instances, so on the same
 * machine and versions their values agree bit for bit, and any move comes
 * from a change to the code or the dependencies.
 */
export const MOVE_TOLERANCE = {
  /**
   * Relative part: float64 results that agree to 1e-9 are treated as one
   * value, so a different Node.js or libm that changes the last bits of
   * exp/log results (about 1e-16 relative each, amplified by long sums)
   * does not report a move.
   */
  relative: 1e-9,
  /**
   * Absolute part: metrics near 0 are round-off residuals (normalised errors
   * of 1e-15, say), whose relative change is large but meaningless. The
   * metrics are normalised (relative errors, ratios to a bound, risks of
   * order 1), so 1e-12 sits well above round-off and well below any bound.
   */
  absolute: 1e-12,
} as const;

/**
 * Timing metrics vary from run to run and are never compared: names that
 * start with "seconds" or "ms", or end with a unit "(s)", "(ms)", "[s]" or "[ms]".
 */
const TIMING_METRIC = /^(seconds|ms)\b|[([](s|ms)[)\]]$/;

/** Returns whether a metric measures time, which the comparison ignores. */
export function isTimingMetric(name: string): boolean {
  return TIMING_METRIC.test(name);
}

/** The claims and checks a run selected, read from its reproduce command; empty lists mean all. */
export interface RunSelection {
  claims: string[];
  checks: string[];
}

/**
 * Reads the --claim and --check values from a run's reproduce command.
 * NOTE: the run record keeps its selection only in this command, so this
 * relies on the command's `--claim ID` / `--check ID` form, which
 * `verifyCommand` in verify.ts writes.
 */
export function runSelection(run: RunRecord): RunSelection {
  const values = (flag: string) => [...run.command.matchAll(new RegExp(`(?:^|\\s)--${flag}\\s+(\\S+)`, 'g'))].map((match) => match[1]);
  return { claims: values('claim'), checks: values('check') };
}

function isSelection(selection: RunSelection): boolean {
  return selection.claims.length > 0 || selection.checks.length > 0;
}

function identity(run: RunRecord): RunIdentity {
  return { command: run.command, effort: run.effort, seed: run.seed, backend: backendName(run), toolVersion: run.tool.version };
}

function backendName(run: RunRecord): string {
  return run.backend?.name ?? 'cpu';
}

/**
 * Classifies a change from one status to another. A move to verified is an
 * improvement and every other move is a regression. That includes failed to
 * inconclusive, because the counterexample the baseline found is no longer found.
 */
export function statusEffect(after: Status): Effect {
  return after === 'verified' ? 'improvement' : 'regression';
}

/**
 * Compares a run with a stored baseline run: claim and check statuses,
 * claims and checks added or removed, hypothesis verdicts, and, when both
 * runs drew the same instances, every metric by its pass/fail, its bound and
 * its value (see MOVE_TOLERANCE). Claims and checks that one run did not
 * select are listed as not run rather than as removed or added.
 */
export function compareRuns(baseline: RunRecord, current: RunRecord): BaselineDiff {
  const sameInstances = baseline.effort === current.effort && baseline.seed === current.seed;
  const scope: Scope = {
    metrics: sameInstances,
    values: sameInstances && backendName(baseline) === backendName(current),
    baselineSelection: runSelection(baseline),
    currentSelection: runSelection(current),
    notRun: [],
    notInBaseline: [],
  };
  const entries: DiffEntry[] = [];
  const currentClaims = new Map(current.claims.map((claim) => [claim.id, claim]));
  const baselineClaims = new Map(baseline.claims.map((claim) => [claim.id, claim]));

  for (const before of baseline.claims) {
    const after = currentClaims.get(before.id);
    if (after !== undefined) entries.push(...compareClaim(before, after, scope));
    else if (isSelection(scope.currentSelection)) scope.notRun.push(before.id);
    else entries.push({ subject: 'claim', change: 'removed', effect: 'regression', claimId: before.id, before: before.status });
  }
  for (const after of current.claims) {
    if (baselineClaims.has(after.id)) continue;
    if (isSelection(scope.baselineSelection)) scope.notInBaseline.push(after.id);
    else entries.push({ subject: 'claim', change: 'added', effect: 'change', claimId: after.id, after: after.status });
  }

  const claimsCompared = baseline.claims.filter((claim) => currentClaims.has(claim.id)).length;
  const warnings = mismatchWarnings(baseline, current);
  if (claimsCompared === 0) warnings.push('No claim ran in both runs, so nothing was compared; select claims the baseline ran, or pass a baseline that ran this run\'s claims.');
  return {
    baseline: identity(baseline),
    claimsCompared,
    metricsCompared: scope.metrics,
    valuesCompared: scope.values,
    warnings,
    entries,
    notRun: scope.notRun,
    notInBaseline: scope.notInBaseline,
    counts: {
      regressions: entries.filter((entry) => entry.effect === 'regression').length,
      improvements: entries.filter((entry) => entry.effect === 'improvement').length,
      changes: entries.filter((entry) => entry.effect === 'change').length,
    },
  };
}

interface Scope {
  metrics: boolean;
  values: boolean;
  baselineSelection: RunSelection;
  currentSelection: RunSelection;
  notRun: string[];
  notInBaseline: string[];
}

/**
 * One sentence per fact that limits the comparison: another effort or seed
 * (statuses only), another backend (metric pass/fail only), another tool
 * version, an interrupted run.
 */
function mismatchWarnings(baseline: RunRecord, current: RunRecord): string[] {
  const warnings: string[] = [];
  if (baseline.effort !== current.effort || baseline.seed !== current.seed) {
    warnings.push(
      `The baseline ran with effort ${baseline.effort} and seed ${baseline.seed}, this run with effort ${current.effort} and seed ${current.seed}: ` +
        'only claim, check and hypothesis statuses are compared, because the metrics come from different instances.',
    );
  } else if (backendName(baseline) !== backendName(current)) {
    warnings.push(
      `The baseline used the ${backendName(baseline)} backend, this run ${backendName(current)}: metrics are compared only for a change of pass/fail, ` +
        'because the backends compute in different precisions.',
    );
  }
  if (baseline.tool.version !== current.tool.version) {
    warnings.push(`The baseline was written by ${baseline.tool.name} ${baseline.tool.version}, this run is ${current.tool.version}.`);
  }
  const claims = (count: number) => `${count} incomplete claim${count === 1 ? '' : 's'}`;
  if (baseline.counts.incomplete > 0) warnings.push(`The baseline run was interrupted: its ${claims(baseline.counts.incomplete)} are listed but not judged.`);
  if (current.counts.incomplete > 0) warnings.push(`This run was interrupted: its ${claims(current.counts.incomplete)} are listed but not judged.`);
  return warnings;
}

/**
 * Compares one claim present in both runs. A claim's status is compared only
 * when both runs ran all its checks, because a run of selected checks decides
 * the claim on those checks alone. An interrupted claim is reported as a
 * change and only the checks both runs finished are compared.
 */
function compareClaim(before: ClaimRecord, after: ClaimRecord, scope: Scope): DiffEntry[] {
  const entries: DiffEntry[] = [];
  const interrupted = before.status === 'incomplete' || after.status === 'incomplete';
  const checksSelected = scope.baselineSelection.checks.length > 0 || scope.currentSelection.checks.length > 0;
  if (before.status !== after.status && (interrupted || !checksSelected)) {
    const effect = interrupted ? 'change' : statusEffect(after.status as Status);
    entries.push({ subject: 'claim', change: 'status', effect, claimId: before.id, before: before.status, after: after.status });
  }

  const afterChecks = new Map(after.checks.map((check) => [check.id, check]));
  const beforeChecks = new Map(before.checks.map((check) => [check.id, check]));
  for (const beforeCheck of before.checks) {
    const afterCheck = afterChecks.get(beforeCheck.id);
    if (afterCheck !== undefined) entries.push(...compareCheck(before.id, beforeCheck, afterCheck, scope));
    else if (scope.currentSelection.checks.length > 0) scope.notRun.push(`${before.id} / ${beforeCheck.id}`);
    else if (after.status !== 'incomplete') {
      entries.push({ subject: 'check', change: 'removed', effect: 'regression', claimId: before.id, checkId: beforeCheck.id, before: beforeCheck.status });
    }
  }
  for (const afterCheck of after.checks) {
    if (beforeChecks.has(afterCheck.id)) continue;
    if (scope.baselineSelection.checks.length > 0) scope.notInBaseline.push(`${after.id} / ${afterCheck.id}`);
    else if (before.status !== 'incomplete') {
      entries.push({ subject: 'check', change: 'added', effect: 'change', claimId: after.id, checkId: afterCheck.id, after: afterCheck.status });
    }
  }

  entries.push(...compareHypotheses(before, after));
  return entries;
}

function compareCheck(claimId: string, before: CheckRecord, after: CheckRecord, scope: Scope): DiffEntry[] {
  const entries: DiffEntry[] = [];
  if (before.status !== after.status) {
    entries.push({ subject: 'check', change: 'status', effect: statusEffect(after.status), claimId, checkId: before.id, before: before.status, after: after.status });
  }
  if (scope.metrics) {
    // Monte Carlo values move with every change of sampling or precision, so only a z-score crossing its bound counts there.
    const values = scope.values && before.kind !== 'monte-carlo' && after.kind !== 'monte-carlo';
    entries.push(...compareMetrics(claimId, before, after, values));
  }
  return entries;
}

interface KeyedMetric {
  metric: Metric;
  occurrence?: number;
}

/** Keys a check's non-timing metrics by name, and by occurrence where a name repeats. */
function keyMetrics(metrics: readonly Metric[]): Map<string, KeyedMetric> {
  const keyed = new Map<string, KeyedMetric>();
  const totals = new Map<string, number>();
  for (const metric of metrics) totals.set(metric.name, (totals.get(metric.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const metric of metrics) {
    if (isTimingMetric(metric.name)) continue;
    const occurrence = (seen.get(metric.name) ?? 0) + 1;
    seen.set(metric.name, occurrence);
    keyed.set(`${metric.name}\u0000${occurrence}`, { metric, occurrence: totals.get(metric.name)! > 1 ? occurrence : undefined });
  }
  return keyed;
}

function hasBound(metric: Metric): boolean {
  return metric.threshold !== undefined && metric.comparison !== undefined;
}

/**
 * Compares the metrics of one check present in both runs: pass/fail first
 * (a metric that stops meeting its bound is a regression), then the bound
 * itself, then, when `values` is set, the value against MOVE_TOLERANCE.
 */
function compareMetrics(claimId: string, before: CheckRecord, after: CheckRecord, values: boolean): MetricEntry[] {
  const entries: MetricEntry[] = [];
  const beforeMetrics = keyMetrics(before.metrics);
  const afterMetrics = keyMetrics(after.metrics);
  const base = { subject: 'metric' as const, claimId, checkId: before.id };

  for (const [key, { metric: old, occurrence }] of beforeMetrics) {
    const current = afterMetrics.get(key)?.metric;
    const named = { ...base, metric: old.name, ...(occurrence === undefined ? {} : { occurrence }) };
    if (current === undefined) {
      entries.push({ ...named, change: 'removed', effect: 'change', before: old });
      continue;
    }
    if (String(old.threshold) !== String(current.threshold) || old.comparison !== current.comparison) {
      entries.push({ ...named, change: 'bound', effect: 'change', before: old, after: current });
    }
    if (hasBound(old) && hasBound(current) && metricPasses(old) !== metricPasses(current)) {
      entries.push({ ...named, change: 'verdict', effect: metricPasses(current) ? 'improvement' : 'regression', before: old, after: current });
      continue;
    }
    const move = values ? valueMove(old, current) : undefined;
    if (move !== undefined) entries.push({ ...named, change: 'value', effect: 'change', before: old, after: current, ...move });
  }
  for (const [key, { metric, occurrence }] of afterMetrics) {
    if (beforeMetrics.has(key)) continue;
    entries.push({ ...base, metric: metric.name, ...(occurrence === undefined ? {} : { occurrence }), change: 'added', effect: 'change', after: metric });
  }
  return entries;
}

/**
 * Decides whether a metric's value moved, and returns undefined when it did not.
 * Two safe integers (counts) must be equal, and two other numbers may differ by
 * MOVE_TOLERANCE. Strings (exact rationals, estimates with their error) must be
 * equal as written.
 */
export function valueMove(before: Metric, after: Metric): { relativeChange?: number; towardBound?: boolean } | undefined {
  const a = before.value;
  const b = after.value;
  if (typeof a !== 'number' || typeof b !== 'number') return String(a) === String(b) ? undefined : {};
  const difference = Math.abs(b - a);
  const scale = Math.max(Math.abs(a), Math.abs(b));
  const counts = Number.isSafeInteger(a) && Number.isSafeInteger(b);
  const allowed = counts ? 0 : Math.max(MOVE_TOLERANCE.relative * scale, MOVE_TOLERANCE.absolute);
  if (difference <= allowed) return undefined;
  const move: { relativeChange?: number; towardBound?: boolean } = { relativeChange: difference / scale };
  const toward = towardBound(after, b > a);
  if (toward !== undefined) move.towardBound = toward;
  return move;
}

/** For an inequality bound: an upper bound is approached by an increase, a lower bound by a decrease. */
function towardBound(metric: Metric, increased: boolean): boolean | undefined {
  switch (metric.comparison) {
    case '<=':
    case '<':
      return increased;
    case '>=':
    case '>':
      return !increased;
    default:
      return undefined;
  }
}

const PROBED_VERDICTS: ReadonlySet<HypothesisRecord['verdict']> = new Set(['needed', 'not shown needed']);

/**
 * Compares the verdicts of hypotheses that both runs probed to the end. A
 * probe that errs fails its claim, so the claim's status reports it; runs of
 * selected checks probe nothing, so their hypotheses are skipped here.
 */
function compareHypotheses(before: ClaimRecord, after: ClaimRecord): HypothesisEntry[] {
  const afterHypotheses = new Map(after.hypotheses.map((hypothesis) => [hypothesis.id, hypothesis]));
  const entries: HypothesisEntry[] = [];
  for (const old of before.hypotheses) {
    const current = afterHypotheses.get(old.id);
    if (current === undefined || old.verdict === current.verdict) continue;
    if (!PROBED_VERDICTS.has(old.verdict) || !PROBED_VERDICTS.has(current.verdict)) continue;
    entries.push({ subject: 'hypothesis', change: 'verdict', effect: 'change', claimId: before.id, hypothesisId: old.id, before: old.verdict, after: current.verdict });
  }
  return entries;
}

/**
 * Exit status of a run compared with a baseline: the run's own status when it
 * failed (1) or was interrupted (130), else REGRESSION_EXIT_CODE on any
 * regression, else the run's own status (3 inconclusive, 0 verified).
 */
export function exitCodeAgainstBaseline(runExitCode: number, diff: BaselineDiff): number {
  if (runExitCode === 1 || runExitCode === 130) return runExitCode;
  return diff.counts.regressions > 0 ? REGRESSION_EXIT_CODE : runExitCode;
}
