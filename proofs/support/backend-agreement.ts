import { createCpuBackend } from '../../src/backend/cpu.ts';
import { FLOAT32_MIN_NORMAL, FLOAT64_MIN_NORMAL, scanWeights } from '../../src/backend/cpu-kernels.ts';
import { boundedRisk, boundedScan, float64Normals, type Bounded } from '../../src/backend/float32-bounds.ts';
import type { Backend, BlockModel, GateSequence, PromptBatch, RiskJob, ScanJob } from '../../src/backend/types.ts';
import { withContextBackend } from '../../src/claims/backend.ts';
import { byEffort } from '../../src/claims/effort.ts';
import { metricPasses } from '../../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Counterexample, Effort, Json, Metric } from '../../src/claims/types.ts';
import { Random } from '../../src/data/random.ts';

/**
 * The run's numeric backend against a single-threaded CPU reference on the
 * same sampled prompts, prompt by prompt. A float64 backend must agree bit
 * for bit. A float32 backend must stay within a per-prompt running error
 * bound of the CPU run on float32-rounded inputs, and must count the same
 * weights as exactly zero or below the smallest normal number.
 */

export type AgreementKind = 'risk' | 'scalar-scan' | 'vector-scan';

interface AgreementSize {
  d: number;
  blockSizes: number[];
  prompts: number;
}

/**
 * Quick sizes sample over 2·2^16 normals, so the CPU backend, which gives a
 * worker at least 2^16 normals by default, splits them over two or more
 * threads wherever it has them. The float32 bound walk allocates per
 * operation in float64 on the CPU, which is what caps the prompt counts.
 */
const SIZES: Record<'risk' | 'scan', Record<Effort, AgreementSize>> = {
  risk: {
    quick: { d: 4, blockSizes: [16, 16, 32], prompts: 600 },
    standard: { d: 32, blockSizes: [128, 128, 256], prompts: 1000 },
    thorough: { d: 64, blockSizes: [1024, 1024, 2048], prompts: 256 },
  },
  scan: {
    quick: { d: 4, blockSizes: [1000, 1000], prompts: 32 },
    standard: { d: 8, blockSizes: [25_000, 25_000], prompts: 16 },
    thorough: { d: 16, blockSizes: [50_000, 50_000], prompts: 8 },
  },
};

const RISK_RHO = [0.9, -0.5, 0.7];
const RISK_SIGMA2 = 0.25;
const SCAN_RHO = [0.6, 0.9];
const SCAN_SIGMA2 = 0.1;

/** −log of the product of the decay stretch's gates: e^−100 lies below float32's smallest normal e^−87.3, far above float64's. */
const DECAY = 100;
const QUERY_GATE = 0.9995;

const GATE_DESCRIPTION =
  `0.9999 for the first 5% of tokens, an exact 0 after them, then gates γ with γ^(stretch length) = e^−${DECAY} up to token n/2 ` +
  `(so the earliest surviving weights lie below float32's smallest normal number), exact 1s up to 0.7n, then a seeded mix of ` +
  `0.999, 0.9999, 0.99999, 1 and U[0.995, 1] drawn per key coordinate; the query's gate is ${QUERY_GATE}`;

// ---------------------------------------------------------------------------
// Jobs

function exampleCount(model: BlockModel): number {
  return model.blockSizes.reduce((total, size) => total + size, 0);
}

/** Σ = diag(λ) with λ_c uniform in [0.25, 2.25], seeded, so the features are anisotropic. */
function agreementModel(size: AgreementSize, rho: number[], sigma2: number, random: Random): BlockModel {
  const lambda = Float64Array.from({ length: size.d }, () => 0.25 + 2 * random.uniform());
  return { d: size.d, lambda, blockSizes: [...size.blockSizes], rho: Float64Array.from(rho), sigma2 };
}

/** P = I/d + (0.2/d)·N(0, 1) entries: near the isotropic optimum's shape, with every entry nonzero. */
function agreementPreconditioner(d: number, random: Random): Float64Array {
  const P = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) P[a * d + b] = (a === b ? 1 : 0) / d + (0.2 / d) * random.normal();
  }
  return P;
}

