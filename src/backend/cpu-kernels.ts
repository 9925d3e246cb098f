import { accumulateRiskChunk, accumulateScanChunk, accumulateVectorScanPair, type ScanPromptChunk } from './cpu-loops.ts';
import { NormalGenerator, type PhiloxKey } from './philox.ts';
import type { BlockModel, GateSequence } from './types.ts';

/**
 * Float64 kernels of the CPU backend over a contiguous range of prompts. They
 * trust their inputs because cpu.ts validates jobs, and they keep all
 * per-prompt state in scratch arrays allocated once per range. Every prompt is
 * drawn from the sampling layout of types.ts, so its result depends only on
 * the seed, its index and the job, never on how a batch is split.
 *
 * With `round32` every input (λ, ρ, σ², P, ω, gates) and every sampled normal
 * is rounded to float32 first and the arithmetic stays float64: this is the
 * reference that a float32 backend run is compared with.
 */

/** Smallest normal float64, 2^−1022. */
export const FLOAT64_MIN_NORMAL = 2.2250738585072014e-308;
/** Smallest normal float32, 2^−126. */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/** Normals drawn per chunk of example features; the chunk stays in L1 cache for small d. */
const CHUNK_NORMALS = 1024;

/** Stream numbers of the sampling layout. */
const STREAM_EXAMPLE_FEATURES = 0;
const STREAM_QUERY_FEATURES = 1;
const STREAM_TASKS = 2;
const STREAM_NOISE = 3;

/** The block model in the form the kernels read: flat arrays, derived factors computed once. */
export interface PreparedModel {
  readonly d: number;
  readonly n: number;
  /** Number of blocks K. */
  readonly K: number;
  /** √λ_c, so x_c = √λ_c z. */
  readonly sqrtLambda: Float64Array;
  /** ρ_k. */
  readonly rho: Float64Array;
  /** √(1 − ρ_k²), the weight of block k's innovation ε_k. */
  readonly innovationScale: Float64Array;
  /** k(i), the block of example i. */
  readonly blockOf: Int32Array;
  /** σ = √σ². */
  readonly sigma: number;
  readonly round32: boolean;
}

/** Returns `value` rounded to float32 when `round32` is set. */
function rounded(value: number, round32: boolean): number {
  return round32 ? Math.fround(value) : value;
}

/** Returns a copy of `values`, rounded to float32 when `round32` is set. */
export function roundedCopy(values: ArrayLike<number>, round32: boolean): Float64Array {
  const copy = Float64Array.from(values);
  if (round32) for (let i = 0; i < copy.length; i++) copy[i] = Math.fround(copy[i]);
  return copy;
}

/** Derives the kernels' flat form of a validated block model. */
export function prepareModel(model: BlockModel, round32: boolean): PreparedModel {
  const { d } = model;
  const K = model.blockSizes.length;
  const n = model.blockSizes.reduce((sum, size) => sum + size, 0);
  const sqrtLambda = new Float64Array(d);
  for (let c = 0; c < d; c++) sqrtLambda[c] = Math.sqrt(rounded(model.lambda[c], round32));
  const rho = roundedCopy(model.rho, round32);
  const innovationScale = new Float64Array(K);
  // |ρ| ≤ 1 gives a rounded ρ² ≤ 1, so 1 − ρ² ≥ 0 and |ρ| = 1 gives exactly 0.
  for (let k = 0; k < K; k++) innovationScale[k] = Math.sqrt(1 - rho[k] * rho[k]);
  const blockOf = new Int32Array(n);
  let i = 0;
  model.blockSizes.forEach((size, k) => {
    blockOf.fill(k, i, i + size);
    i += size;
  });
  const sigma = Math.sqrt(rounded(model.sigma2, round32));
  return { d, n, K, sqrtLambda, rho, innovationScale, blockOf, sigma, round32 };
}

/**
 * Per-range scratch that samples one prompt of the block model:
 * β (stream 2, t = c), ε_k (stream 2, t = d + k·d + c), β^{(k)} = ρ_k β + √(1 − ρ_k²) ε_k,
 * the query x_c = √λ_c z (stream 1, t = c), the noise ξ_i (stream 3, t = i) and ξ (t = n),
 * and the examples x_{i,c} = √λ_c z (stream 0, t = i·d + c), y_i = x_iᵀ β^{(k(i))} + σ ξ_i,
 * chunk by chunk.
 */
