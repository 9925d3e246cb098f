import { floatField } from '../../src/algebra/field.ts';
import { constructionC } from '../../src/models/construction.ts';
import { causalLogWeights, suffixLogWeights } from '../../src/models/gate-weights.ts';
import { glaMultilayerForward, glaMultilayerPredict, glaPredict, promptTokens } from '../../src/models/gla.ts';
import { wpgdMatrixWeightedPredict, wpgdPredict } from '../../src/models/wpgd.ts';
import { causalWpgdFloat, wpgdPredictFromGates } from '../../src/models/wpgd-float.ts';
import type { FloatPrompt, MultilayerInstance, ScalarInstance, SigmoidGate, VectorInstance } from './gla-arbitraries.ts';

/**
 * Float64 comparisons of the GLA reference recurrence with the float WPGD
 * paths, each with a forward error bound scaled by the sum of absolute values
 * of the terms (so cancellation in ŷ does not make the test flaky, and a
 * formula error, which moves ŷ by about one term, is still caught).
 */

/** Unit roundoff ε = 2^-53 of float64. */
export const UNIT_ROUNDOFF = 2 ** -53;
/** Spacing of float64 subnormals η = 2^-1074: the absolute error of one underflowing operation is at most η/2. */
export const SUBNORMAL_SPACING = 2 ** -1074;
/** Safety factor c: 2 because both sides carry rounding error, 2 more for the second-order terms a first-order bound leaves out. */
export const SAFETY = 4;

export const ONE_LAYER_TOLERANCE =
  '|ŷ_GLA − ŷ_WPGD| ≤ c·[ε·(2n + 3D + 6 + 3Λ)·T + (n+1)·D·η·U], c = 4, ε = 2^-53, η = 2^-1074, D = d+1. ' +
  'T = Σ_i Σ_channels |weight·y_i·(terms of xᵀ P x_i)| is the sum of absolute values of the terms of ŷ, so the bound is relative to ' +
  'the conditioning of the sum, not to |ŷ|. 2n + 3D + 4 counts the roundings one term meets in the GLA recurrence (n gate products ' +
  'and n additions in S, d in Pᵀx, D in S q, D in the readout). 2 + 3Λ, with Λ = max |log ω_i| over nonzero weights, adds those of ' +
  'the log-space path ω_i = exp(Σ log γ_j): with Math.log and Math.exp assumed accurate to 1 ulp (2ε relative), the exponent ' +
  'carries an absolute error up to 3ε·|log ω_i| (2ε from the logs, ε from the rounded sum), which exp turns into a relative ' +
  'error of ω_i. The η term covers underflow to subnormals, U = product of (1 + norm) over the inputs that multiply after an ' +
  'underflow. c = 4: both sides round, and first-order bounds drop second-order terms.';

export const MULTILAYER_TOLERANCE =
  'For every position j after the last layer: |r_j^GLA − r_j^WPGD| ≤ c·e_j^{(L)}, c = 4, where e^{(ℓ)} is a first-order ' +
  'forward error bound propagated layer by layer: e_j^{(ℓ+1)} = e_j^{(ℓ)} + Σ_{i≤j} ω_{i→j} B_ij (e_i^{(ℓ)} + |r_i| δ_ij) ' +
  '+ ε·(2n + 3D + 6 + 3Λ_j)·(|r_j| + Σ_{i≤j} ω_{i→j} |r_i| B_ij) + (n+1)·η·U_j. Here B_ij = |x_j|ᵀ|P_ℓ||x_i| is the sum of ' +
  'absolute values of the terms of x_jᵀ P_ℓ x_i, Λ_j the largest |log ω_{i→j}| (see the one-layer bound for 2 + 3Λ), and ' +
  'δ_ij = Σ_{k=i+1}^{j} s_k the relative error of ω_{i→j} from its gates. A sigmoid gate γ = σ(t) has d log γ/dt = 1 − γ, so ' +
  's_k = (1 − γ_k)(|θ_D| e_k + (D+1) ε (Σ_c |θ_c z_kc| + |b|)) + 4ε (exp assumed accurate to 1 ulp, one addition, one division), and s_k = 0 ' +
  'for a fixed gate. Each side\'s error is at most e to first order, so the two sides differ by at most 2e, and c = 4 leaves ' +
  'a factor 2 for second-order terms. The gates read the residual stream, so a rounding difference in r_k moves γ_k: δ carries that.';

