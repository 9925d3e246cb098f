import type { Metric } from '../claims/types.ts';
import { formatNumber } from '../report/format.ts';
import { MOVE_TOLERANCE, type BaselineComparison, type DiffEntry, type Effect, type MetricEntry } from '../runner/baseline.ts';

/** Section headings in the order they print. */
const SECTIONS: readonly { effect: Effect; title: string }[] = [
  { effect: 'regression', title: 'Regressions' },
  { effect: 'improvement', title: 'Improvements' },
  { effect: 'change', title: 'Other changes' },
];

/** Maximum number of claim or check ids printed on one line; results.json keeps them all. */
const MAX_LISTED_IDS = 10;

/**
 * Formats the comparison with a baseline for the terminal: one section per
 * effect with one line per difference, the claims and checks one run did not
 * select, and a count line. With `onlyRegressions` (--quiet) it prints the
 * regressions alone, or one line saying there are none.
 */
export function renderBaselineDiff(diff: BaselineComparison, onlyRegressions: boolean): string {
  const regressions = diff.entries.filter((entry) => entry.effect === 'regression');
  if (onlyRegressions) {
    if (regressions.length === 0) return `No regressions against the baseline ${diff.file}.`;
    return [`Regressions against the baseline ${diff.file} (${regressions.length}):`, ...regressions.map((entry) => `  ${describeEntry(entry)}`)].join('\n');
  }

  const lines = [`Compared with the baseline ${diff.file} (${diff.baseline.command}), ${plural(diff.claimsCompared, 'claim')} in both runs:`];
  if (diff.entries.length === 0) lines.push('  no differences.');
  for (const { effect, title } of SECTIONS) {
    const entries = diff.entries.filter((entry) => entry.effect === effect);
    if (entries.length === 0) continue;
    lines.push(`${title} (${entries.length}):`, ...entries.map((entry) => `  ${describeEntry(entry)}`));
  }
  if (diff.notRun.length > 0) lines.push(`Not selected in this run: ${listIds(diff.notRun)}.`);
  if (diff.notInBaseline.length > 0) lines.push(`Not selected in the baseline run: ${listIds(diff.notInBaseline)}.`);
  const { regressions: regressed, improvements, changes } = diff.counts;
  lines.push(`Against the baseline: ${plural(regressed, 'regression')}, ${plural(improvements, 'improvement')}, ${plural(changes, 'other change')}.`);
  return lines.join('\n');
}

/** Returns the comparison's warnings as `warning: …` lines, for standard error. */
export function baselineWarnings(diff: BaselineComparison): string[] {
  return diff.warnings.map((warning) => `warning: ${warning}`);
}

/** Describes one difference in one line, e.g. `P-STAR / exact: verified → failed`. */
export function describeEntry(entry: DiffEntry): string {
  switch (entry.subject) {
    case 'claim':
      if (entry.change === 'removed') return `${entry.claimId}: in the baseline (${entry.before}), missing from this run of all claims`;
      if (entry.change === 'added') return `${entry.claimId}: new in this run (${entry.after})`;
      return `${entry.claimId}: ${entry.before} → ${entry.after}${entry.effect === 'change' ? ' (interrupted, not judged)' : ''}`;
    case 'check': {
      const where = `${entry.claimId} / ${entry.checkId}`;
      if (entry.change === 'removed') return `${where}: in the baseline (${entry.before}), missing from this run`;
      if (entry.change === 'added') return `${where}: new in this run (${entry.after})`;
      return `${where}: ${entry.before} → ${entry.after}`;
    }
    case 'metric':
      return `${entry.claimId} / ${entry.checkId}: ${metricLabel(entry)} ${describeMetricChange(entry)}`;
    case 'hypothesis':
      return `${entry.claimId}: hypothesis ${entry.hypothesisId} ${entry.before} → ${entry.after}`;
  }
}

function metricLabel(entry: MetricEntry): string {
  return `"${entry.metric}"${entry.occurrence === undefined ? '' : ` (#${entry.occurrence})`}`;
}

function describeMetricChange(entry: MetricEntry): string {
  const before = entry.before!;
  const after = entry.after!;
  switch (entry.change) {
    case 'removed':
      return `no longer reported (was ${formatNumber(before.value)})`;
    case 'added':
      return `new in this run (${formatNumber(after.value)})`;
    case 'bound':
      return `bound changed from ${bound(before)} to ${bound(after)}`;
    case 'verdict': {
      const [from, to] = formatPair(before.value, after.value);
      return `${from} → ${to}: ${entry.effect === 'regression' ? 'now misses' : 'now meets'} its bound ${bound(after)}`;
    }
    case 'value': {
      const [from, to] = formatPair(before.value, after.value);
      return `moved ${from} → ${to}${moveDetail(entry)}`;
    }
  }
}

/** Describes the size of a value move next to its tolerance, and its direction relative to the bound. */
function moveDetail(entry: MetricEntry): string {
  if (entry.relativeChange === undefined) return '';
  const { value: a } = entry.before!;
  const { value: b } = entry.after!;
  const count = Number.isSafeInteger(a) && Number.isSafeInteger(b);
  const size = count ? ' (a count, compared exactly)' : ` (relative change ${entry.relativeChange.toExponential(1)} > tolerance ${MOVE_TOLERANCE.relative})`;
  if (entry.towardBound === undefined) return size;
  const direction = entry.towardBound ? 'toward' : 'away from';
  return `${size}, ${direction} its bound ${bound(entry.after!)}`;
}

function bound(metric: Metric): string {
  return metric.threshold === undefined || metric.comparison === undefined ? 'none' : `${metric.comparison} ${formatNumber(metric.threshold)}`;
}

/** Formats two values, in full precision when the short forms would read as equal. */
function formatPair(before: number | string, after: number | string): [string, string] {
  const short = [formatNumber(before), formatNumber(after)] as [string, string];
  return short[0] === short[1] ? [String(before), String(after)] : short;
}

function listIds(ids: readonly string[]): string {
  if (ids.length <= MAX_LISTED_IDS) return ids.join(', ');
  return `${ids.slice(0, MAX_LISTED_IDS).join(', ')}, … (${ids.length} in all)`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
