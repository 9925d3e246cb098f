import { requireFinite, requireFiniteMatrix, requireLength, requirePositiveInteger, requireShape } from '../core/validate.ts';
import type { Matrix, Vector } from '../linalg/dense.ts';
import type { Task } from '../theory/risk.ts';
import type { Random } from './random.ts';

/**
 * One prompt of the multitask model: x_i, x ~ N(0, Σ), task vectors with
 * E[β_i β_jᵀ] = R_ij I_d, labels y_i = x_iᵀ β_i + ξ_i and the query label
 * xᵀ β + ξ, noise ξ ~ N(0, σ²).
 */
export interface Prompt {
  /** Example features, n×d, row i is x_i. */
  X: Matrix;
  /** Example labels y_i, length n. */
  y: Vector;
  /** Query features x, length d. */
  x: Vector;
  /** Query label xᵀ β + ξ. */
  yQuery: number;
  /** Example task vectors, n×d, row i is β_i. */
  betas: Matrix;
  /** Query task vector β, length d. */
  beta: Vector;
}

/**
 * Draws prompts of one task into reused buffers (no allocation per draw).
 * Order of the random numbers, fixed so that one seed gives one sequence:
 * task vectors first, then for i = 1..n the d normals of x_i and ξ_i, then
 * the d normals of x and ξ.
 *
 * Task vectors: for a block-model correlation the block construction
 * β^{(k)} = ρ_k β + sqrt(1 − ρ_k²) ε_k (β drawn first, then ε_1..ε_K);
 * otherwise β_i = Σ_k F_ik ε_k with F Fᵀ = R and ε_1..ε_{n+1} ~ N(0, I_d).
 */
export class PromptSampler {
  readonly X: Matrix;
  readonly y: Vector;
  readonly x: Vector;
  yQuery = 0;
  readonly betas: Matrix;
  readonly beta: Vector;
  private readonly noise: Vector;
  private readonly standard: Vector;
  private readonly epsilon: Matrix;
  private readonly sigma: number;

  constructor(
    readonly task: Task,
    private readonly random: Random,
  ) {
    const { n, d } = task;
    this.X = Array.from({ length: n }, () => new Array<number>(d).fill(0));
    this.y = new Array<number>(n).fill(0);
    this.x = new Array<number>(d).fill(0);
    this.betas = Array.from({ length: n }, () => new Array<number>(d).fill(0));
    this.beta = new Array<number>(d).fill(0);
    this.noise = new Array<number>(d).fill(0);
    this.standard = new Array<number>(d).fill(0);
    this.epsilon = Array.from({ length: n + 1 }, () => new Array<number>(d).fill(0));
    this.sigma = Math.sqrt(task.sigma2);
  }

  /** Draws the next prompt into the buffers and returns this sampler. */
  draw(): this {
    this.drawTaskVectors();
    const { n } = this.task;
    for (let i = 0; i < n; i++) {
      this.drawFeatures(this.X[i]);
      this.y[i] = dotRow(this.X[i], this.betas[i]) + this.sigma * this.random.normal();
    }
    this.drawFeatures(this.x);
    this.yQuery = dotRow(this.x, this.beta) + this.sigma * this.random.normal();
    return this;
  }

  /** A copy of the current buffers as a Prompt. */
  snapshot(): Prompt {
    return {
      X: this.X.map((row) => [...row]),
      y: [...this.y],
      x: [...this.x],
      yQuery: this.yQuery,
      betas: this.betas.map((row) => [...row]),
      beta: [...this.beta],
    };
  }

  private drawTaskVectors(): void {
    const blocks = this.task.correlation.blocks;
    if (blocks) this.drawBlockTaskVectors(blocks.sizes, blocks.rho);
    else this.drawFactorTaskVectors();
  }

  /** β^{(k)} = ρ_k β + sqrt(1 − ρ_k²) ε_k, shared by the m_k examples of block k. */
  private drawBlockTaskVectors(sizes: readonly number[], rho: readonly number[]): void {
    const d = this.task.d;
    this.fillNormals(this.beta);
    let i = 0;
    sizes.forEach((size, k) => {
      this.fillNormals(this.noise);
      const spread = Math.sqrt(Math.max(0, 1 - rho[k] * rho[k]));
      const first = this.betas[i];
      for (let c = 0; c < d; c++) first[c] = rho[k] * this.beta[c] + spread * this.noise[c];
      for (let t = 1; t < size; t++) {
        const row = this.betas[i + t];
        for (let c = 0; c < d; c++) row[c] = first[c];
      }
      i += size;
    });
  }

