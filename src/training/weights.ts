import { InputError } from '../core/errors.ts';
import type { Task } from '../theory/risk.ts';
import { forward } from './forward.ts';
import { gatePreactivation } from './gates.ts';
import { writeTokens, type DelimitedLayout } from './layout.ts';
import type { GlaModel } from './model.ts';
import { createWorkspace } from './workspace.ts';

/** Computes log σ(s) without overflow or cancellation: −log(1 + e^{−s}) for s ≥ 0, s − log(1 + e^{s}) otherwise. */
export function logSigmoid(s: number): number {
  return s >= 0 ? -Math.log1p(Math.exp(-s)) : s - Math.log1p(Math.exp(s));
}

/**
 * Returns log γ_t of layer `layer` (0-based) at every token position of the
 * layout. Valid only for gates that read the delimiter features alone (family
 * `scalar`): then γ_t depends on the token's kind, not on the prompt, and
 * example tokens and the query share the gate σ(b).
 */
export function scalarGateLogValues(model: GlaModel, layout: DelimitedLayout, layer = 0): Float64Array {
  const spec = model.shape.spec;
  if (spec.family !== 'scalar') {
    throw new InputError('gate family', 'does not have prompt-independent scalar gates', spec.family, "read gate weights of a 'scalar' model, or probe the model with probedWeights");
  }
  const { T, D } = layout;
  const tokens = new Float64Array(T * D);
  for (let k = 0; k < layout.K; k++) tokens[layout.delimiterPosition[k] * D + layout.featureIndex + k] = 1;
  const pre = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    gatePreactivation(spec, model.parameters, model.shape.layers[layer].gate, tokens, t * D + layout.featureIndex, tokens, t * D, pre, t);
  }
  return pre.map(logSigmoid);
}

/**
 * Reads the weights off the gates of a one-layer scalar-gated model:
 * ω_i = Π_{t > pos(i)} γ_t over all later tokens (examples, delimiters and the
 * query), as exp of a suffix sum of log γ_t. Returns log ω as well, which
 * stays finite when ω underflows.
 */
export function gateReadWeights(model: GlaModel, layout: DelimitedLayout): { omega: number[]; logOmega: number[] } {
  const logGamma = scalarGateLogValues(model, layout, 0);
  const suffix = new Float64Array(layout.T + 1);
  for (let t = layout.T - 1; t >= 0; t--) suffix[t] = suffix[t + 1] + logGamma[t];
  const logOmega = Array.from(layout.examplePosition, (position) => suffix[position + 1]);
  return { omega: logOmega.map(Math.exp), logOmega };
}

/**
 * Measures the weights any model applies: the label-odd response to one
 * example at a time. For a probe vector p, every token's features are p
 * (examples and query), every label is 0 except y_i = ±h, and
 *   ω̂_i(p) = (ŷ(y_i = h) − ŷ(y_i = −h)) / (2h).
 * The probes are p = C e_a, a = 1..d, with C the Cholesky factor of Σ, and
 * ω̂_i is their sum. For one layer whose gates read only f (every family but
 * `content`), the gates are the same in both calls and the odd response is h
 * times a quadratic form pᵀ M_i p. The sum is then tr(M_i Σ) =
 * E_{p ~ N(0, Σ)}[pᵀ M_i p] exactly, and so is the central difference,
 * because ŷ has degree 2 in y_i. For a construction-C model M_i = ω_i P, so
 * ω̂ ∝ ω. For deeper models and content gates the probe is the same
 * deterministic functional, with a central-difference error O(h²).
 */
export function probedWeights(model: GlaModel, task: Task, layout: DelimitedLayout, h = 1e-3): number[] {
  const { d, n } = layout;
  const workspace = createWorkspace(layout, model.shape);
  const tokens = new Float64Array(layout.T * layout.D);
  const C = task.covariance.cholesky;
  const weights = new Array<number>(n).fill(0);
  const labels = new Array<number>(n).fill(0);
  for (let a = 0; a < d; a++) {
    const p = Array.from({ length: d }, (_, c) => C[c][a]);
    const X = Array.from({ length: n }, () => p);
    for (let i = 0; i < n; i++) {
      labels[i] = h;
      writeTokens(layout, X, labels, p, tokens);
      const plus = forward(model, tokens, workspace);
      labels[i] = -h;
      writeTokens(layout, X, labels, p, tokens);
      const minus = forward(model, tokens, workspace);
      labels[i] = 0;
      weights[i] += (plus - minus) / (2 * h);
    }
  }
  return weights;
}

/** Averages per-example weights inside each block. */
export function blockAverages(layout: DelimitedLayout, omega: readonly number[]): number[] {
  const totals = new Array<number>(layout.K).fill(0);
  omega.forEach((value, i) => (totals[layout.blockOf[i]] += value));
  return totals.map((total, k) => total / layout.sizes[k]);
}

/**
 * Scales block weights to unit Euclidean norm over the n examples
 * (Σ_k m_k w_k² = 1), with the sign that makes Σ_k m_k w_k ≥ 0. Weights are
 * only defined up to a common factor (P absorbs it), so this is the form in
 * which learned and optimal weights are compared.
 */
export function normaliseBlockWeights(sizes: readonly number[], weights: readonly number[]): number[] {
  const norm = Math.sqrt(weights.reduce((total, w, k) => total + sizes[k] * w * w, 0));
  if (norm === 0) return weights.map(() => 0);
  const sign = weights.reduce((total, w, k) => total + sizes[k] * w, 0) < 0 ? -1 : 1;
  return weights.map((w) => (sign * w) / norm);
}
