import { reportSample, type OnProgress } from '../core/progress.ts';
import { MeanAccumulator, type MonteCarloEstimate } from '../core/statistics.ts';
import { requireFiniteMatrix, requireLength, requirePositiveInteger, requireShape } from '../core/validate.ts';
import { PromptSampler, type Prompt } from '../data/sample.ts';
import type { Random } from '../data/random.ts';
import { dot } from '../linalg/dense.ts';
import type { Task } from '../theory/risk.ts';
import type { MatrixWeights } from './key-vector-risk.ts';

/**
 * Monte Carlo estimates of the risk of matrix-weighted WPGD,
 * ŷ = xᵀ P Σ_i Ω_i x_i y_i, and of paired risk differences between two
 * predictors on the same prompts. Written from the model's definition, not
 * from the closed form they are compared with.
 */

/**
 * Averaging of one sample:
 * - `query`: prompts and task vectors are sampled; the query is averaged exactly,
 *   E[(y − xᵀ u)² | prompt, β] = (β − u)ᵀ Σ (β − u) + σ² with u = P Σ_i Ω_i x_i y_i;
 * - `features`: only the example features are sampled; task vectors, noise and
 *   the query are averaged exactly through second moments (see featureConditionalMatrixRisk).
 */
export type MatrixRiskAveraging = 'query' | 'features';

function validate(task: Task, P: readonly (readonly number[])[], Omegas: MatrixWeights<number>, samples: number): void {
  requireShape('P', P, task.d, task.d);
  requireFiniteMatrix('P', P);
  requireLength('Ω', Omegas, task.n, `a task with n = ${task.n} examples`);
  Omegas.forEach((Omega, i) => {
    requireShape(`Ω[${i}]`, Omega, task.d, task.d);
    requireFiniteMatrix(`Ω[${i}]`, Omega);
  });
  requirePositiveInteger('samples', samples);
}

/** v_i = P Ω_i x_i for every example: the direction example i's label moves the prediction weights. */
function exampleDirections(P: readonly (readonly number[])[], Omegas: MatrixWeights<number>, X: readonly (readonly number[])[], out: number[][]): void {
  const d = P.length;
  X.forEach((xi, i) => {
    const Omega = Omegas[i];
    const weighted = Omega.map((row) => dot(row, xi));
    for (let a = 0; a < d; a++) out[i][a] = dot(P[a], weighted);
  });
}

/**
 * E[(y − ŷ)² | X] for matrix-weighted WPGD, from E[β_i β_jᵀ] = R_ij I and
 * independent noise, with v_i = P Ω_i x_i:
 *   tr Σ + σ² − 2 Σ_i r_i x_iᵀ Σ v_i + Σ_{i,j} (v_iᵀ Σ v_j)(R_ij x_iᵀ x_j + σ² δ_ij).
 * Only the Gaussian features remain random; their fourth moments are what the
 * closed form rests on.
 */
export function featureConditionalMatrixRisk(task: Task, directions: readonly (readonly number[])[], X: readonly (readonly number[])[]): number {
  const { n } = task;
  const Sigma = task.covariance.Sigma;
  const { Rn, r } = task.correlation;
  const SigmaV = directions.map((v) => Sigma.map((row) => dot(row, v)));
  let value = task.covariance.eigenvalues.reduce((acc, lambda) => acc + lambda, 0) + task.sigma2;
  for (let i = 0; i < n; i++) {
    value -= 2 * r[i] * dot(X[i], SigmaV[i]);
    for (let j = 0; j < n; j++) {
      const labelMoment = Rn[i][j] * dot(X[i], X[j]) + (i === j ? task.sigma2 : 0);
      value += dot(directions[i], SigmaV[j]) * labelMoment;
    }
  }
  return value;
}

/** Monte Carlo estimate of L(P, {Ω_i}) with the chosen averaging. */
export function monteCarloMatrixWeightedRisk(
  task: Task,
  P: readonly (readonly number[])[],
  Omegas: MatrixWeights<number>,
  samples: number,
  random: Random,
  averaging: MatrixRiskAveraging,
  onProgress?: OnProgress,
): MonteCarloEstimate {
  validate(task, P, Omegas, samples);
  const { n, d } = task;
  const sampler = new PromptSampler(task, random);
  const accumulator = new MeanAccumulator();
  const directions = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  const u = new Array<number>(d).fill(0);
  const gap = new Array<number>(d).fill(0);
  const Sigma = task.covariance.Sigma;
  for (let t = 0; t < samples; t++) {
    // The features-only estimator still draws whole prompts and ignores the labels, task vectors and query.
    sampler.draw();
    exampleDirections(P, Omegas, sampler.X, directions);
    if (averaging === 'features') {
      accumulator.add(featureConditionalMatrixRisk(task, directions, sampler.X));
    } else {
      u.fill(0);
      for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) u[a] += directions[i][a] * sampler.y[i];
      for (let a = 0; a < d; a++) gap[a] = sampler.beta[a] - u[a];
      accumulator.add(dot(gap, Sigma.map((row) => dot(row, gap))) + task.sigma2);
    }
    reportSample(onProgress, t, samples);
  }
  return accumulator.estimate();
}

/** Estimates of L_A, L_B and L_A − L_B from the same prompts. */
export interface PairedEstimate {
  first: MonteCarloEstimate;
  second: MonteCarloEstimate;
  /** Mean and standard error of the per-prompt differences. */
  difference: MonteCarloEstimate;
}

/**
 * Paired risks of two predictors that are linear in the query, ŷ = xᵀ w with
 * w computed from the prompt's examples. Per prompt, the query is averaged
 * exactly, E[(y − xᵀ w)² | prompt, β] = (β − w)ᵀ Σ (β − w) + σ², and both
 * predictors see the same prompt. The difference has mean L_A − L_B and, when
 * the predictors are close, a much smaller variance than either risk: the
 * common part of the two errors cancels prompt by prompt.
 */
export function pairedQueryAveragedRisk(
  task: Task,
  first: (prompt: Prompt) => number[],
  second: (prompt: Prompt) => number[],
  samples: number,
  random: Random,
  onProgress?: OnProgress,
): PairedEstimate {
  requirePositiveInteger('samples', samples);
  const sampler = new PromptSampler(task, random);
  const Sigma = task.covariance.Sigma;
  const loss = (beta: readonly number[], w: readonly number[]) => {
    const gap = beta.map((value, a) => value - w[a]);
    return dot(gap, Sigma.map((row) => dot(row, gap))) + task.sigma2;
  };
  const accumulators = { first: new MeanAccumulator(), second: new MeanAccumulator(), difference: new MeanAccumulator() };
  for (let t = 0; t < samples; t++) {
    const prompt = sampler.draw();
    const lossFirst = loss(prompt.beta, first(prompt));
    const lossSecond = loss(prompt.beta, second(prompt));
    accumulators.first.add(lossFirst);
    accumulators.second.add(lossSecond);
    accumulators.difference.add(lossFirst - lossSecond);
    reportSample(onProgress, t, samples);
  }
  return { first: accumulators.first.estimate(), second: accumulators.second.estimate(), difference: accumulators.difference.estimate() };
}
