import { fileURLToPath } from 'node:url';
import { detectPinning, runWorker, type Pinning } from './child-process.ts';
import { predictMs } from './growth.ts';
import type { BenchContext, BenchSection } from './section.ts';
import { parseProofMeasurement, type ProofMeasurement } from './symbolic-risk-measure.ts';
import { renderSymbolicRisk } from './symbolic-risk-page.ts';

/** Outcome of one requested measurement. */
export type MeasurementOutcome =
  | { readonly kind: 'measured'; readonly measurement: ProofMeasurement; readonly wallMs: number }
  | { readonly kind: 'timed-out'; readonly limitSeconds: number }
  | { readonly kind: 'out-of-memory' }
  | { readonly kind: 'killed'; readonly signal: string };

/** Measurement strategy for the RISK proof at one size, with `description` as the page's sentence about it. */
export interface ProofMeter {
  readonly description: string;
  measure(d: number, n: number, limitSeconds: number): Promise<MeasurementOutcome>;
}

/** One cell of the growth table: an outcome at n, or a size skipped by prediction. */
export type GrowthCell =
  | (MeasurementOutcome & { readonly n: number })
  | { readonly kind: 'skipped'; readonly n: number; readonly predictedMs: number };

export interface GrowthRow {
  readonly d: number;
  readonly cells: readonly GrowthCell[];
}

/** Sizes measured by the section. */
export interface SymbolicRiskPlan {
  /** The size whose cost the targets are about. */
  readonly headline: { readonly d: number; readonly n: number };
  readonly repeats: number;
  /** Rows of the growth table. */
  readonly dimensions: readonly number[];
  /** Columns of the growth table, increasing. */
  readonly examples: readonly number[];
}

/**
 * The full grid. n doubles every two steps (1, 2, 3, 4, 6, 8, 12, …) because the
 * cost grows polynomially in n, so consecutive values of n would spend the
 * time limit on many small steps. The last column only bounds the loop,
 * because at the default 60 s limit every row ends far earlier.
 */
const FULL_PLAN: SymbolicRiskPlan = {
  headline: { d: 2, n: 3 },
  repeats: 5,
  dimensions: [1, 2, 3, 4, 5],
  examples: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024],
};

/** The grid for tests: every part of the page at sizes that take milliseconds. */
const QUICK_PLAN: SymbolicRiskPlan = {
  headline: { d: 2, n: 3 },
  repeats: 5,
  dimensions: [1, 2],
  examples: [1, 2, 3],
};

const WORKER = fileURLToPath(new URL('./symbolic-risk-worker.ts', import.meta.url));

/** Measures each size in a fresh worker process, pinned to one core where `taskset` allows. */
export function childProcessMeter(pinning: Pinning = detectPinning()): ProofMeter {
  return {
    description: `Each measurement runs in a fresh Node.js process, ${pinning.description}.`,
    async measure(d, n, limitSeconds) {
      const outcome = await runWorker(WORKER, [String(d), String(n)], limitSeconds, pinning);
      if (outcome.kind !== 'completed') return outcome;
      return { kind: 'measured', measurement: parseProofMeasurement(outcome.stdout, d, n), wallMs: outcome.wallMs };
    },
  };
}

/**
 * Builds the benchmark section of the symbolic RISK proof: the headline size repeated,
 * then the growth grid. A proof that fails stops the whole bench with its error.
 */
export function symbolicRiskSection(meter?: ProofMeter): BenchSection {
  return {
    name: 'symbolic-risk',
    title: 'Symbolic RISK proof',
    async run(context) {
      const activeMeter = meter ?? childProcessMeter();
      const plan = context.quick ? QUICK_PLAN : FULL_PLAN;
      const headline = await measureHeadline(plan, activeMeter, context);
      const rows = await measureGrowth(plan, activeMeter, context);
      return renderSymbolicRisk({ plan, headline, rows, meterDescription: activeMeter.description, maxSeconds: context.maxSeconds });
    },
  };
}

async function measureHeadline(plan: SymbolicRiskPlan, meter: ProofMeter, context: BenchContext): Promise<MeasurementOutcome[]> {
  const { d, n } = plan.headline;
  const outcomes: MeasurementOutcome[] = [];
  for (let repeat = 1; repeat <= plan.repeats; repeat += 1) {
    const outcome = await meter.measure(d, n, context.maxSeconds);
    context.log(`symbolic RISK headline ${repeat}/${plan.repeats}, d=${d} n=${n}: ${describeOutcome(outcome)}`);
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Measures the rows in order, and stops after a row whose n = 1 did not finish. */
async function measureGrowth(plan: SymbolicRiskPlan, meter: ProofMeter, context: BenchContext): Promise<GrowthRow[]> {
  const rows: GrowthRow[] = [];
  for (const d of plan.dimensions) {
    const row = await measureRow(d, plan.examples, meter, context);
    rows.push(row);
    if (row.cells.length === 0 || row.cells[0].kind !== 'measured') break;
  }
  return rows;
}

/**
 * Measures n = examples[0], examples[1], … at dimension d until a measurement
 * does not finish or the last two measurements predict more than the limit
 * for the next n. That cell is the row's last.
 */
async function measureRow(d: number, examples: readonly number[], meter: ProofMeter, context: BenchContext): Promise<GrowthRow> {
  const cells: GrowthCell[] = [];
  const limitMs = context.maxSeconds * 1000;
  for (const n of examples) {
    const measured = cells.filter((cell) => cell.kind === 'measured');
    if (measured.length >= 2) {
      const previous = measured[measured.length - 2];
      const last = measured[measured.length - 1];
      const predictedMs = predictMs({ size: previous.n, ms: previous.measurement.ms }, { size: last.n, ms: last.measurement.ms }, n);
      if (predictedMs > limitMs) {
        cells.push({ kind: 'skipped', n, predictedMs });
        context.log(`symbolic RISK d=${d} n=${n}: skipped, predicted ${(predictedMs / 1000).toFixed(0)} s`);
        break;
      }
    }

    const outcome = await meter.measure(d, n, context.maxSeconds);
    context.log(`symbolic RISK d=${d} n=${n}: ${describeOutcome(outcome)}`);
    cells.push({ ...outcome, n });
    if (outcome.kind !== 'measured') break;
  }
  return { d, cells };
}

function describeOutcome(outcome: MeasurementOutcome): string {
  switch (outcome.kind) {
    case 'measured':
      return `${outcome.measurement.ms.toFixed(0)} ms, peak RSS ${outcome.measurement.maxRssMiB.toFixed(0)} MiB`;
    case 'timed-out':
      return `stopped at the ${outcome.limitSeconds} s limit`;
    case 'out-of-memory':
      return 'ran out of V8 heap';
    case 'killed':
      return `killed by ${outcome.signal}`;
  }
}