/** Both sides and the error next to the allowed error. */
export interface FloatComparison {
  gla: number;
  wpgd: number;
  error: number;
  allowed: number;
  /** The compared quantity (for multilayer: the position with the worst error/allowed ratio). */
  quantity: string;
}

function sumAbs(values: readonly number[]): number {
  return values.reduce((total, value) => total + Math.abs(value), 0);
}

function maxAbs(values: readonly number[]): number {
  return values.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
}

/** Σ_a Σ_b |x_a| |P_ab| |x_i,b|: the sum of absolute values of the terms of xᵀ P x_i. */
function absBilinear(x: readonly number[], P: readonly (readonly number[])[], xi: readonly number[]): number {
  let total = 0;
  for (let a = 0; a < x.length; a++) {
    for (let b = 0; b < xi.length; b++) total += Math.abs(x[a]) * Math.abs(P[a][b]) * Math.abs(xi[b]);
  }
  return total;
}

/** Largest |log ω| over the weights that are not exactly 0. */
function largestLogWeight(omega: ArrayLike<number>, logOmega: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < omega.length; i++) if (omega[i] > 0) largest = Math.max(largest, Math.abs(logOmega[i]));
  return largest;
}

/** Scale of errors after an underflow: the product of (1 + norm) of every input factor that can follow it. */
function underflowScale(prompt: FloatPrompt, extra: readonly number[][] = []): number {
  const d = prompt.x.length;
  const rowNorm = Math.max(0, ...prompt.X.map(sumAbs));
  let scale = (1 + sumAbs(prompt.x)) * (1 + d * Math.max(0, ...prompt.P.map(maxAbs))) * (1 + rowNorm) * (1 + maxAbs(prompt.y));
  for (const vector of extra) scale *= 1 + sumAbs(vector);
  return scale;
}

/** Computes the one-layer allowed error c·[ε (2n + 3D + 6 + 3Λ) T + (n+1) D η U]. */
function oneLayerAllowed(n: number, d: number, T: number, logWeight: number, U: number): number {
  const D = d + 1;
  return SAFETY * (UNIT_ROUNDOFF * (2 * n + 3 * D + 6 + 3 * logWeight) * T + (n + 1) * D * SUBNORMAL_SPACING * U);
}

/** error / allowed, with 0/0 read as 0 and a NaN side read as +∞. */
export function errorRatio(result: FloatComparison): number {
  if (Number.isNaN(result.error)) return Infinity;
  return result.error === 0 ? 0 : result.error / result.allowed;
}

function comparison(gla: number, wpgd: number, allowed: number, quantity = 'ŷ'): FloatComparison {
  return { gla, wpgd, error: Math.abs(gla - wpgd), allowed, quantity };
}

/**
 * GLA-1 in float64: the scalar-gated (or ungated) GLA recurrence against
 * ŷ = xᵀ P Xᵀ (ω ⊙ y) with log-space weights (no gating: all gates 1, ω = 1).
 */
export function compareScalar(instance: ScalarInstance): FloatComparison {
  const F = floatField;
  const { X, y, x, P } = instance.prompt;
  const n = X.length;
  const gated = instance.family === 'scalar';
  const layer = constructionC(F, P, instance.family, gated ? (_z, position) => [instance.gamma[position - 1]] : undefined);
  const gla = glaPredict(F, layer, promptTokens(F, X, y, x));
  const gamma = gated ? instance.gamma : new Array<number>(n + 1).fill(1);
  const wpgd = wpgdPredictFromGates(P, X, y, x, gamma);
  const { omega, logOmega } = suffixLogWeights(gamma);
  const T = X.reduce((total, xi, i) => total + omega[i] * Math.abs(y[i]) * absBilinear(x, P, xi), 0);
  const allowed = oneLayerAllowed(n, x.length, T, largestLogWeight(omega, logOmega), underflowScale(instance.prompt));
  return comparison(gla, wpgd, allowed);
}

/** Log-space weights ω_{i,c} = Π_{j>i} g_c(z_j) of each channel c, with the largest |log ω|. */
function channelWeights(gates: readonly (readonly number[])[], channels: number): { omega: Float64Array[]; logWeight: number } {
  const omega: Float64Array[] = [];
  let logWeight = 0;
  for (let c = 0; c < channels; c++) {
    const weights = suffixLogWeights(gates.map((row) => row[c]));
    omega.push(weights.omega);
    logWeight = Math.max(logWeight, largestLogWeight(weights.omega, weights.logOmega));
  }
  return { omega, logWeight };
}

