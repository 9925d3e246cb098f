import { prepareModel, PromptSampler, scanWeights } from '../backend/cpu-kernels.ts';
import { accumulateRiskChunk, accumulateScanChunk, accumulateVectorScanPair, type ScanPromptChunk } from '../backend/cpu-loops.ts';
import { philoxKey } from '../backend/philox.ts';
import { BENCH_SEED, benchModel, exampleCount, riskJob, scanJob, type BenchKernel, type BenchSize } from './backend-jobs.ts';
import { rateOver, type RateMeasurement } from './backend-peak.ts';

/**
 * Times the inner loops of the CPU kernels apart from sampling. The kernels
 * call accumulateRiskChunk, accumulateScanChunk (scalar gates) and
 * accumulateVectorScanPair (vector gates, two prompts at a time) from
 * cpu-loops.ts, and the bench times those same functions on sampled chunks.
 */

export { accumulateRiskChunk, accumulateScanChunk, accumulateVectorScanPair };

/** Returns multiply-adds of the inner loop per prompt: d per example for RISK, 2d for the scan. */
export function innerLoopMultiplyAdds(kernel: BenchKernel, size: BenchSize): number {
  return (kernel === 'risk' ? 1 : 2) * exampleCount(size) * size.d;
}

/**
 * Arrays of one inner-loop measurement: the weights and gates, and a sampled
 * chunk with its state vectors for prompts 0 and 1. The vector-gated scan
 * runs both prompts, and the other loops use prompt 0 alone.
 */
interface LoopState {
  readonly kernel: BenchKernel;
  readonly n: number;
  readonly d: number;
  readonly chunk: number;
  readonly omega: Float64Array;
  readonly gates: Float64Array;
  readonly a: ScanPromptChunk;
  readonly b: ScanPromptChunk;
}

/** Samples the first chunk of prompt p and returns it with zero state vectors. */
function sampledChunk(size: BenchSize, p: number): ScanPromptChunk & { chunk: number } {
  const sampler = new PromptSampler(prepareModel(benchModel(size), false), philoxKey(BENCH_SEED));
  const chunk = sampler.chunkExamples;
  sampler.begin(p);
  sampler.examples(p, 0, Math.min(chunk, exampleCount(size)));
  return { chunk, s: new Float64Array(size.d), g: new Float64Array(size.d), labels: sampler.labels, features: sampler.features };
}

function loopState(kernel: BenchKernel, size: BenchSize): LoopState {
  const { d } = size;
  const n = exampleCount(size);
  const a = sampledChunk(size, 0);
  const base = { kernel, n, d, chunk: a.chunk, a, b: sampledChunk(size, 1) };
  if (kernel === 'risk') return { ...base, omega: riskJob(size, 0).omega, gates: new Float64Array(0) };
  const gates = scanJob(size, kernel === 'scan-vector' ? 'vector' : 'scalar', 0).gates;
  return { ...base, omega: scanWeights(gates, n, d, false).omega, gates: gates.values };
}

/** Prompt passes of the inner loop per timing step (even: the vector-gated scan runs prompts in pairs). */
const PASSES_PER_STEP = 16;

/**
 * Runs PASSES_PER_STEP prompt passes of the inner loop and returns their
 * multiply-adds. A pass runs the loop over every chunk offset of one prompt
 * (of two, for the vector-gated scan), each time over the same sampled chunk,
 * which stays in L1 cache as the freshly sampled chunk does in the kernel.
 */
function innerLoopStep(state: LoopState): number {
  const { kernel, n, d, chunk, omega, gates, a, b } = state;
  const passes = kernel === 'scan-vector' ? PASSES_PER_STEP / 2 : PASSES_PER_STEP;
  for (let pass = 0; pass < passes; pass++) {
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      if (kernel === 'risk') accumulateRiskChunk(a.g, omega, a.labels, a.features, start, size, d);
      else if (kernel === 'scan-scalar') accumulateScanChunk(false, a.s, a.g, gates, omega, a.labels, a.features, start, size, d);
      else accumulateVectorScanPair(a, b, gates, omega, start, size, d);
    }
  }
  return PASSES_PER_STEP * (kernel === 'risk' ? 1 : 2) * n * d;
}

/** Measures the inner loop's multiply-add rate on the calling thread: `repeats` runs of at least `repeatSeconds`, best run reported. */
export function measureInnerLoop(kernel: BenchKernel, size: BenchSize, repeatSeconds: number, repeats: number): RateMeasurement {
  const state = loopState(kernel, size);
  const rates: number[] = [];
  let longest = 0;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const { rate, seconds } = rateOver(repeatSeconds, innerLoopStep, state);
    rates.push(rate);
    longest = Math.max(longest, seconds);
  }
  const total = [state.a.g, state.a.s, state.b.g, state.b.s].reduce((sum, values) => values.reduce((inner, value) => inner + value, sum), 0);
  if (!Number.isFinite(total)) throw new Error(`the ${kernel} inner loop produced a non-finite state (${total})`);
  return { best: Math.max(...rates), rates, longestRepeatSeconds: longest };
}

/**
 * Measures sampling alone: PromptSampler.begin and examples for prompts
 * 0 .. count − 1, exactly the calls of riskKernel and scanKernel. Returns
 * prompt-tokens (prompts × n) per second.
 */
export function measureSampling(size: BenchSize, count: number): { tokensPerSecond: number; seconds: number } {
  const n = exampleCount(size);
  const sampler = new PromptSampler(prepareModel(benchModel(size), false), philoxKey(BENCH_SEED));
  const chunk = sampler.chunkExamples;
  let checksum = 0;
  const started = performance.now();
  for (let p = 0; p < count; p++) {
    sampler.begin(p);
    for (let start = 0; start < n; start += chunk) sampler.examples(p, start, Math.min(chunk, n - start));
    checksum += sampler.queryLabel + sampler.labels[0];
  }
  const seconds = (performance.now() - started) / 1000;
  if (!Number.isFinite(checksum)) throw new Error(`sampling produced a non-finite label (${checksum})`);
  return { tokensPerSecond: (count * n) / seconds, seconds };
}
