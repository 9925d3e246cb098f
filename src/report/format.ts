import { metricPasses } from '../claims/results.ts';
import type { Metric, Status } from '../claims/types.ts';
import type { ClaimRecord } from '../runner/records.ts';

export const STATUS_LABEL: Record<Status | 'incomplete', string> = {
  verified: '✅ verified',
  failed: '❌ failed',
  inconclusive: '⚠️ inconclusive',
  incomplete: '⏸ incomplete',
};

/** Formats a number for a table: integers as is, others with 6 significant digits. */
export function formatNumber(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6) ? value.toExponential(4) : String(Number(value.toPrecision(6)));
}

export function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(2)} s` : `${seconds.toFixed(1)} s`;
}

/** Formats a markdown table of metrics with the achieved value, the bound and whether it holds. */
export function metricsTable(metrics: readonly Metric[]): string {
  if (metrics.length === 0) return '';
  const rows = metrics.map((metric) => {
    const bound = metric.threshold === undefined ? '' : `${metric.comparison ?? ''} ${formatNumber(metric.threshold)}`;
    const verdict = metric.threshold === undefined ? '' : metricPasses(metric) ? 'yes' : '**no**';
    return `| ${escapeCell(metric.name)} | ${escapeCell(formatNumber(metric.value))} | ${escapeCell(bound)} | ${verdict} |`;
  });
  return ['| quantity | achieved | required | met |', '|---|---|---|---|', ...rows].join('\n');
}

export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * JSON with two-space indentation, except that arrays of numbers, strings or
 * booleans stay on one line, so vectors and matrices read as rows.
 */
export function compactJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(/\[\s*((?:-?[0-9.eE+-]+|"[^"\n]*"|true|false|null)(?:,\s*(?:-?[0-9.eE+-]+|"[^"\n]*"|true|false|null))*)\s*\]/g, (_, items: string) =>
    // pretty-printed JSON puts each item after ",\n"; strings never hold a raw newline
    `[${items.replace(/,\n\s*/g, ', ')}]`,
  );
}

/** "verified/selected", e.g. "3/8 (5 not run)" for a claim an interruption cut short. */
export function checkCounts(claim: ClaimRecord): string {
  const passed = claim.checks.filter((check) => check.status === 'verified').length;
  const notRun = claim.notRun?.length ?? 0;
  return `${passed}/${claim.checks.length + notRun}${notRun > 0 ? ` (${notRun} not run)` : ''}`;
}