export class PromptSampler {
  /** Examples per chunk, a multiple of 4 so every chunk starts on a Philox block. */
  readonly chunkExamples: number;
  /** Query features x, length d. */
  readonly x: Float64Array;
  /** Query label y = xᵀβ + σ ξ of the current prompt. */
  queryLabel = 0;
  /** Example features of the current chunk, row-major chunkExamples × d. */
  readonly features: Float64Array;
  /** Example labels y_i of the current chunk. */
  readonly labels: Float64Array;

  private readonly generator: NormalGenerator;
  private readonly taskNormals: Float64Array;
  /** β^{(k)} of every block, row-major K × d. */
  private readonly blockTasks: Float64Array;
  private readonly noise: Float64Array;

  constructor(
    private readonly model: PreparedModel,
    key: PhiloxKey,
  ) {
    const { d, n, K } = model;
    this.generator = new NormalGenerator(key, model.round32);
    this.chunkExamples = 4 * Math.max(1, Math.ceil(CHUNK_NORMALS / (4 * d)));
    this.x = new Float64Array(d);
    this.features = new Float64Array(this.chunkExamples * d);
    this.labels = new Float64Array(this.chunkExamples);
    this.taskNormals = new Float64Array(d + K * d);
    this.blockTasks = new Float64Array(K * d);
    this.noise = new Float64Array(n + 1);
  }

  /** Samples the tasks, the query and the noise of prompt p. */
  begin(p: number): void {
    const { d, n, K, sqrtLambda, rho, innovationScale, sigma } = this.model;
    const z = this.taskNormals;
    this.generator.fill(p, STREAM_TASKS, 0, d + K * d, z);
    for (let k = 0; k < K; k++) {
      const innovation = d + k * d;
      for (let c = 0; c < d; c++) this.blockTasks[k * d + c] = rho[k] * z[c] + innovationScale[k] * z[innovation + c];
    }
    this.generator.fill(p, STREAM_QUERY_FEATURES, 0, d, this.x);
    for (let c = 0; c < d; c++) this.x[c] *= sqrtLambda[c];
    this.generator.fill(p, STREAM_NOISE, 0, n + 1, this.noise);
    let label = 0;
    for (let c = 0; c < d; c++) label += this.x[c] * z[c];
    this.queryLabel = label + sigma * this.noise[n];
  }

  /** Samples examples first .. first + count − 1 (count ≤ chunkExamples) of prompt p into `features` and `labels`. */
  examples(p: number, first: number, count: number): void {
    const { d, sqrtLambda, blockOf, sigma } = this.model;
    const { features, labels, blockTasks, noise } = this;
    this.generator.fill(p, STREAM_EXAMPLE_FEATURES, first * d, count * d, features);
    for (let i = 0; i < count; i++) {
      const row = i * d;
      const task = blockOf[first + i] * d;
      let label = 0;
      for (let c = 0; c < d; c++) {
        const feature = sqrtLambda[c] * features[row + c];
        features[row + c] = feature;
        label += feature * blockTasks[task + c];
      }
      labels[i] = label + sigma * noise[first + i];
    }
  }
}

/** Returns xᵀ P s = Σ_a x_a Σ_b P_ab s_b for P d×d row-major. */
function bilinear(x: Float64Array, P: Float64Array, s: Float64Array, d: number): number {
  let total = 0;
  for (let a = 0; a < d; a++) {
    let row = 0;
    for (let b = 0; b < d; b++) row += P[a * d + b] * s[b];
    total += x[a] * row;
  }
  return total;
}

/** A risk job in kernel form: inputs rounded as the precision requires. */
export interface PreparedRiskJob {
  readonly model: PreparedModel;
  readonly key: PhiloxKey;
  /** P, d×d row-major. */
  readonly P: Float64Array;
  /** ω_i, length n. */
  readonly omega: Float64Array;
}

/**
 * Risk kernel: for prompts p = first .. first + count − 1, the squared loss
 * (y − ŷ)² of WPGD ŷ = xᵀ P Σ_i ω_i x_i y_i. Returns the losses in prompt order.
 */