/** ω_i = sign(ρ_k(i))·(0.5 + U[0, 1])/n: block-signed like the optimal weights, with seeded spread inside each block. */
function agreementWeights(model: BlockModel, random: Random): Float64Array {
  const n = exampleCount(model);
  const signs = model.blockSizes.flatMap((size, k) => new Array<number>(size).fill(Math.sign(model.rho[k]) || 1));
  return Float64Array.from(signs, (sign) => (sign * (0.5 + random.uniform())) / n);
}

/** Gate of token t (1-based) in the layout of GATE_DESCRIPTION. */
function gateAt(t: number, n: number, random: Random): number {
  const zeroToken = Math.floor(0.05 * n) + 1;
  const decayEnd = Math.floor(0.5 * n);
  if (t === n + 1) return QUERY_GATE;
  if (t < zeroToken) return 0.9999;
  if (t === zeroToken) return 0;
  if (t <= decayEnd) return Math.exp(-DECAY / (decayEnd - zeroToken));
  if (t <= Math.floor(0.7 * n)) return 1;
  const draw = random.integer(0, 4);
  if (draw === 4) return 0.995 + 0.005 * random.uniform();
  return [0.999, 0.9999, 0.99999, 1][draw];
}

function agreementGates(kind: GateSequence['kind'], n: number, d: number, random: Random): GateSequence {
  const width = kind === 'scalar' ? 1 : d;
  const values = new Float64Array((n + 1) * width);
  for (let t = 1; t <= n + 1; t++) {
    for (let c = 0; c < width; c++) values[(t - 1) * width + c] = gateAt(t, n, random);
  }
  return { kind, values };
}

function promptIndices(batch: PromptBatch): number[] {
  return Array.from({ length: batch.count }, (_, index) => batch.firstPrompt + index);
}

// ---------------------------------------------------------------------------
// Comparisons

/** One per-prompt output of both backends, with the float32 bound walk's values where there is one. */
interface OutputPair {
  name: string;
  run: Float64Array;
  reference: Float64Array;
  bounds?: Bounded[];
}

/** A prompt where the backends disagree, as counterexample data. */
interface Disagreement {
  prompt: number;
  output: string;
  failure: string;
  values: { [key: string]: Json };
}

interface OutputVerdict {
  name: string;
  /** Prompts outside the tolerance: any differing bit in float64, |Δ| > bound in float32. */
  outside: number;
  /** Largest |Δ| / bound (float32 only). */
  worstRatio?: number;
  /** Prompts whose CPU reference value lies outside its own walked bound (float32 only). */
  referenceOutside?: number;
  first?: Disagreement;
}

const bitView = new Float64Array(1);
const bitWords = new BigUint64Array(bitView.buffer);

/** Returns the IEEE 754 bit pattern of a float64 as 16 hex digits. */
function bitsOf(value: number): string {
  bitView[0] = value;
  return bitWords[0].toString(16).padStart(16, '0');
}

/** Compares two float64 outputs bit for bit (so −0 ≠ +0, and a NaN matches only the same NaN). */
function compareBitwise(pair: OutputPair, firstPrompt: number): OutputVerdict {
  const { name, run, reference } = pair;
  if (run.length !== reference.length) {
    const failure = `${name}: the backend returned ${run.length} values for ${reference.length} prompts`;
    return { name, outside: reference.length, first: { prompt: firstPrompt, output: name, failure, values: {} } };
  }
  let outside = 0;
  let first: Disagreement | undefined;
  for (let index = 0; index < run.length; index++) {
    const runBits = bitsOf(run[index]);
    const referenceBits = bitsOf(reference[index]);
    if (runBits === referenceBits) continue;
    outside++;
    first ??= {
      prompt: firstPrompt + index,
      output: name,
      failure: `${name} of prompt ${firstPrompt + index}: ${run[index]} (bits ${runBits}) on the run's backend, ${reference[index]} (bits ${referenceBits}) single-threaded`,
      values: { run: run[index], reference: reference[index], runBits, referenceBits },
    };
  }
  return { name, outside, first };
}

