import { prepareModel, PromptSampler } from '../backend/cpu-kernels.ts';
import { philoxKey } from '../backend/philox.ts';
import { benchModel, exampleCount, type BenchKernel, type BenchSize } from './backend-jobs.ts';

/**
 * Operation and byte counts of one prompt of the CPU kernels, read off
 * src/backend/cpu-kernels.ts and src/backend/philox.ts. They are the
 * numerators of the roofline: divide by n for counts per prompt-token.
 */
export interface KernelCounts {
  /** Normals drawn: n·d example features, d query features, d + K·d task normals, n + 1 noise terms. */
  readonly normals: number;
  /** Philox4x32-10 blocks evaluated; each yields four normals, and a stream's last block may be partly unused. */
  readonly philoxBlocks: number;
  /** 32×32→64-bit products: 2 per round, 10 rounds per block; each is one Math.imul and four float64 operations. */
  readonly philoxProducts: number;
  /** XORs of the Philox rounds: 4 per round. */
  readonly philoxXors: number;
  /** Math.log, Math.sqrt, Math.cos and Math.sin calls of Box–Muller: 2 of each per block. */
  readonly transcendentals: number;
  /** a += b·c in the model's arithmetic, by part (the sampler's own arithmetic is counted above). */
  readonly multiplyAdds: MultiplyAdds;
  /** Lone products b·c in the model's arithmetic: feature scaling √λ_c·z, ω_i·y_i or x_i·y_i, ρ_k·β_c. */
  readonly multiplies: number;
  /** Bytes that the kernel's loops read and write, 8 per float64 and 4 per int32 access, from whatever cache. Values kept in local variables are not counted. */
  readonly loopBytes: number;
  /** Bytes of results per prompt: the loss, or the three predictions of the scan. */
  readonly outputBytes: number;
  /** Bytes of every array one worker touches at a time (two prompts' scratch for the vector-gated scan), reused for every prompt of its range. */
  readonly workingSetBytes: number;
}

export interface MultiplyAdds {
  /** Labels y_i = x_iᵀβ^{(k(i))} + σ ξ_i: n·(d + 1). */
  readonly label: number;
  /** The inner loop: g += (ω_i y_i) x_i for RISK (n·d); s ← γ ⊙ s + x_i y_i and g += ω ⊙ x_i y_i for the scan (2·n·d). */
  readonly accumulation: number;
  /** Once per prompt: block tasks, the query label and xᵀ P g (and xᵀ P s for the scan). */
  readonly perPrompt: number;
  readonly total: number;
}

const BYTES_FLOAT64 = 8;
const BYTES_INT32 = 4;
const ROUNDS = 10;

/** Examples per sampled chunk of the CPU kernels, taken from PromptSampler itself. */
export function chunkExamples(size: BenchSize): number {
  return new PromptSampler(prepareModel(benchModel(size), false), philoxKey(0)).chunkExamples;
}

/**
 * Returns the Philox blocks of one prompt. NormalGenerator.fill evaluates each
 * block that a call touches once, so a stream read from t = 0 costs
 * ⌈count / 4⌉ blocks, and the example features cost ⌈size·d / 4⌉ per chunk
 * because every chunk starts on a block boundary.
 */
export function philoxBlocksPerPrompt(size: BenchSize): number {
  const { d } = size;
  const n = exampleCount(size);
  const K = size.blockSizes.length;
  const chunk = chunkExamples(size);
  let features = 0;
  for (let start = 0; start < n; start += chunk) features += Math.ceil((Math.min(chunk, n - start) * d) / 4);
  const query = Math.ceil(d / 4);
  const tasks = Math.ceil((d + K * d) / 4);
  const noise = Math.ceil((n + 1) / 4);
  return features + query + tasks + noise;
}

/** Counts one prompt of `kernel` at `size`. */
export function kernelCounts(kernel: BenchKernel, size: BenchSize): KernelCounts {
  const { d } = size;
  const n = exampleCount(size);
  const K = size.blockSizes.length;
  const scan = kernel !== 'risk';
  const philoxBlocks = philoxBlocksPerPrompt(size);

  const label = n * (d + 1);
  const accumulation = (scan ? 2 : 1) * n * d;
  // β^{(k)} = ρ_k β + √(1 − ρ_k²) ε_k: K·d; query label xᵀβ + σξ: d + 1; each xᵀ P v: d² + d.
  const perPrompt = K * d + d + 1 + (scan ? 2 : 1) * (d * d + d);
  const multiplyAdds = { label, accumulation, perPrompt, total: label + accumulation + perPrompt };
  // √λ_c·z for examples and query, ρ_k·β_c, then ω_i·y_i (RISK) or x_{i,c}·y_i and the query gate (scan).
  const multiplies = n * d + d + K * d + (scan ? n * d + d : n);

  return {
    normals: n * d + d + (d + K * d) + (n + 1),
    philoxBlocks,
    philoxProducts: 2 * ROUNDS * philoxBlocks,
    philoxXors: 4 * ROUNDS * philoxBlocks,
    transcendentals: 8 * philoxBlocks,
    multiplyAdds,
    multiplies,
    loopBytes: loopBytesPerPrompt(kernel, size),
    outputBytes: (scan ? 3 : 1) * BYTES_FLOAT64,
    workingSetBytes: workingSetBytes(kernel, size),
  };
}

