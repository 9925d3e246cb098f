import { MeanAccumulator, type MonteCarloEstimate } from '../core/statistics.ts';
import { requirePositiveInteger } from '../core/validate.ts';
import { Random } from '../data/random.ts';
import type { Matrix, Vector } from '../linalg/dense.ts';
import type { Task } from '../theory/risk.ts';
import { forward } from './forward.ts';
import type { GlaModel } from './model.ts';
import { DelimitedSampler } from './sampler.ts';
import { createWorkspace } from './workspace.ts';

/**
 * A WPGD predictor ŷ = xᵀ P Xᵀ (ω ⊙ y) whose risk L(P, ω) is known in closed
 * form. It reads the examples only: delimiter tokens have x = 0 and y = 0, so
 * they would add nothing to the sum anyway.
 */
export interface WpgdPredictor {
  label: string;
  P: Matrix;
  omega: Vector;
  /** Closed-form risk L(P, ω). */
  risk: number;
}

/** Squared errors (y − ŷ)² of every predictor on the same test prompts. */
export interface TestLosses {
  samples: number;
  seed: number;
  /** One array per model, in the order given. */
  models: Float64Array[];
  /** One array per WPGD predictor, in the order given. */
  predictors: Float64Array[];
}

/**
 * Evaluates GLA models and WPGD predictors on `samples` common test prompts
 * drawn with their own seed (never the training seed), so that differences
 * of losses can be paired prompt by prompt.
 */
export function testLosses(
  task: Task,
  models: readonly GlaModel[],
  predictors: readonly WpgdPredictor[],
  samples: number,
  seed: number,
  progress: (fraction: number) => void = () => {},
): TestLosses {
  requirePositiveInteger('samples', samples);
  const sampler = new DelimitedSampler(task, new Random(seed));
  const workspaces = models.map((model) => createWorkspace(sampler.layout, model.shape));
  const modelLosses = models.map(() => new Float64Array(samples));
  const predictorLosses = predictors.map(() => new Float64Array(samples));
  const every = Math.max(1, Math.floor(samples / 50));
  for (let s = 0; s < samples; s++) {
    const target = sampler.draw();
    models.forEach((model, m) => {
      const error = target - forward(model, sampler.tokens, workspaces[m]);
      modelLosses[m][s] = error * error;
    });
    const { X, y, x } = sampler.prompt;
    predictors.forEach((predictor, p) => {
      const error = target - wpgdPrediction(predictor, X, y, x);
      predictorLosses[p][s] = error * error;
    });
    if ((s + 1) % every === 0) progress((s + 1) / samples);
  }
  return { samples, seed, models: modelLosses, predictors: predictorLosses };
}

/** ŷ = xᵀ P Xᵀ (ω ⊙ y). */
export function wpgdPrediction(predictor: WpgdPredictor, X: readonly (readonly number[])[], y: readonly number[], x: readonly number[]): number {
  const { P, omega } = predictor;
  const d = x.length;
  let prediction = 0;
  for (let a = 0; a < d; a++) {
    let row = 0;
    for (let i = 0; i < X.length; i++) {
      if (omega[i] === 0) continue;
      let Px = 0;
      for (let b = 0; b < d; b++) Px += P[a][b] * X[i][b];
      row += omega[i] * y[i] * Px;
    }
    prediction += x[a] * row;
  }
  return prediction;
}

/** Sample mean and standard error of one loss array: the plain Monte Carlo risk estimate. */
export function plainRisk(losses: Float64Array): MonteCarloEstimate {
  const accumulator = new MeanAccumulator();
  for (let s = 0; s < losses.length; s++) accumulator.add(losses[s]);
  return accumulator.estimate();
}

/** Mean of a − b over common prompts, its standard error and z = mean / SE. */
export interface PairedDifference {
  mean: number;
  standardError: number;
  z: number;
  samples: number;
}

export function pairedDifference(a: Float64Array, b: Float64Array): PairedDifference {
  const accumulator = new MeanAccumulator();
  for (let s = 0; s < a.length; s++) accumulator.add(a[s] - b[s]);
  const { mean, standardError, samples } = accumulator.estimate();
  // Identical losses (a model compared with itself) give 0/0: no difference, z = 0.
  const z = mean === 0 && standardError === 0 ? 0 : mean / standardError;
  return { mean, standardError, z, samples };
}

/**
 * Paired estimate of a model's risk against a WPGD predictor with closed-form
 * risk L*: L* + mean(loss_model − loss_predictor), with the standard error of
 * the differences. It has the same expectation as the plain mean of loss_model,
 * and a much smaller variance when the model predicts close to the predictor.
 * `z` is the z-score of the model's risk against L*.
 */
export interface PairedRisk extends PairedDifference {
  estimate: number;
}

export function pairedRisk(model: Float64Array, predictor: Float64Array, closedForm: number): PairedRisk {
  const difference = pairedDifference(model, predictor);
  return { ...difference, estimate: closedForm + difference.mean };
}
