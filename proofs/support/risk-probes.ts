import { MeanAccumulator, zScore } from '../../src/core/statistics.ts';
import type { ProbeOutcome } from '../../src/claims/probe.ts';
import type { Random } from '../../src/data/random.ts';
import { identity, type Matrix, type Vector } from '../../src/linalg/dense.ts';
import { fieldRisk } from '../../src/theory/risk-field.ts';
import { floatField } from '../../src/algebra/field.ts';

/**
 * Monte Carlo of the WPGD loss outside the data model, for the probes that
 * drop a hypothesis of RISK. The sampler is written from the model's
 * definition alone (it shares nothing with the closed form) so that a gap
 * between the two can only come from the dropped hypothesis.
 */

/** |z| above which a probe calls the closed form wrong; the same bound RISK's own checks use. */
export const PROBE_Z = 4.5;

export type FeatureLaw = 'gaussian' | 'rademacher';

export interface OffModelInstance {
  d: number;
  /** Rows b_j of a factor B with E[β_j β_kᵀ] = (b_j · b_k) I; row n is the query. */
  factor: Matrix;
  sigma2: number;
  P: Matrix;
  omega: Vector;
  features: FeatureLaw;
}

/** E[β_j β_kᵀ] = R_jk I with R = B Bᵀ: the matrix the closed form is given, whatever its diagonal. */
export function impliedCorrelation(instance: OffModelInstance): Matrix {
  const B = instance.factor;
  return B.map((bj) => B.map((bk) => bj.reduce((acc, value, l) => acc + value * bk[l], 0)));
}

function drawFeature(random: Random, law: FeatureLaw): number {
  return law === 'gaussian' ? random.normal() : random.uniform() < 0.5 ? -1 : 1;
}

/** Draws one loss (y − xᵀ P Xᵀ (ω ⊙ y))² with features of unit variance drawn from `law` (so Σ = I). */
function sampleLoss(random: Random, instance: OffModelInstance): number {
  const { d, factor, sigma2, P, omega, features } = instance;
  const n = omega.length;
  const noise = Math.sqrt(sigma2);
  const epsilon = factor[0].map(() => random.normalVector(d));
  const beta = factor.map((b) => Array.from({ length: d }, (_, c) => b.reduce((acc, value, l) => acc + value * epsilon[l][c], 0)));
  const h = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => drawFeature(random, features));
    const y = x.reduce((acc, value, c) => acc + value * beta[i][c], 0) + noise * random.normal();
    for (let c = 0; c < d; c++) h[c] += omega[i] * y * x[c];
  }
  const x = Array.from({ length: d }, () => drawFeature(random, features));
  const y = x.reduce((acc, value, c) => acc + value * beta[n][c], 0) + noise * random.normal();
  const prediction = x.reduce((acc, xc, c) => acc + xc * P[c].reduce((inner, value, e) => inner + value * h[e], 0), 0);
  return (y - prediction) ** 2;
}

/** Monte Carlo estimate of the loss against the RISK closed form evaluated on Σ = I and R = B Bᵀ. */
export function offModelOutcome(random: Random, instance: OffModelInstance, samples: number, label: string): ProbeOutcome {
  const accumulator = new MeanAccumulator();
  for (let s = 0; s < samples; s++) accumulator.add(sampleLoss(random, instance));
  const estimate = accumulator.estimate();
  const R = impliedCorrelation(instance);
  const n = instance.omega.length;
  const closedForm = fieldRisk(
    floatField,
    { Sigma: identity(instance.d), Rn: R.slice(0, n).map((row) => row.slice(0, n)), r: R.slice(0, n).map((row) => row[n]), sigma2: instance.sigma2 },
    instance.P,
    instance.omega,
  );
  const z = zScore(estimate, closedForm);
  return {
    input: { d: instance.d, n, features: instance.features, R, sigma2: instance.sigma2, P: instance.P, omega: instance.omega, samples },
    holds: Math.abs(z) <= PROBE_Z,
    note: `${label}: Monte Carlo ${estimate.mean.toPrecision(6)} ± ${estimate.standardError.toPrecision(3)} against the closed form ${closedForm.toPrecision(6)}, z = ${z.toFixed(1)} (bound |z| ≤ ${PROBE_Z})`,
  };
}
