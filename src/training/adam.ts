import { InputError } from '../core/errors.ts';

/** Hyperparameters of Adam (Kingma and Ba, 2015), with the usual defaults. */
export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_ADAM: AdamOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * Adam with bias-corrected moments:
 *   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,
 *   θ ← θ − η · m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁^t),  v̂ = v / (1 − β₂^t).
 * The step is about η per coordinate whatever the gradient's scale, which is
 * what lets a gate bias grow steadily while its gradient shrinks like σ(−b).
 */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    readonly size: number,
    readonly options: AdamOptions = DEFAULT_ADAM,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.t;
  }

  /**
   * Updates `parameters` in place with one step of size `learningRate` along
   * `gradient`; `scale`, when given, multiplies the step of each parameter.
   */
  step(parameters: Float64Array, gradient: Float64Array, learningRate: number, scale?: Float64Array): void {
    if (parameters.length !== this.size || gradient.length !== this.size) {
      throw new InputError('parameters or gradient', `do not have the optimiser's size ${this.size}`, `${parameters.length} and ${gradient.length}`, 'pass vectors of the size the optimiser was created with');
    }
    const { beta1, beta2, epsilon } = this.options;
    this.t++;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    for (let p = 0; p < this.size; p++) {
      const g = gradient[p];
      this.m[p] = beta1 * this.m[p] + (1 - beta1) * g;
      this.v[p] = beta2 * this.v[p] + (1 - beta2) * g * g;
      const mHat = this.m[p] / correction1;
      const vHat = this.v[p] / correction2;
      const rate = scale ? learningRate * scale[p] : learningRate;
      parameters[p] -= (rate * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  }
}
