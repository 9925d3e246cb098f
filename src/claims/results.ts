import type { CheckResult, Metric, Status } from './types.ts';

/** A claim's status: failed if any check failed, else inconclusive if any was, else verified. */
export function combineStatuses(statuses: readonly Status[]): Status {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('inconclusive') || statuses.length === 0) return 'inconclusive';
  return 'verified';
}

/** True when a metric meets its threshold (metrics without one always pass). */
export function metricPasses(metric: Metric): boolean {
  if (metric.threshold === undefined || metric.comparison === undefined) return true;
  // Two strings are exact values (rationals, long decimals): compare them as written, never through float64.
  if (metric.comparison === '==' && typeof metric.value === 'string' && typeof metric.threshold === 'string') return metric.value === metric.threshold;
  const value = Number(metric.value);
  const threshold = Number(metric.threshold);
  if (Number.isNaN(value) || Number.isNaN(threshold)) return metric.comparison === '==' && metric.value === metric.threshold;
  switch (metric.comparison) {
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '==':
      return value === threshold;
  }
}

/** Builds a verified/failed result from metrics: failed when any metric misses its threshold. */
export function resultFromMetrics(
  summary: { pass: string; fail: string },
  metrics: Metric[],
  details: CheckResult['details'],
  extra: Partial<CheckResult> = {},
): CheckResult {
  const passed = metrics.every(metricPasses);
  return { status: passed ? 'verified' : 'failed', summary: passed ? summary.pass : summary.fail, metrics, details, ...extra };
}
