import { fitExponential, fitPowerLaw, median, type TimedSize } from './growth.ts';
import type { ProofMeasurement } from './symbolic-risk-measure.ts';
import type { GrowthCell, GrowthRow, MeasurementOutcome, SymbolicRiskPlan } from './symbolic-risk.ts';

/** Targets for the headline size on one core. */
const TARGET_SECONDS = 10;
const TARGET_RSS_MIB = 1024;

/**
 * Shortest proof time that enters a growth fit. Below it, fixed costs such as
 * JIT compilation of the polynomial code are a large share of the time, so
 * the smallest sizes would flatten the fitted growth.
 */
const FIT_FLOOR_MS = 50;

/** Minimum number of sizes per row for a fit. */
const FIT_MIN_POINTS = 3;

export interface SymbolicRiskResults {
  readonly plan: SymbolicRiskPlan;
  readonly headline: readonly MeasurementOutcome[];
  readonly rows: readonly GrowthRow[];
  readonly meterDescription: string;
  readonly maxSeconds: number;
}

/** Renders the section body: method, headline table, growth table and growth summary. */
export function renderSymbolicRisk(results: SymbolicRiskResults): string {
  return [
    renderMethod(results),
    renderHeadline(results),
    renderGrowthTable(results),
    renderGrowthSummary(results),
  ].join('\n\n');
}

function renderMethod(results: SymbolicRiskResults): string {
  return [
    '`proveRisk(d, n)` expands the loss (y − ŷ)² with every entry of Σ, R, P, ω and σ² a symbol,',
    "takes its expectation by Isserlis' theorem and subtracts the closed form of the risk.",
    'Every proof measured here ended with the zero polynomial; a nonzero difference stops the bench with an error.',
    `${results.meterDescription} A proof time covers \`proveRisk\` alone, without Node.js start-up and module loading.`,
    'Peak RSS is `process.resourceUsage().maxRSS` of the worker process, start-up included.',
    `A measurement still running after ${results.maxSeconds} s of wall-clock time is killed.`,
  ].join('\n');
}

function renderHeadline(results: SymbolicRiskResults): string {
  const { d, n } = results.plan.headline;
  const heading = `### Headline: d = ${d}, n = ${n}`;
  const measured = results.headline.filter((outcome) => outcome.kind === 'measured');
  const unfinished = results.headline.filter((outcome) => outcome.kind !== 'measured');
  if (unfinished.length > 0 || measured.length === 0) {
    const reasons = unfinished.map((outcome) => outcomeLabel(outcome)).join(', ');
    return `${heading}\n\n${unfinished.length} of ${results.headline.length} runs did not finish (${reasons}), so the targets of ${TARGET_SECONDS} s and 1 GiB are **missed**.`;
  }

  const times = measured.map((outcome) => outcome.measurement.ms);
  const memory = measured.map((outcome) => outcome.measurement.maxRssMiB);
  const walls = measured.map((outcome) => outcome.wallMs);
  const timeMet = Math.max(...times) < TARGET_SECONDS * 1000;
  const memoryMet = Math.max(...memory) < TARGET_RSS_MIB;
  const sample = measured[0].measurement;

  const table = [
    '| quantity | median | max | target | met |',
    '|---|---|---|---|---|',
    `| proof time | ${formatMs(median(times))} | ${formatMs(Math.max(...times))} | under ${TARGET_SECONDS} s | ${timeMet ? 'yes' : '**no**'} |`,
    `| peak RSS | ${formatMiB(median(memory))} | ${formatMiB(Math.max(...memory))} | under 1 GiB | ${memoryMet ? 'yes' : '**no**'} |`,
    `| process wall time, start-up included | ${formatMs(median(walls))} | ${formatMs(Math.max(...walls))} | | |`,
  ].join('\n');
  const verdict =
    timeMet && memoryMet
      ? `**Meets both targets**, judged by the slowest and largest of the ${measured.length} runs.`
      : `**Misses ${timeMet ? 'the memory target' : memoryMet ? 'the time target' : 'both targets'}**, judged by the slowest and largest of the ${measured.length} runs.`;
  const sizes =
    `The expanded loss has ${sample.lossMonomials} terms, Isserlis' theorem sums ${sample.matchings} matchings ` +
    `and the expectation has ${sample.expectationTerms} terms.`;
  return `${heading}\n\n${measured.length} runs.\n\n${table}\n\n${verdict} ${sizes}`;
}

function renderGrowthTable(results: SymbolicRiskResults): string {
  const columns = results.plan.examples.filter((n) => results.rows.some((row) => row.cells.some((cell) => cell.n === n)));
  const header = `| d \\ n | ${columns.join(' | ')} |`;
  const rule = `|---|${columns.map(() => '---').join('|')}|`;
  const lines = results.rows.map((row) => {
    const cells = columns.map((n) => {
      const cell = row.cells.find((candidate) => candidate.n === n);
      return cell === undefined ? '' : cellLabel(cell);
    });
    return `| ${row.d} | ${cells.join(' | ')} |`;
  });
  const legend = [
    'Each cell: proof time · peak RSS · terms of the expanded loss.',
    `"> ${results.maxSeconds} s": killed at the limit.`,
    '"skipped": the power law through the row\'s last two measurements predicted more than the limit, so the row ends there.',
  ].join(' ');
  return ['### Growth with n and d', '', legend, '', header, rule, ...lines].join('\n');
}