export function riskKernel(job: PreparedRiskJob, first: number, count: number): Float64Array {
  const { d, n } = job.model;
  const { P, omega } = job;
  const sampler = new PromptSampler(job.model, job.key);
  const g = new Float64Array(d);
  const losses = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const p = first + index;
    sampler.begin(p);
    g.fill(0);
    for (let start = 0; start < n; start += sampler.chunkExamples) {
      const size = Math.min(sampler.chunkExamples, n - start);
      sampler.examples(p, start, size);
      accumulateRiskChunk(g, omega, sampler.labels, sampler.features, start, size, d);
    }
    const residual = sampler.queryLabel - bilinear(sampler.x, P, g, d);
    losses[index] = residual * residual;
  }
  return losses;
}

/** WPGD weights of a gate sequence, prompt-independent, so computed once per batch. */
export interface ScanWeights {
  /**
   * ω_i (scalar gates, length n) or ω_{i,c} (vector gates, n×d row-major),
   * with 0 for exact zeros and for weights below the smallest normal.
   */
  readonly omega: Float64Array;
  /** log ω, −Infinity where a later gate is exactly 0. */
  readonly logOmega: Float64Array;
  /** Positive weights below the smallest normal number, left out of the WPGD sum. */
  readonly weightsOutOfRange: number;
  /** Weights that are exactly 0 because a later gate is exactly 0. */
  readonly zeroWeights: number;
}

/**
 * Computes the WPGD weights of GLA-1 and GLA-key, ω_{i(,c)} = Π_{j=i+1}^{n+1} γ_{j(,c)}
 * (tokens counted from 1, the query's gate included), as log ω = suffix sums of
 * log γ with Neumaier compensation, then ω = exp(log ω). A zero gate makes every
 * earlier weight exactly 0 without taking log 0. A weight whose log lies below
 * ln(smallest normal) of the precision (float32 when `round32`) is left out
 * and counted, so a float32 run never computes with a subnormal weight.
 * `values` must already be rounded when `round32` is set.
 */
export function scanWeights(gates: GateSequence, n: number, d: number, round32: boolean): ScanWeights {
  const width = gates.kind === 'scalar' ? 1 : d;
  const values = gates.values;
  const minNormal = round32 ? FLOAT32_MIN_NORMAL : FLOAT64_MIN_NORMAL;
  const logMinNormal = Math.log(minNormal);
  const omega = new Float64Array(n * width);
  const logOmega = new Float64Array(n * width);
  let weightsOutOfRange = 0;
  let zeroWeights = 0;
  for (let c = 0; c < width; c++) {
    let sum = 0;
    let compensation = 0;
    let zeroAfter = false;
    // Example i (0-based) is token i + 1, so its weight multiplies the gates of tokens i + 2 .. n + 1,
    // which are values[(i + 1)·width + c] .. values[n·width + c].
    for (let i = n - 1; i >= 0; i--) {
      const gate = values[(i + 1) * width + c];
      if (gate === 0) zeroAfter = true;
      if (!zeroAfter) {
        const term = Math.log(gate);
        const total = sum + term;
        if (Math.abs(sum) >= Math.abs(term)) compensation += sum - total + term;
        else compensation += term - total + sum;
        sum = total;
      }
      const index = i * width + c;
      if (zeroAfter) {
        logOmega[index] = -Infinity;
        omega[index] = 0;
        zeroWeights++;
        continue;
      }
      const logWeight = sum + compensation;
      logOmega[index] = logWeight;
      const weight = logWeight < logMinNormal ? 0 : Math.exp(logWeight);
      // exp rounds, so a log just above the threshold can still land below it.
      if (weight < minNormal) {
        omega[index] = 0;
        weightsOutOfRange++;
      } else {
        omega[index] = weight;
      }
    }
  }
  return { omega, logOmega, weightsOutOfRange, zeroWeights };
}

/** A scan job in kernel form. */
export interface PreparedScanJob {
  readonly model: PreparedModel;
  readonly key: PhiloxKey;
  /** P, d×d row-major. */
  readonly P: Float64Array;
  readonly kind: GateSequence['kind'];
  /** Gate values of tokens 1..n+1, rounded as the precision requires. */
  readonly gates: Float64Array;
  /** scanWeights(...).omega of the same gates. */
  readonly omega: Float64Array;
}