/**
 * Compares a float32 output with the CPU reference prompt by prompt:
 * |run − reference| ≤ e, and checks that the walk's float64 value v reproduces
 * the reference (|reference − v| ≤ e), so the bound is about the same numbers.
 */
function compareWithinBound(pair: OutputPair, firstPrompt: number): OutputVerdict {
  const { name, run, reference } = pair;
  const bounds = pair.bounds ?? [];
  if (run.length !== reference.length || bounds.length !== reference.length) {
    const failure = `${name}: the backend returned ${run.length} values for ${reference.length} prompts`;
    return { name, outside: reference.length, worstRatio: Infinity, referenceOutside: 0, first: { prompt: firstPrompt, output: name, failure, values: {} } };
  }
  let outside = 0;
  let referenceOutside = 0;
  let worstRatio = 0;
  let first: Disagreement | undefined;
  bounds.forEach(({ v, e }, index) => {
    const prompt = firstPrompt + index;
    const deviation = Math.abs(run[index] - reference[index]);
    const ratio = deviation / e;
    worstRatio = Math.max(worstRatio, Number.isNaN(ratio) ? Infinity : ratio);
    if (!(Math.abs(reference[index] - v) <= e)) {
      referenceOutside++;
      first ??= {
        prompt,
        output: name,
        failure: `${name} of prompt ${prompt}: the CPU reference ${reference[index]} lies outside its walked value ${v} ± ${e}`,
        values: { reference: reference[index], walked: v, bound: e },
      };
    }
    if (deviation <= e) return;
    outside++;
    first ??= {
      prompt,
      output: name,
      failure: `${name} of prompt ${prompt}: ${run[index]} on the float32 backend, ${reference[index]} on the CPU reference, |Δ| = ${deviation.toExponential(3)} > bound ${e.toExponential(3)}`,
      values: { run: run[index], reference: reference[index], difference: deviation, bound: e },
    };
  });
  return { name, outside, worstRatio, referenceOutside, first };
}

/** Returns a finite number as is and a non-finite one as a string, which JSON keeps. */
function jsonNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function outputMetrics(verdict: OutputVerdict, precision: Backend['precision']): Metric[] {
  if (precision === 'float64') {
    return [{ name: `${verdict.name}: prompts not bitwise equal`, value: verdict.outside, threshold: 0, comparison: '==' }];
  }
  return [
    { name: `${verdict.name}: prompts with |Δ| > bound`, value: verdict.outside, threshold: 0, comparison: '==' },
    { name: `${verdict.name}: max |Δ| / bound`, value: jsonNumber(verdict.worstRatio ?? 0), threshold: 1, comparison: '<=' },
  ];
}

// ---------------------------------------------------------------------------
// Tolerances, stated in the result

const BITWISE_TOLERANCE =
  'bitwise equality of every output: sampling is a pure function of (seed, prompt, stream, index), the CPU backend splits a batch ' +
  'into contiguous prompt ranges and concatenates the results in prompt order, and each prompt runs the same float64 operation ' +
  'sequence on any thread, so the worker count cannot change a single bit.';

const FLOAT32_TOLERANCE =
  '|run − reference| ≤ e per prompt and output, where e is a first-order running error bound walked in float64 beside each prompt in ' +
  "the kernel's operation order: every float32 operation a∘b adds 2^−24·|a∘b| + 2^−126 (rounding, and underflow or flush-to-zero), " +
  'a product propagates |a|·err(b) + |b|·err(a), every normal carries (2^−20 + 2^−24)·r with r its Box–Muller radius (the device ' +
  "normal's deviation, measured below 2^−22.2·r on lavapipe (Mesa 25.0.7), plus the reference's float32 rounding), the compensated " +
  'WPGD and risk sums add (2·2^−24 + 2n·2^−48)·Σ|t_i|, and each host weight carries 2^−24 + n·2^−53·126 ln 2 relative. The bound is ' +
  'first order: the products of two error terms it drops are smaller by a factor of about n·2^−24. The reference is the CPU backend ' +
  'with round32 (float64 arithmetic on the float32-rounded inputs and normals), which the walk must also reproduce within e. ' +
  'Weight counts must be equal because both backends sum log γ over the same float32 gates in float64; only a weight whose log lies ' +
  'within 2n·2^−53·|ln ν| of ln ν (ν = 2^−126) may be counted differently, and a count mismatch then makes the check inconclusive.';