  /** β_i = Σ_k F_ik ε_k for i = 1..n+1, the last one being the query's β. */
  private drawFactorTaskVectors(): void {
    const { n, d } = this.task;
    const F = this.task.correlation.factor;
    for (const row of this.epsilon) this.fillNormals(row);
    for (let i = 0; i <= n; i++) {
      const target = i < n ? this.betas[i] : this.beta;
      const Fi = F[i];
      for (let c = 0; c < d; c++) {
        let total = 0;
        for (let k = 0; k <= n; k++) total += Fi[k] * this.epsilon[k][c];
        target[c] = total;
      }
    }
  }

  /** x = C z with C the lower Cholesky factor of Σ and z ~ N(0, I_d). */
  private drawFeatures(target: Vector): void {
    const C = this.task.covariance.cholesky;
    const d = this.task.d;
    this.fillNormals(this.standard);
    for (let a = 0; a < d; a++) {
      const Ca = C[a];
      let total = 0;
      for (let b = 0; b <= a; b++) total += Ca[b] * this.standard[b];
      target[a] = total;
    }
  }

  private fillNormals(target: Vector): void {
    for (let c = 0; c < target.length; c++) target[c] = this.random.normal();
  }
}

function dotRow(a: readonly number[], b: readonly number[]): number {
  let total = 0;
  for (let c = 0; c < a.length; c++) total += a[c] * b[c];
  return total;
}

/** Draws `count` independent prompts of `task` (copies, for tests and small jobs). */
export function samplePrompts(task: Task, random: Random, count: number): Prompt[] {
  requirePositiveInteger('count', count);
  const sampler = new PromptSampler(task, random);
  return Array.from({ length: count }, () => sampler.draw().snapshot());
}

/**
 * Running mean and variance with Neumaier-compensated sums of the values
 * shifted by the first value (the shift keeps Σ(v − shift)² free of the
 * cancellation that Σ v² − (Σ v)²/N suffers when the mean dominates).
 */
export class MeanAccumulator {
  private count = 0;
  private shift = 0;
  private readonly first = new NeumaierSum();
  private readonly second = new NeumaierSum();

  add(value: number): void {
    if (this.count === 0) this.shift = value;
    const centred = value - this.shift;
    this.first.add(centred);
    this.second.add(centred * centred);
    this.count++;
  }

  /** Mean, standard error (sample standard deviation / √N) and N. */
  estimate(): MonteCarloEstimate {
    const N = this.count;
    const s1 = this.first.value();
    const mean = this.shift + s1 / N;
    const variance = N > 1 ? Math.max(0, (this.second.value() - (s1 * s1) / N) / (N - 1)) : NaN;
    return { mean, standardError: Math.sqrt(variance / N), samples: N };
  }
}

/** Neumaier's compensated summation (Kahan–Babuška): error O(ε) independent of the count. */
export class NeumaierSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  value(): number {
    return this.sum + this.compensation;
  }
}

export interface MonteCarloEstimate {
  mean: number;
  /** Sample standard deviation / √N. */
  standardError: number;
  samples: number;
}

/** z = (estimate − expected) / standard error. */
export function zScore(estimate: MonteCarloEstimate, expected: number): number {
  return (estimate.mean - expected) / estimate.standardError;
}

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
): MonteCarloEstimate {
  requireShape('P', P, task.d, task.d);
  requireFiniteMatrix('P', P);
  requireLength('ω', omega, task.n, `a task with n = ${task.n} examples`);
  requireFinite('ω', omega);
  requirePositiveInteger('samples', samples);
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
      const error = sampler.yQuery - dotRow(sampler.x, u);
      accumulator.add(error * error);
    } else {
      // (β − u)ᵀ Σ (β − u) + σ²
      for (let a = 0; a < d; a++) gap[a] = sampler.beta[a] - u[a];
      let quadratic = 0;
      for (let a = 0; a < d; a++) quadratic += gap[a] * dotRow(Sigma[a], gap);
      accumulator.add(quadratic + task.sigma2);
    }
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
    for (let j = 0; j < n; j++) for (let a = 0; a < d; a++) MX[j][a] = dotRow(M[a], X[j]);
    let value = constant;
    for (let i = 0; i < n; i++) {
      const xi = X[i];
      let linear = 0;
      for (let a = 0; a < d; a++) linear += xi[a] * dotRow(SigmaP[a], xi);
      value -= 2 * omega[i] * r[i] * linear;
      for (let j = 0; j < n; j++) {
        const labelMoment = Rn[i][j] * dotRow(xi, X[j]) + (i === j ? task.sigma2 : 0);
        value += omega[i] * omega[j] * dotRow(xi, MX[j]) * labelMoment;
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
): MonteCarloEstimate {
  requireShape('P', P, task.d, task.d);
  requireFiniteMatrix('P', P);
  requireLength('ω', omega, task.n, `a task with n = ${task.n} examples`);
  requireFinite('ω', omega);
  requirePositiveInteger('samples', samples);
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
  }
  return accumulator.estimate();
}
