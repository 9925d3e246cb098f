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