/**
 * Returns the bytes the loops read and write per prompt.
 * - Per example, the sampler writes d normals, then reads z, √λ and β^{(k)}
 *   and writes x (4d float64 accesses), reads k(i) (int32) and ξ_i and writes y_i.
 * - The inner loop makes the accesses of cpu-loops.ts (see accumulationAccesses).
 * - Once per prompt: d + K·d task normals are written, K·d block tasks are
 *   built from two reads each, the query is sampled and scaled (4d), and its
 *   label is read from x and β (2d). Then n + 1 noise terms are written, and
 *   each xᵀ P v reads P and v in its inner loop and x in its outer loop
 *   (2d² + d). The scan also multiplies s by the query's gate (3d).
 */
function loopBytesPerPrompt(kernel: BenchKernel, size: BenchSize): number {
  const { d } = size;
  const n = exampleCount(size);
  const K = size.blockSizes.length;
  const sampler = n * ((d + 4 * d + 2) * BYTES_FLOAT64 + BYTES_INT32);
  const loop = accumulationAccesses(kernel, d, n, chunkExamples(size));
  const bilinear = 2 * d * d + d;
  const sampling = d + K * d + 3 * K * d + 4 * d + 2 * d + (n + 1);
  const perPrompt = kernel === 'risk' ? sampling + bilinear : sampling + 2 * bilinear + 3 * d;
  return sampler + (loop + perPrompt) * BYTES_FLOAT64;
}

/**
 * Returns the float64 accesses per prompt of the inner loops of cpu-loops.ts.
 * Within a block of columns the state stays in local variables, so it is
 * loaded and stored once per chunk of `chunk` examples. Per example, a block
 * reads its features and, once for the block, what the columns share:
 * - RISK, blocks of 8 (d ≥ 8): ω_i and y_i, then 8 features; a leftover
 *   column reads ω_i, y_i and x_{i,c}. Below d = 8 the plain loop reads ω_i
 *   and y_i and, per column, x_{i,c} and g_c and writes g_c.
 * - Scalar-gated scan, blocks of 4: y_i, γ_i, ω_i and 4 features; a leftover
 *   column reads x_{i,c}, y_i, γ_i and ω_i.
 * - Vector-gated scan, two prompts at a time in blocks of 2 columns: 2
 *   labels, 2 gates, 2 weights and 4 features per pair, so 5 per prompt; a
 *   leftover column reads x_{i,c}, y_i, γ_{i,c} and ω_{i,c} per prompt.
 */
export function accumulationAccesses(kernel: BenchKernel, d: number, n: number, chunk: number): number {
  const chunks = Math.ceil(n / chunk);
  if (kernel === 'risk') {
    if (d < 8) return n * (2 + 3 * d);
    const blocks = Math.floor(d / 8);
    return n * (blocks * (2 + 8) + (d - 8 * blocks) * 3) + chunks * 2 * d;
  }
  if (kernel === 'scan-scalar') {
    const blocks = Math.floor(d / 4);
    return n * (blocks * (3 + 4) + (d - 4 * blocks) * 4) + chunks * 4 * d;
  }
  const blocks = Math.floor(d / 2);
  return n * (blocks * 5 + (d - 2 * blocks) * 4) + chunks * 4 * d;
}

/**
 * Returns the bytes of every array that one worker touches at a time. Shared
 * by all prompts: ω and the scan's gates (d per token for vector gates), P,
 * √λ, the block constants and k(i). Per prompt in flight: the chunk of
 * sampled examples and its labels, the noise, the task normals, the block
 * tasks and the d-vectors x, g and the scan's s. The vector-gated scan has
 * two prompts in flight.
 */
function workingSetBytes(kernel: BenchKernel, size: BenchSize): number {
  const { d } = size;
  const n = exampleCount(size);
  const K = size.blockSizes.length;
  const chunk = chunkExamples(size);
  const width = kernel === 'scan-vector' ? d : 1;
  const weights = n * width;
  const gates = kernel === 'risk' ? 0 : (n + 1) * width;
  const shared = weights + gates + d * d + d + 2 * K;
  const vectors = kernel === 'risk' ? 2 * d : 3 * d;
  const perPrompt = chunk * d + chunk + (n + 1) + (d + K * d) + K * d + vectors;
  const inFlight = kernel === 'scan-vector' ? 2 : 1;
  return (shared + inFlight * perPrompt) * BYTES_FLOAT64 + n * BYTES_INT32;
}