/**
 * GLA-key in float64: the key-vector-gated GLA recurrence against
 * ŷ = xᵀ P Σ_i diag(ω_i[1..d]) x_i y_i with log-space per-coordinate weights.
 */
export function compareKeyVector(instance: VectorInstance): FloatComparison {
  const F = floatField;
  const { X, y, x, P } = instance.prompt;
  const n = X.length;
  const d = x.length;
  const layer = constructionC(F, P, 'key-vector', (_z, position) => instance.gates[position - 1]);
  const gla = glaPredict(F, layer, promptTokens(F, X, y, x));
  const { omega, logWeight } = channelWeights(instance.gates, d);
  const Omega = X.map((_, i) => Array.from({ length: d }, (__, a) => Array.from({ length: d }, (___, b) => (a === b ? omega[a][i] : 0))));
  const wpgd = wpgdMatrixWeightedPredict(F, P, X, y, x, Omega);
  let T = 0;
  X.forEach((xi, i) => {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) T += Math.abs(x[a] * P[a][b]) * omega[b][i] * Math.abs(xi[b] * y[i]);
    }
  });
  return comparison(gla, wpgd, oneLayerAllowed(n, d, T, logWeight, underflowScale(instance.prompt)));
}

/**
 * GLA-value in float64: value-vector gating with W_v = α e_Dᵀ and readout u
 * against ŷ = xᵀ P Xᵀ (ω^eff ⊙ y), ω^eff_i = Σ_c u_c α_c ω_{i,c} from log-space weights.
 */
export function compareValueVector(instance: VectorInstance): FloatComparison {
  const F = floatField;
  const { X, y, x, P } = instance.prompt;
  const { alpha, u } = instance;
  const n = X.length;
  const d = x.length;
  const D = d + 1;
  const layer = constructionC(F, P, 'value-vector', (_z, position) => instance.gates[position - 1]);
  layer.Wv = alpha.map((alphaC) => Array.from({ length: D }, (_, b) => (b === d ? alphaC : 0)));
  const gla = glaPredict(F, layer, promptTokens(F, X, y, x), u);
  const { omega, logWeight } = channelWeights(instance.gates, D);
  const omegaEff = X.map((_, i) => omega.reduce((total, omegaC, c) => total + u[c] * alpha[c] * omegaC[i], 0));
  const wpgd = wpgdPredict(F, P, X, y, x, omegaEff);
  let T = 0;
  X.forEach((xi, i) => {
    const term = Math.abs(y[i]) * absBilinear(x, P, xi);
    for (let c = 0; c < D; c++) T += Math.abs(u[c] * alpha[c]) * omega[c][i] * term;
  });
  return comparison(gla, wpgd, oneLayerAllowed(n, d, T, logWeight, underflowScale(instance.prompt, [alpha, u])));
}

/** σ(t) = 1 / (1 + e^{−t}); exactly 0 when e^{−t} overflows, exactly 1 when it underflows. */
export function sigmoid(t: number): number {
  return 1 / (1 + Math.exp(-t));
}

/** Pre-activation t = θᵀ z + b of a sigmoid gate. */
function preActivation(gate: SigmoidGate, z: readonly number[]): number {
  return z.reduce((total, value, c) => total + gate.theta[c] * value, gate.bias);
}

/** γ_ℓ at 0-based position j from the layer's token z: the fixed override if any, else σ(θᵀ z + b). */
export function multilayerGate(instance: MultilayerInstance, layer: number, z: readonly number[], j: number): number {
  const fixed = instance.overrides[layer][j];
  return fixed !== null ? fixed : sigmoid(preActivation(instance.gates[layer], z));
}

/** Runs the GLA-L side: the label coordinate of every token after the last layer, and ŷ = −e_Dᵀ z_{n+1}^{(L)}. */
export function multilayerGla(instance: MultilayerInstance): { labels: number[]; prediction: number } {
  const F = floatField;
  const { X, y, x } = instance.prompt;
  const d = x.length;
  const layers = instance.Ps.map((P, layer) =>
    constructionC(F, P, 'scalar', (z, position) => [multilayerGate(instance, layer, z, position - 1)], -1),
  );
  const Z = promptTokens(F, X, y, x);
  const history = glaMultilayerForward(F, layers, Z);
  const u = Array.from({ length: d + 1 }, (_, c) => (c === d ? -1 : 0));
  return {
    labels: history[history.length - 1].map((z) => z[d]),
    prediction: glaMultilayerPredict(F, layers, Z, u),
  };
}