// ---------------------------------------------------------------------------
// Jobs on both backends

/** A weight count of both backends (scan jobs only). */
interface CountPair {
  name: string;
  run: number;
  reference: number;
}

/** The outputs of one batch on both backends. */
interface BatchOutputs {
  outputs: OutputPair[];
  counts: CountPair[];
}

/** One seeded job, with a way to run any batch of its prompts on both backends. */
interface AgreementJob {
  size: AgreementSize;
  batch: PromptBatch;
  /**
   * Runs the batch on the run's backend and on the reference, and walks each
   * prompt's float32 error bound when the run's backend is float32.
   */
  outputsOf(batch: PromptBatch): Promise<BatchOutputs>;
  /** Scan jobs only: how close a weight comes to the smallest-normal threshold. */
  threshold?: ThresholdMargin;
  details: { [key: string]: Json };
}

function riskAgreementJob(context: CheckContext, backend: Backend, reference: Backend): AgreementJob {
  const size = byEffort(context.effort, SIZES.risk);
  const random = new Random(context.seed);
  const model = agreementModel(size, RISK_RHO, RISK_SIGMA2, random);
  const P = agreementPreconditioner(model.d, random);
  const omega = agreementWeights(model, random);
  const outputsOf = async (batch: PromptBatch): Promise<BatchOutputs> => {
    const job: RiskJob = { model, batch, P, omega };
    const [ours, theirs] = await Promise.all([backend.risk(job), reference.risk(job)]);
    const bounds = backend.precision === 'float32' ? promptIndices(batch).map((p) => boundedRisk(job, float64Normals(batch.seed, p)).loss) : undefined;
    return { outputs: [{ name: 'loss', run: ours.losses, reference: theirs.losses, bounds }], counts: [] };
  };
  return {
    size,
    batch: { seed: context.seed, firstPrompt: 0, count: size.prompts },
    outputsOf,
    details: { rho: [...RISK_RHO], sigma2: RISK_SIGMA2, omega: 'ω_i = sign(ρ_k(i))·(0.5 + U[0, 1])/n, seeded' },
  };
}

function scanAgreementJob(context: CheckContext, backend: Backend, reference: Backend, kind: GateSequence['kind']): AgreementJob {
  const size = byEffort(context.effort, SIZES.scan);
  const random = new Random(context.seed);
  const model = agreementModel(size, SCAN_RHO, SCAN_SIGMA2, random);
  const P = agreementPreconditioner(model.d, random);
  const gates = agreementGates(kind, exampleCount(model), model.d, random);
  const outputsOf = async (batch: PromptBatch): Promise<BatchOutputs> => {
    const job: ScanJob = { model, batch, P, gates };
    const [ours, theirs] = await Promise.all([backend.scan(job), reference.scan(job)]);
    const bounds = backend.precision === 'float32' ? promptIndices(batch).map((p) => boundedScan(job, float64Normals(batch.seed, p))) : undefined;
    return {
      outputs: [
        { name: 'GLA ŷ', run: ours.gla, reference: theirs.gla, bounds: bounds?.map((bound) => bound.gla) },
        { name: 'WPGD ŷ', run: ours.wpgd, reference: theirs.wpgd, bounds: bounds?.map((bound) => bound.wpgd) },
        { name: 'label y', run: ours.labels, reference: theirs.labels, bounds: bounds?.map((bound) => bound.label) },
      ],
      counts: [
        { name: 'weights exactly 0', run: ours.zeroWeights, reference: theirs.zeroWeights },
        { name: 'weights below the smallest normal', run: ours.weightsOutOfRange, reference: theirs.weightsOutOfRange },
      ],
    };
  };
  const batch = { seed: context.seed, firstPrompt: 0, count: size.prompts };
  return {
    size,
    batch,
    outputsOf,
    threshold: thresholdMargin({ model, batch, P, gates }, backend.precision),
    details: { rho: [...SCAN_RHO], sigma2: SCAN_SIGMA2, gates: `${kind}: ${GATE_DESCRIPTION}` },
  };
}

