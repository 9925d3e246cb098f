import { philoxKey } from './philox.ts';
import { PromptSampler, prepareModel, scanWeights } from './cpu-kernels.ts';
import type { ScanJob } from './types.ts';

/**
 * Magnitudes that bound the rounding error of a scan job, per prompt, in
 * float64 from the CPU sampler's prompts (inputs rounded to float32 when
 * `round32`):
 *   A = Σ_a |x_a| Σ_b |P_ab| Σ_i ω_{i(,b)} |x_{i,b} y_i|   (the WPGD sum on absolute values),
 *   B = Σ_a |x_a| Σ_b |P_ab| Σ_i |x_{i,b} y_i|              (the same with every weight 1).
 * A sum of m terms in precision u is off by at most about m·u·A (the standard
 * bound for recursive summation). A weight left out for lying below the
 * smallest normal number ν moves the sum by at most ν·B.
 */
export interface ScanMagnitudes {
  readonly A: Float64Array;
  readonly B: Float64Array;
}

export function scanMagnitudes(job: ScanJob, round32: boolean): ScanMagnitudes {
  const model = prepareModel(job.model, round32);
  const { d, n } = model;
  const gates = round32 ? job.gates.values.map(Math.fround) : job.gates.values;
  const { omega } = scanWeights({ kind: job.gates.kind, values: gates }, n, d, round32);
  const width = job.gates.kind === 'scalar' ? 1 : d;
  const P = round32 ? job.P.map(Math.fround) : job.P;
  const sampler = new PromptSampler(model, philoxKey(job.batch.seed));
  const weighted = new Float64Array(d);
  const plain = new Float64Array(d);
  const A = new Float64Array(job.batch.count);
  const B = new Float64Array(job.batch.count);
  for (let index = 0; index < job.batch.count; index++) {
    const p = job.batch.firstPrompt + index;
    sampler.begin(p);
    weighted.fill(0);
    plain.fill(0);
    for (let start = 0; start < n; start += sampler.chunkExamples) {
      const size = Math.min(sampler.chunkExamples, n - start);
      sampler.examples(p, start, size);
      for (let i = 0; i < size; i++) {
        const y = Math.abs(sampler.labels[i]);
        for (let b = 0; b < d; b++) {
          const term = Math.abs(sampler.features[i * d + b]) * y;
          plain[b] += term;
          weighted[b] += omega[(start + i) * width + (width === 1 ? 0 : b)] * term;
        }
      }
    }
    let totalA = 0;
    let totalB = 0;
    for (let a = 0; a < d; a++) {
      let rowA = 0;
      let rowB = 0;
      for (let b = 0; b < d; b++) {
        rowA += Math.abs(P[a * d + b]) * weighted[b];
        rowB += Math.abs(P[a * d + b]) * plain[b];
      }
      totalA += Math.abs(sampler.x[a]) * rowA;
      totalB += Math.abs(sampler.x[a]) * rowB;
    }
    A[index] = totalA;
    B[index] = totalB;
  }
  return { A, B };
}