/** Runs the WPGD side: r^{(L)} of the float causal recursion, gates read from (x_j, r_j^{(ℓ)}). */
export function multilayerWpgd(instance: MultilayerInstance, layers = instance.Ps.length): number[] {
  const { X, y, x } = instance.prompt;
  const gates = (layer: number, tokens: number[][]) => tokens.map((z, j) => multilayerGate(instance, layer, z, j));
  return causalWpgdFloat(instance.Ps.slice(0, layers), [...X, x], y, gates);
}

/**
 * First-order forward error bound e^{(L)} of the causal recursion on each
 * position (the formula is MULTILAYER_TOLERANCE without the factor c).
 */
export function multilayerErrorBound(instance: MultilayerInstance): number[] {
  const { X, x } = instance.prompt;
  const Xall = [...X, x];
  const n = X.length;
  const d = x.length;
  const D = d + 1;
  const rowNorm = Math.max(...Xall.map(sumAbs));
  let e = new Array<number>(n + 1).fill(0);
  instance.Ps.forEach((P, layer) => {
    const r = multilayerWpgd(instance, layer);
    const gate = instance.gates[layer];
    const tokens = Xall.map((xj, j) => [...xj, r[j]]);
    const gamma = tokens.map((z, j) => multilayerGate(instance, layer, z, j));
    // s_k: relative error of γ_k from the error of its input r_k and from rounding in σ(θᵀ z + b).
    const s = tokens.map((z, k) => {
      if (instance.overrides[layer][k] !== null) return 0;
      const absPreActivation = z.reduce((total, value, c) => total + Math.abs(gate.theta[c] * value), Math.abs(gate.bias));
      const roundingOfT = (D + 1) * UNIT_ROUNDOFF * absPreActivation;
      return (1 - gamma[k]) * (Math.abs(gate.theta[d]) * e[k] + roundingOfT) + 4 * UNIT_ROUNDOFF;
    });
    const U = (1 + d * Math.max(...P.map(maxAbs))) * (1 + rowNorm) * (1 + maxAbs(r));
    e = Xall.map((xj, j) => {
      const omega = causalLogWeights(gamma, j);
      let absTerms = 0;
      let propagated = 0;
      let delta = 0;
      let logSum = 0;
      let logWeight = 0;
      for (let i = j; i >= 0; i--) {
        if (i < j) {
          delta += s[i + 1];
          logSum += gamma[i + 1] > 0 ? Math.log(gamma[i + 1]) : -Infinity;
        }
        if (omega[i] === 0) continue;
        logWeight = Math.max(logWeight, Math.abs(logSum));
        const B = absBilinear(xj, P, Xall[i]);
        absTerms += omega[i] * Math.abs(r[i]) * B;
        propagated += omega[i] * B * (e[i] + Math.abs(r[i]) * delta);
      }
      const rounding = UNIT_ROUNDOFF * (2 * n + 3 * D + 6 + 3 * logWeight) * (Math.abs(r[j]) + absTerms);
      const underflow = (n + 1) * SUBNORMAL_SPACING * (1 + sumAbs(xj)) * U;
      return e[j] + propagated + rounding + underflow;
    });
  });
  return e;
}

/**
 * GLA-L in float64: every label coordinate after the last layer and ŷ, GLA
 * recurrence against the causal WPGD recursion; returns the comparison with
 * the worst error/allowed ratio.
 */
export function compareMultilayer(instance: MultilayerInstance): FloatComparison {
  const n = instance.prompt.X.length;
  const gla = multilayerGla(instance);
  const r = multilayerWpgd(instance);
  const e = multilayerErrorBound(instance);
  let worst = comparison(gla.prediction, -r[n], SAFETY * e[n]);
  r.forEach((rj, j) => {
    const candidate = comparison(gla.labels[j], rj, SAFETY * e[j], `label of token ${j + 1} after layer ${instance.Ps.length}`);
    if (errorRatio(candidate) > errorRatio(worst)) worst = candidate;
  });
  return worst;
}
