import { reportSample, type OnProgress } from '../core/progress.ts';
import { MeanAccumulator, type MonteCarloEstimate } from '../core/statistics.ts';
import { requireFinite, requireFiniteMatrix, requireLength, requirePositiveInteger, requireShape } from '../core/validate.ts';
import { PromptSampler } from '../data/sample.ts';
import type { Random } from '../data/random.ts';
import { dot } from '../linalg/dense.ts';
import type { Task } from './risk.ts';

/**
 * How the query enters a Monte Carlo risk sample:
 * - `sampled`: the squared error (y − ŷ)² of the drawn query, the plain estimator;
 * - `conditional`: its exact expectation over the query given the examples and β,
 *   E[(y − xᵀ u)² | prompt, β] = (β − u)ᵀ Σ (β − u) + σ² with u = P Xᵀ (ω ⊙ y).
 *   Same mean (tower property, E[x xᵀ] = Σ, ξ independent), much smaller variance.
 * For the expectation over task vectors and noise as well, see featureConditionalRisk.
 */
export type QueryAveraging = 'sampled' | 'conditional';

/**
 * Monte Carlo estimate of the WPGD risk L(P, ω) = E[(y − xᵀ P Xᵀ (ω ⊙ y))²]
 * from `samples` prompts drawn with `random`: the mean of the per-prompt
 * values (see QueryAveraging) with its standard error.
 */
export function monteCarloRisk(
  task: Task,
  P: readonly (readonly number[])[],
  omega: readonly number[],
  samples: number,
  random: Random,
  query: QueryAveraging = 'sampled',
  onProgress?: OnProgress,
): MonteCarloEstimate {
  validateEstimatorInputs(task, P, omega, samples);
  const { n, d } = task;
  const sampler = new PromptSampler(task, random);
  const accumulator = new MeanAccumulator();
  const weighted = new Array<number>(d).fill(0);
  const u = new Array<number>(d).fill(0);
  const gap = new Array<number>(d).fill(0);
  const Sigma = task.covariance.Sigma;
  for (let t = 0; t < samples; t++) {
    sampler.draw();
    // weighted = Xᵀ (ω ⊙ y)
    weighted.fill(0);
    for (let i = 0; i < n; i++) {
      const scaled = omega[i] * sampler.y[i];
      const xi = sampler.X[i];
      for (let c = 0; c < d; c++) weighted[c] += scaled * xi[c];
    }
    // u = P weighted, the one-step WPGD weight vector
    for (let a = 0; a < d; a++) {
      const Pa = P[a];
      let row = 0;
      for (let b = 0; b < d; b++) row += Pa[b] * weighted[b];
      u[a] = row;
    }
    if (query === 'sampled') {
      const error = sampler.yQuery - dot(sampler.x, u);
      accumulator.add(error * error);
    } else {
      // (β − u)ᵀ Σ (β − u) + σ²
      for (let a = 0; a < d; a++) gap[a] = sampler.beta[a] - u[a];
      let quadratic = 0;
      for (let a = 0; a < d; a++) quadratic += gap[a] * dot(Sigma[a], gap);
      accumulator.add(quadratic + task.sigma2);
    }
    reportSample(onProgress, t, samples);
  }
  return accumulator.estimate();
}

/**
 * The risk averaged exactly over task vectors, noise and the query, given the
 * example features X only (second moments of the model: E[β_i β_jᵀ] = R_ij I,
 * so E[y_i y_j | X] = R_ij x_iᵀ x_j + σ² δ_ij and E[β y_i | X] = r_i x_i):
 *   E[(y − ŷ)² | X] = tr Σ + σ² − 2 Σ_i ω_i r_i x_iᵀ Σ P x_i
 *                     + Σ_{i,j} ω_i ω_j (x_iᵀ Pᵀ Σ P x_j)(R_ij x_iᵀ x_j + σ² δ_ij).
 * What remains random are the Gaussian features, whose fourth moments
 * (E[x_i x_iᵀ A x_i x_iᵀ], Isserlis) the closed form rests on.
 */
export function featureConditionalRisk(task: Task, P: readonly (readonly number[])[], omega: readonly number[], X: readonly (readonly number[])[]): number {
  return featureConditionalRiskEvaluator(task, P, omega)(X);
}

/** featureConditionalRisk with Σ P and Pᵀ Σ P computed once, for many X. */
function featureConditionalRiskEvaluator(
  task: Task,
  P: readonly (readonly number[])[],
  omega: readonly number[],
): (X: readonly (readonly number[])[]) => number {
  const { n, d } = task;
  const Sigma = task.covariance.Sigma;
  const { Rn, r } = task.correlation;
  const SigmaP = Sigma.map((row) => Array.from({ length: d }, (_, b) => row.reduce((acc, value, k) => acc + value * P[k][b], 0)));
  const M = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => P.reduce((acc, row, k) => acc + row[a] * SigmaP[k][b], 0)));
  const constant = task.covariance.eigenvalues.reduce((acc, lambda) => acc + lambda, 0) + task.sigma2;
  const MX = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  return (X) => {
    for (let j = 0; j < n; j++) for (let a = 0; a < d; a++) MX[j][a] = dot(M[a], X[j]);
    let value = constant;
    for (let i = 0; i < n; i++) {
      const xi = X[i];
      let linear = 0;
      for (let a = 0; a < d; a++) linear += xi[a] * dot(SigmaP[a], xi);
      value -= 2 * omega[i] * r[i] * linear;
      for (let j = 0; j < n; j++) {
        const labelMoment = Rn[i][j] * dot(xi, X[j]) + (i === j ? task.sigma2 : 0);
        value += omega[i] * omega[j] * dot(xi, MX[j]) * labelMoment;
      }
    }
    return value;
  };
}

/** Monte Carlo mean of featureConditionalRisk over `samples` draws of X (rows x_i = C z_i). */
export function monteCarloRiskGivenFeatures(
  task: Task,
  P: readonly (readonly number[])[],
  omega: readonly number[],
  samples: number,
  random: Random,
  onProgress?: OnProgress,
): MonteCarloEstimate {
  validateEstimatorInputs(task, P, omega, samples);
  const { n, d } = task;
  const C = task.covariance.cholesky;
  const X = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  const z = new Array<number>(d).fill(0);
  const accumulator = new MeanAccumulator();
  const evaluate = featureConditionalRiskEvaluator(task, P, omega);
  for (let t = 0; t < samples; t++) {
    for (const xi of X) {
      for (let c = 0; c < d; c++) z[c] = random.normal();
      for (let a = 0; a < d; a++) {
        let total = 0;
        for (let b = 0; b <= a; b++) total += C[a][b] * z[b];
        xi[a] = total;
      }
    }
    accumulator.add(evaluate(X));
    reportSample(onProgress, t, samples);
  }
  return accumulator.estimate();
}

/** Checks P (d×d, finite), ω (n entries, finite) and the sample count of an estimator. */
function validateEstimatorInputs(task: Task, P: readonly (readonly number[])[], omega: readonly number[], samples: number): void {
  requireShape('P', P, task.d, task.d);
  requireFiniteMatrix('P', P);
  requireLength('ω', omega, task.n, `a task with n = ${task.n} examples`);
  requireFinite('ω', omega);
  requirePositiveInteger('samples', samples);
}
