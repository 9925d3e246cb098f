import { checkCounts, formatSeconds, STATUS_LABEL } from '../report/format.ts';
import type { RunRecord } from '../runner/records.ts';

/** Formats the terminal table printed after a run: claim, status, checks, time. */
export function summaryTable(run: RunRecord, onlyFailures: boolean): string {
  const claims = onlyFailures ? run.claims.filter((claim) => claim.status !== 'verified') : run.claims;
  const rows = claims.map((claim) => {
    return [claim.id, STATUS_LABEL[claim.status], checkCounts(claim), formatSeconds(claim.seconds)];
  });
  const header = ['claim', 'status', 'checks', 'time'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  const body = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
  const problems = claims.flatMap((claim) =>
    claim.checks
      .filter((check) => check.status !== 'verified')
      .map((check) => `  ${claim.id} / ${check.id}: ${check.status}: ${check.summary}${check.counterexample ? `\n    replay: ${check.counterexample.replay}` : ''}`),
  );
  return [...body, ...(problems.length > 0 ? ['', ...problems] : [])].join('\n');
}