/** Distance of the scan's log-weights from ln ν, ν the smallest normal number, near which the two backends' counts may differ. */
interface ThresholdMargin {
  /** Smallest |log ω − ln ν| over the nonzero weights. */
  margin: number;
  /** Width around ln ν in which two correct float64 sums of log γ may fall on different sides. */
  ambiguity: number;
}

/**
 * Measures how close log ω comes to ln ν, ν the backend's smallest normal
 * number. The backends sum log γ over the same gates in float64 but in
 * different ways (compensated on the CPU, plainly on the WebGPU host). Every
 * log γ ≤ 0, so a plain sum of up to n of them errs by at most n·2^−53·|log ω|,
 * and a weight within twice that of ln ν may be counted on either side of it.
 */
function thresholdMargin(job: ScanJob, precision: Backend['precision']): ThresholdMargin {
  const round32 = precision === 'float32';
  const n = exampleCount(job.model);
  const values = round32 ? job.gates.values.map(Math.fround) : job.gates.values;
  const { logOmega } = scanWeights({ kind: job.gates.kind, values }, n, job.model.d, round32);
  const threshold = Math.log(round32 ? FLOAT32_MIN_NORMAL : FLOAT64_MIN_NORMAL);
  let margin = Infinity;
  for (const logWeight of logOmega) {
    if (Number.isFinite(logWeight)) margin = Math.min(margin, Math.abs(logWeight - threshold));
  }
  return { margin, ambiguity: 2 * n * 2 ** -53 * Math.abs(threshold) };
}

// ---------------------------------------------------------------------------
// Verdicts and the result

function judge(outputs: BatchOutputs, batch: PromptBatch, precision: Backend['precision']): OutputVerdict[] {
  const compare = precision === 'float64' ? compareBitwise : compareWithinBound;
  return outputs.outputs.map((pair) => compare(pair, batch.firstPrompt));
}

/** Returns the disagreement with the smallest prompt index over all outputs. */
function earliestDisagreement(verdicts: readonly OutputVerdict[]): Disagreement | undefined {
  let earliest: Disagreement | undefined;
  for (const verdict of verdicts) {
    if (verdict.first !== undefined && (earliest === undefined || verdict.first.prompt < earliest.prompt)) earliest = verdict.first;
  }
  return earliest;
}

function agrees(verdicts: readonly OutputVerdict[]): boolean {
  return verdicts.every((verdict) => verdict.outside === 0 && (verdict.referenceOutside ?? 0) === 0);
}

const HINTS: Record<Backend['precision'], string[]> = {
  float64: [
    '1. Run the failing prompt alone (firstPrompt = that prompt, count = 1) on createCpuBackend({ workers: 1 }) and on the full worker pool: a difference there is in the kernel or in the inputs a worker receives.',
    '2. Check that the worker gets the same rounded inputs (P, ω, gates, prepared model) as the calling thread, and that worker ranges are concatenated in prompt order.',
    '3. Rerun with another --seed to see whether the disagreement depends on the prompt or on the batch split.',
  ],
  float32: [
    '1. Rerun with --backend cpu: if that run agrees, the device kernel departs from the reference, not the sampler.',
    '2. Compare the device normals of the failing prompt (backend.normals) with normalsOf(...): each must lie within 2^−20·r of the float64 normal.',
    "3. Compare the kernel's operation order with walkPrompt in src/backend/float32-bounds.ts: the bound holds only for that order.",
  ],
};

/** Findings of one comparison, ready for the result. */
interface AgreementOutcome {
  kind: AgreementKind;
  backend: Backend;
  referenceDescription: string;
  job: AgreementJob;
  verdicts: OutputVerdict[];
  counts: CountPair[];
  /** Whether a second run of the batch agreed everywhere; undefined when nothing disagreed. */
  flaky?: boolean;
}

