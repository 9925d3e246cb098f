import type { Backend, BlockModel, GateSequence, RiskJob, ScanJob } from '../backend/types.ts';

/**
 * The jobs that the backend benchmark times: the Monte Carlo RISK kernel
 * (Backend.risk) and the GLA scan (Backend.scan) with scalar or vector gates,
 * on the block model with Σ = diag(λ).
 */

export type BenchKernel = 'risk' | 'scan-scalar' | 'scan-vector';

export const BENCH_KERNELS: readonly BenchKernel[] = ['risk', 'scan-scalar', 'scan-vector'];

/** One prompt shape of the benchmark. */
export interface BenchSize {
  /** Feature dimension d. */
  readonly d: number;
  /** Block sizes m_k; n = Σ m_k. */
  readonly blockSizes: readonly number[];
  /** Reason for measuring this size, shown on the page. */
  readonly role: string;
}

/** Seed of every timed batch; the benchmark draws prompts 0, 1, 2, … of it. */
export const BENCH_SEED = 20250406;

/** Block correlations ρ_k, repeated over the blocks: the values of the RISK check's block model. */
const RHO = [0.9, -0.5, 0.7];
const SIGMA2 = 0.25;
/** Gate of every token; ω_i = 0.999^(n + 1 − i) stays far above the smallest normal number for n ≤ 10^5. */
const GATE = 0.999;

export function exampleCount(size: BenchSize): number {
  return size.blockSizes.reduce((sum, m) => sum + m, 0);
}

export function kernelLabel(kernel: BenchKernel): string {
  switch (kernel) {
    case 'risk':
      return 'RISK (Backend.risk)';
    case 'scan-scalar':
      return 'GLA scan, scalar gates (Backend.scan)';
    case 'scan-vector':
      return 'GLA scan, vector gates (Backend.scan)';
  }
}

export function sizeLabel(size: BenchSize): string {
  return `d = ${size.d}, n = ${exampleCount(size)}, blocks [${size.blockSizes.join(', ')}]`;
}

/** Returns the block model of a size: λ geometric from 0.5 to 2 (anisotropic Σ), ρ = 0.9, −0.5, 0.7, … and σ² = 0.25. */
export function benchModel(size: BenchSize): BlockModel {
  const { d } = size;
  const lambda = Float64Array.from({ length: d }, (_, c) => (d === 1 ? 1 : 0.5 * 4 ** (c / (d - 1))));
  const rho = Float64Array.from(size.blockSizes, (_, k) => RHO[k % RHO.length]);
  return { d, lambda, blockSizes: [...size.blockSizes], rho, sigma2: SIGMA2 };
}

/** P = I_d, row-major. */
function identity(d: number): Float64Array {
  const P = new Float64Array(d * d);
  for (let c = 0; c < d; c++) P[c * d + c] = 1;
  return P;
}

/**
 * Returns the risk job for `count` prompts: P = I and ω_i = 1/n. These
 * values do not change the time, because the risk kernel has no branch that
 * depends on data.
 */
export function riskJob(size: BenchSize, count: number): RiskJob {
  const n = exampleCount(size);
  return {
    model: benchModel(size),
    batch: { seed: BENCH_SEED, firstPrompt: 0, count },
    P: identity(size.d),
    omega: new Float64Array(n).fill(1 / n),
  };
}

/** Returns the scan job for `count` prompts: P = I and every gate 0.999, one per token or per token and key coordinate. */
export function scanJob(size: BenchSize, kind: GateSequence['kind'], count: number): ScanJob {
  const n = exampleCount(size);
  const width = kind === 'scalar' ? 1 : size.d;
  return {
    model: benchModel(size),
    batch: { seed: BENCH_SEED, firstPrompt: 0, count },
    P: identity(size.d),
    gates: { kind, values: new Float64Array((n + 1) * width).fill(GATE) },
  };
}

/**
 * Runs one kernel call on `count` prompts and returns per-prompt values that
 * two backends can compare: the losses of the risk kernel, or the squared
 * residuals (y − ŷ_gla)² of the scan.
 */
export async function runKernel(backend: Backend, kernel: BenchKernel, size: BenchSize, count: number): Promise<Float64Array> {
  if (kernel === 'risk') return (await backend.risk(riskJob(size, count))).losses;
  const output = await backend.scan(scanJob(size, kernel === 'scan-scalar' ? 'scalar' : 'vector', count));
  return output.labels.map((y, p) => (y - output.gla[p]) ** 2);
}
