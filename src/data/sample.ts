import { requirePositiveInteger } from '../core/validate.ts';
import { dot, type Matrix, type Vector } from '../linalg/dense.ts';
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
      this.y[i] = dot(this.X[i], this.betas[i]) + this.sigma * this.random.normal();
    }
    this.drawFeatures(this.x);
    this.yQuery = dot(this.x, this.beta) + this.sigma * this.random.normal();
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

/** Draws `count` independent prompts of `task` (copies, for tests and small jobs). */
export function samplePrompts(task: Task, random: Random, count: number): Prompt[] {
  requirePositiveInteger('count', count);
  const sampler = new PromptSampler(task, random);
  return Array.from({ length: count }, () => sampler.draw().snapshot());
}