async function runAgreement(context: CheckContext, kind: AgreementKind): Promise<CheckResult> {
  return withContextBackend(context, async (backend) => {
    const reference = createCpuBackend({ workers: 1, round32: backend.precision === 'float32' });
    try {
      const job = kind === 'risk' ? riskAgreementJob(context, backend, reference) : scanAgreementJob(context, backend, reference, kind === 'scalar-scan' ? 'scalar' : 'vector');
      const outputs = await job.outputsOf(job.batch);
      context.progress(0.9);
      const verdicts = judge(outputs, job.batch, backend.precision);
      const first = earliestDisagreement(verdicts);
      let flaky: boolean | undefined;
      if (first !== undefined) {
        // Replay the whole batch rather than the failing prompt alone, because a one-prompt
        // batch runs on one thread and would hide a disagreement that comes from the worker split.
        flaky = agrees(judge(await job.outputsOf(job.batch), job.batch, backend.precision));
      }
      context.progress(1);
      return agreementResult(context, { kind, backend, referenceDescription: reference.description, job, verdicts, counts: outputs.counts, flaky });
    } finally {
      await reference.dispose();
    }
  });
}

function agreementMetrics(outcome: AgreementOutcome): Metric[] {
  const { verdicts, counts } = outcome;
  const precision = outcome.backend.precision;
  const metrics: Metric[] = verdicts.flatMap((verdict) => outputMetrics(verdict, precision));
  if (precision === 'float32') {
    const referenceOutside = verdicts.reduce((total, verdict) => total + (verdict.referenceOutside ?? 0), 0);
    metrics.push({ name: 'CPU reference values outside their walked bound', value: referenceOutside, threshold: 0, comparison: '==' });
  }
  for (const count of counts) {
    metrics.push({ name: `${count.name}, run's backend (threshold: the reference's count)`, value: count.run, threshold: count.reference, comparison: '==' });
  }
  return metrics;
}

function agreementDetails(context: CheckContext, outcome: AgreementOutcome): { [key: string]: Json } {
  const { backend, job, verdicts, counts } = outcome;
  const { size } = job;
  const n = size.blockSizes.reduce((total, blockSize) => total + blockSize, 0);
  const sampled = size.prompts * (n + 1) * size.d;
  const details: { [key: string]: Json } = {
    backend: backend.description,
    precision: backend.precision,
    reference: outcome.referenceDescription,
    kind: outcome.kind,
    n,
    d: size.d,
    prompts: size.prompts,
    blockSizes: [...size.blockSizes],
    seed: context.seed,
    lambda: 'λ_c uniform in [0.25, 2.25], seeded',
    P: 'I/d + (0.2/d)·N(0, 1) entries, seeded',
    ...job.details,
    sampledNormals: sampled,
    tolerance: backend.precision === 'float64' ? BITWISE_TOLERANCE : FLOAT32_TOLERANCE,
    outputs: verdicts.map((verdict) => ({
      output: verdict.name,
      promptsOutside: verdict.outside,
      ...(verdict.worstRatio === undefined ? {} : { maxRatioToBound: jsonNumber(verdict.worstRatio), referenceOutsideWalk: verdict.referenceOutside ?? 0 }),
    })),
  };
  if (backend.precision === 'float64') {
    details.workerSplit = `${sampled} normals per call; the CPU backend gives each worker range at least 2^16 normals by default, so the run's backend splits this batch into min(workers, ${Math.max(1, Math.floor(sampled / 2 ** 16))}) ranges`;
  }
  if (counts.length > 0) details.counts = counts.map((count) => ({ ...count }));
  if (job.threshold !== undefined) {
    details.smallestNormalMargin = {
      closestLogWeight: job.threshold.margin,
      ambiguity: job.threshold.ambiguity,
      meaning: 'smallest |log ω − ln ν| over the nonzero weights, ν the smallest normal number; counts may differ between two correct backends only for a weight closer than the ambiguity 2n·2^−53·|ln ν|',
    };
  }
  return details;
}

