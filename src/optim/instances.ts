import { makeCorrelation, type Correlation } from '../data/correlation.ts';
import { randomCorrelation } from '../data/instances.ts';
import type { Random } from '../data/random.ts';
import type { Vector } from '../linalg/dense.ts';

/** Builds a correlation matrix with r = 0: R_n is random and the query is uncorrelated with every example. */
export function uncorrelatedQuery(random: Random, n: number): Correlation {
  const Rn = randomCorrelation(random, n - 1, n + 1).R;
  const R = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) R[i][j] = Rn[i][j];
  }
  R[n][n] = 1;
  return makeCorrelation(R);
}

/** d eigenvalues log-uniform on [low, high], the two ends included so the spread is exactly high/low. */
export function logUniformSpectrum(random: Random, d: number, low: number, high: number): Vector {
  const logLow = Math.log(low);
  const logHigh = Math.log(high);
  return Array.from({ length: d }, (_, k) => {
    if (k === 0) return low;
    if (k === 1) return high;
    return Math.exp(logLow + (logHigh - logLow) * random.uniform());
  });
}