/** Per-prompt predictions of the scan kernel, in prompt order. */
export interface ScanPredictions {
  readonly gla: Float64Array;
  readonly wpgd: Float64Array;
  readonly labels: Float64Array;
}

/** One prompt's scratch in the scan kernel: its sampler, the state s and the weighted sum g. */
class ScanLane implements ScanPromptChunk {
  readonly sampler: PromptSampler;
  readonly s: Float64Array;
  readonly g: Float64Array;
  readonly labels: Float64Array;
  readonly features: Float64Array;

  constructor(job: PreparedScanJob) {
    this.sampler = new PromptSampler(job.model, job.key);
    this.s = new Float64Array(job.model.d);
    this.g = new Float64Array(job.model.d);
    this.labels = this.sampler.labels;
    this.features = this.sampler.features;
  }

  /** Samples the tasks, query and noise of prompt p and zeroes s and g. */
  begin(p: number): void {
    this.sampler.begin(p);
    this.s.fill(0);
    this.g.fill(0);
  }
}

/**
 * Scan kernel for prompts p = first .. first + count − 1, under construction C
 * (k_i = (x_i, 0), v_i = (0, y_i), q = (Pᵀx, 0)): only the label row of S is
 * nonzero, so the state is s ∈ R^d with s_c ← γ_{t(,c)} s_c + x_{t,c} y_t for
 * the examples, the query's gate multiplies s, and ŷ_gla = Σ_a x_a Σ_b P_ab s_b.
 * Beside it, ŷ_wpgd = xᵀ P Σ_i (ω_i ⊙ x_i) y_i with the precomputed weights.
 * With vector gates, prompts go through the token loop two at a time (see
 * accumulateVectorScanPair); each prompt's result is bitwise the same either way.
 */
export function scanKernel(job: PreparedScanJob, first: number, count: number): ScanPredictions {
  const out: ScanPredictions = { gla: new Float64Array(count), wpgd: new Float64Array(count), labels: new Float64Array(count) };
  const a = new ScanLane(job);
  let index = 0;
  if (job.kind === 'vector' && count >= 2) {
    const b = new ScanLane(job);
    for (; index + 2 <= count; index += 2) {
      scanPromptPair(job, a, b, first + index);
      finishScanPrompt(job, a, out, index);
      finishScanPrompt(job, b, out, index + 1);
    }
  }
  for (; index < count; index++) {
    scanPrompt(job, a, first + index);
    finishScanPrompt(job, a, out, index);
  }
  return out;
}

/** Runs the token loop of prompt p in `lane`. */
function scanPrompt(job: PreparedScanJob, lane: ScanLane, p: number): void {
  const { d, n } = job.model;
  const { sampler, s, g } = lane;
  lane.begin(p);
  for (let start = 0; start < n; start += sampler.chunkExamples) {
    const size = Math.min(sampler.chunkExamples, n - start);
    sampler.examples(p, start, size);
    accumulateScanChunk(job.kind === 'vector', s, g, job.gates, job.omega, sampler.labels, sampler.features, start, size, d);
  }
}

/** Runs the vector-gated token loop of prompts p (lane a) and p + 1 (lane b) together. */
function scanPromptPair(job: PreparedScanJob, a: ScanLane, b: ScanLane, p: number): void {
  const { d, n } = job.model;
  const chunk = a.sampler.chunkExamples;
  a.begin(p);
  b.begin(p + 1);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    a.sampler.examples(p, start, size);
    b.sampler.examples(p + 1, start, size);
    accumulateVectorScanPair(a, b, job.gates, job.omega, start, size, d);
  }
}

/** Applies the query's gate to s and writes prompt `index`'s two predictions and its query label. */
function finishScanPrompt(job: PreparedScanJob, lane: ScanLane, out: ScanPredictions, index: number): void {
  const { d, n } = job.model;
  const { sampler, s, g } = lane;
  const vector = job.kind === 'vector';
  for (let c = 0; c < d; c++) s[c] *= vector ? job.gates[n * d + c] : job.gates[n];
  out.gla[index] = bilinear(sampler.x, job.P, s, d);
  out.wpgd[index] = bilinear(sampler.x, job.P, g, d);
  out.labels[index] = sampler.queryLabel;
}