function agreementResult(context: CheckContext, outcome: AgreementOutcome): CheckResult {
  const { backend, job, verdicts, counts } = outcome;
  const metrics = agreementMetrics(outcome);
  const details = agreementDetails(context, outcome);
  const n = job.size.blockSizes.reduce((total, blockSize) => total + blockSize, 0);
  const scope = `On ${job.size.prompts} prompts with n = ${n}, d = ${job.size.d} (${backend.description})`;
  const versus = backend.precision === 'float64' ? 'a single-threaded CPU run' : 'the CPU reference on float32-rounded inputs';
  const countText = counts.map((count) => `${count.run} ${count.name}`).join(' and ');

  if (metrics.every(metricPasses)) {
    const ratios = verdicts.map((verdict) => `${verdict.name} ${verdict.worstRatio?.toExponential(2)}`).join(', ');
    const agreement = backend.precision === 'float64' ? `every output is bitwise equal to ${versus}` : `every output lies within its per-prompt float32 bound of ${versus} (max |Δ|/bound: ${ratios})`;
    return { status: 'verified', summary: `${scope}, ${agreement}${countText ? `, and both count ${countText}` : ''}.`, metrics, details };
  }

  const first = earliestDisagreement(verdicts);
  const countMismatch = counts.find((count) => count.run !== count.reference);
  if (first === undefined && countMismatch !== undefined && backend.precision === 'float32' && job.threshold !== undefined && job.threshold.margin <= job.threshold.ambiguity) {
    const summary = `${scope}, the outputs agree, but the counts of ${countMismatch.name} differ (${countMismatch.run} vs ${countMismatch.reference}) while a weight lies within ${job.threshold.margin.toExponential(2)} of ln ν, inside the rounding of the log-weight sums (${job.threshold.ambiguity.toExponential(2)}), so the check cannot decide.`;
    return { status: 'inconclusive', summary, metrics, details };
  }

  const failure = first?.failure ?? (countMismatch ? `${countMismatch.name}: ${countMismatch.run} on the run's backend, ${countMismatch.reference} on the reference` : 'a metric missed its threshold');
  const outsideTotal = verdicts.reduce((total, verdict) => total + verdict.outside, 0);
  const comparedTotal = job.size.prompts * verdicts.length;
  const counterexample: Counterexample = {
    input: {
      kind: outcome.kind,
      seed: context.seed,
      prompt: first?.prompt ?? null,
      output: first?.output ?? countMismatch?.name ?? null,
      n,
      d: job.size.d,
      blockSizes: [...job.size.blockSizes],
      ...(first?.values ?? {}),
    },
    failure,
    replay: context.replayCommand,
    hints: HINTS[backend.precision],
  };
  if (outcome.flaky) {
    counterexample.flaky = true;
    return { status: 'inconclusive', summary: `${scope}, a disagreement did not reproduce when the batch was run again (flaky): ${failure}.`, metrics, details, counterexample };
  }
  return { status: 'failed', summary: `${scope}, the backend disagrees with ${versus}: ${failure} (${outsideTotal} of ${comparedTotal} prompt outputs outside the tolerance).`, metrics, details, counterexample };
}

const TITLES: Record<AgreementKind, string> = {
  risk: 'WPGD risk losses',
  'scalar-scan': 'scalar-gated GLA scan, WPGD predictions and labels',
  'vector-scan': 'key-vector-gated GLA scan, WPGD predictions and labels',
};

/**
 * Builds the backend-agreement check: the run's backend (--backend) against a
 * fresh single-threaded CPU backend on the same prompts, bitwise for float64
 * and within the per-prompt float32 error bound for WebGPU.
 */
export function backendAgreementCheck(kind: AgreementKind): Check {
  return {
    id: 'backend-agreement',
    kind: 'property',
    title: `numeric backend (--backend) vs a single-threaded CPU run on the same prompts: ${TITLES[kind]}, bitwise in float64, within a per-prompt error bound in float32`,
    run: (context) => runAgreement(context, kind),
  };
}
