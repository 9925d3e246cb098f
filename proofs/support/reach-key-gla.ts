import type { OnProgress } from '../../src/core/progress.ts';
import { floatField } from '../../src/algebra/field.ts';
import type { Random } from '../../src/data/random.ts';
import type { Prompt } from '../../src/data/sample.ts';
import { keyVectorOptimalModel, type KeyVectorOptimum } from '../../src/gating/key-vector-optimum.ts';
import { pairedQueryAveragedRisk, type PairedEstimate } from '../../src/gating/key-vector-monte-carlo.ts';
import { floatOrderedField, keyGatedLayer, keyVectorGatesFor } from '../../src/gating/synthesis.ts';
import type { Matrix } from '../../src/linalg/dense.ts';
import { glaPredict, promptTokens, type GlaLayer } from '../../src/models/gla.ts';
import { optimalPreconditioner, type Task } from '../../src/theory/risk.ts';

/**
 * Monte Carlo of the actual key-vector-gated GLA layer against the optimal
 * scalar-weight WPGD predictor on the same prompts.
 */

/** Builds the GLA layer of the key-vector optimum: gates from scalarGatesFor per coordinate, preconditioner P* = Nᵀ M⁻¹. */
export function keyOptimumLayer(task: Task, optimum: KeyVectorOptimum): { layer: GlaLayer<number>; P: Matrix } {
  const model = keyVectorOptimalModel(task, optimum);
  const synthesis = keyVectorGatesFor(
    floatOrderedField,
    optimum.coordinates.map((coordinate) => coordinate.omega),
  );
  return { layer: keyGatedLayer(floatField, model.P, synthesis).layer, P: model.P };
}

/**
 * w with ŷ_GLA = xᵀ w for this prompt's examples: w_a is the GLA prediction for
 * the query features e_a. The prediction is linear in the query features
 * because the query's gate reads no content and its own term v_{n+1} k_{n+1}ᵀ
 * vanishes (its label is 0); `linearityResidual` measures this on sampled queries.
 */
export function glaWeightVector(layer: GlaLayer<number>, prompt: Prompt): number[] {
  const d = prompt.x.length;
  return Array.from({ length: d }, (_, a) => {
    const unit = Array.from({ length: d }, (__, b) => (a === b ? 1 : 0));
    return glaPredict(floatField, layer, promptTokens(floatField, prompt.X, prompt.y, unit));
  });
}

/** max over the first prompts of |ŷ_GLA(x) − xᵀ w| / (|x|ᵀ|w|), at the sampled query x. */
export function linearityResidual(layer: GlaLayer<number>, prompts: readonly Prompt[]): number {
  let worst = 0;
  for (const prompt of prompts) {
    const w = glaWeightVector(layer, prompt);
    const direct = glaPredict(floatField, layer, promptTokens(floatField, prompt.X, prompt.y, prompt.x));
    const linear = prompt.x.reduce((acc, value, a) => acc + value * w[a], 0);
    const scale = prompt.x.reduce((acc, value, a) => acc + Math.abs(value * w[a]), 0) || 1;
    worst = Math.max(worst, Math.abs(direct - linear) / scale);
  }
  return worst;
}

/** u = P Xᵀ (ω ⊙ y): the weight vector of scalar-weight WPGD. */
function wpgdWeightVector(P: Matrix, omega: readonly number[], prompt: Prompt): number[] {
  const d = prompt.x.length;
  const weighted = new Array<number>(d).fill(0);
  prompt.X.forEach((xi, i) => {
    for (let b = 0; b < d; b++) weighted[b] += omega[i] * prompt.y[i] * xi[b];
  });
  return P.map((row) => row.reduce((acc, value, b) => acc + value * weighted[b], 0));
}

/**
 * Paired, query-averaged risks of the key-vector GLA (first) and of WPGD with
 * weights ω_W and P*(ω_W) (second) on the same prompts.
 */
export function keyGlaAgainstWpgd(
  task: Task,
  layer: GlaLayer<number>,
  omegaWpgd: readonly number[],
  samples: number,
  random: Random,
  onProgress?: OnProgress,
): PairedEstimate {
  const Pw = optimalPreconditioner(task, omegaWpgd);
  return pairedQueryAveragedRisk(
    task,
    (prompt) => glaWeightVector(layer, prompt),
    (prompt) => wpgdWeightVector(Pw, omegaWpgd, prompt),
    samples,
    random,
    onProgress,
  );
}