/** States, per row, the fitted growth in n, then the growth in d at the headline n. */
function renderGrowthSummary(results: SymbolicRiskResults): string {
  const lines: string[] = ['### How the cost grows', ''];
  let fitted = 0;
  let powerLawBetter = 0;

  for (const row of results.rows) {
    const points = measuredPoints(row).filter((point) => point.ms >= FIT_FLOOR_MS);
    if (points.length < FIT_MIN_POINTS) {
      lines.push(`- d = ${row.d}: fewer than ${FIT_MIN_POINTS} sizes took ${FIT_FLOOR_MS} ms or more, too few for a fit.`);
      continue;
    }
    const exponential = fitExponential(points);
    const powerLaw = fitPowerLaw(points);
    fitted += 1;
    if (powerLaw.rSquared >= exponential.rSquared) powerLawBetter += 1;

    const previous = points[points.length - 2];
    const last = points[points.length - 1];
    const stepFactor = (last.ms / previous.ms) ** (1 / (last.size - previous.size));
    lines.push(
      `- d = ${row.d}, n = ${points[0].size} to ${last.size} (${points.length} sizes): ` +
        `the fit of ln t against n gives a factor of ${exponential.factor.toFixed(3)} per added example (R² = ${exponential.rSquared.toFixed(3)}); ` +
        `ln t against ln n gives t ∝ n^${powerLaw.exponent.toFixed(2)} (R² = ${powerLaw.rSquared.toFixed(3)}); ` +
        `from n = ${previous.size} to ${last.size} each added example multiplied the time by ${stepFactor.toFixed(3)}.`,
    );
  }

  lines.push('');
  lines.push(`Fits use the sizes whose proof took at least ${FIT_FLOOR_MS} ms, because fixed costs such as JIT compilation dominate smaller ones.`);
  if (fitted > 0) {
    lines.push(
      powerLawBetter === fitted
        ? 'In every fitted row the power law fits at least as well as the exponential, so the cost grows polynomially in n and the factor per added example shrinks as n grows.'
        : `The power law fits at least as well as the exponential in ${powerLawBetter} of ${fitted} fitted rows.`,
    );
  }
  const dimensionGrowth = describeDimensionGrowth(results);
  if (dimensionGrowth !== null) lines.push(dimensionGrowth);
  return lines.join('\n');
}

/** Compares rows at the headline n: the time per d and the geometric-mean factor per added dimension. */
function describeDimensionGrowth(results: SymbolicRiskResults): string | null {
  const n = results.plan.headline.n;
  const points: Array<{ d: number; ms: number }> = [];
  for (const row of results.rows) {
    const cell = row.cells.find((candidate) => candidate.n === n);
    if (cell !== undefined && cell.kind === 'measured') points.push({ d: row.d, ms: cell.measurement.ms });
  }
  if (points.length < 2) return null;
  const first = points[0];
  const last = points[points.length - 1];
  const factor = (last.ms / first.ms) ** (1 / (last.d - first.d));
  const listed = points.map((point) => `${formatMs(point.ms)} at d = ${point.d}`).join(', ');
  return `At n = ${n} the proof takes ${listed}: a factor of ${factor.toFixed(2)} per added dimension on average.`;
}

function measuredPoints(row: GrowthRow): TimedSize[] {
  const points: TimedSize[] = [];
  for (const cell of row.cells) {
    if (cell.kind === 'measured') points.push({ size: cell.n, ms: cell.measurement.ms });
  }
  return points;
}

function cellLabel(cell: GrowthCell): string {
  if (cell.kind === 'skipped') return `skipped: predicted ${(cell.predictedMs / 1000).toFixed(0)} s`;
  if (cell.kind === 'measured') return measurementLabel(cell.measurement);
  return outcomeLabel(cell);
}

function measurementLabel(measurement: ProofMeasurement): string {
  return `${formatMs(measurement.ms)} · ${formatMiB(measurement.maxRssMiB)} · ${measurement.lossMonomials}`;
}

function outcomeLabel(outcome: MeasurementOutcome): string {
  switch (outcome.kind) {
    case 'measured':
      return measurementLabel(outcome.measurement);
    case 'timed-out':
      return `> ${outcome.limitSeconds} s`;
    case 'out-of-memory':
      return 'out of V8 heap';
    case 'killed':
      return `killed by ${outcome.signal}`;
  }
}

function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatMiB(mib: number): string {
  return `${mib.toFixed(0)} MiB`;
}
