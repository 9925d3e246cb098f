import type { ModelSpec } from './model.ts';

/**
 * Logistic sigmoid σ(s) = 1 / (1 + e^{−s}), evaluated so that neither branch
 * overflows: for s < 0 it uses e^{s} / (1 + e^{s}).
 */
export function sigmoid(s: number): number {
  if (s >= 0) return 1 / (1 + Math.exp(-s));
  const e = Math.exp(s);
  return e / (1 + e);
}

/**
 * Writes the gate pre-activations of one token to `pre` (gateWidth entries):
 * scalar s = λᵀ f + b (1 − 1ᵀ f); value-vector s_c = Λ_c f + b_c (1 − 1ᵀ f);
 * content s = λ_fᵀ f + θ_xᵀ x + θ_y y + b (1 − 1ᵀ f). For f = 0 or a one-hot
 * e_k these are θᵀ f + b with θ = λ − b 1, the parametrisation of the
 * model description (see TrainableGate for why the logits are stored).
 * `f` is read from `features` at `featureAt` (F entries of the input token),
 * x and y from `stream` at `tokenAt` (the layer's input token). Gates of
 * every layer read f from the input tokens, not from the residual stream, so
 * a delimiter gate stays a function of the block index alone, whatever the
 * earlier layers wrote.
 */
export function gatePreactivation(
  spec: ModelSpec,
  parameters: Float64Array,
  offset: number,
  features: Float64Array,
  featureAt: number,
  stream: Float64Array,
  tokenAt: number,
  pre: Float64Array,
  preAt: number,
): void {
  const { F, D, d } = spec;
  switch (spec.family) {
    case 'none':
      return;
    case 'scalar': {
      let s = parameters[offset + F] * nonDelimiter(features, featureAt, F);
      for (let k = 0; k < F; k++) s += parameters[offset + k] * features[featureAt + k];
      pre[preAt] = s;
      return;
    }
    case 'value-vector': {
      const bias = offset + D * F;
      const plain = nonDelimiter(features, featureAt, F);
      for (let c = 0; c < D; c++) {
        let s = parameters[bias + c] * plain;
        const row = offset + c * F;
        for (let k = 0; k < F; k++) s += parameters[row + k] * features[featureAt + k];
        pre[preAt + c] = s;
      }
      return;
    }
    case 'content': {
      let s = parameters[offset + F + d + 1] * nonDelimiter(features, featureAt, F);
      for (let k = 0; k < F; k++) s += parameters[offset + k] * features[featureAt + k];
      for (let c = 0; c <= d; c++) s += parameters[offset + F + c] * stream[tokenAt + c];
      pre[preAt] = s;
      return;
    }
  }
}

/**
 * Backpropagates dγ (or dg) of one token through the sigmoid and the gate's
 * affine map: ds = dγ · σ(s) σ(−s) (written with σ(−s), not 1 − σ(s), which
 * loses every digit once σ(s) rounds to 1), then the parameter gradients, and
 * for content gates the gradient into the token's x and y.
 */
export function gateBackward(
  spec: ModelSpec,
  parameters: Float64Array,
  offset: number,
  features: Float64Array,
  featureAt: number,
  stream: Float64Array,
  tokenAt: number,
  pre: Float64Array,
  preAt: number,
  dGate: Float64Array,
  gradient: Float64Array,
  dStream: Float64Array,
): void {
  const { F, D, d } = spec;
  switch (spec.family) {
    case 'none':
      return;
    case 'scalar': {
      const s = pre[preAt];
      const ds = dGate[0] * sigmoid(s) * sigmoid(-s);
      for (let k = 0; k < F; k++) gradient[offset + k] += ds * features[featureAt + k];
      gradient[offset + F] += ds * nonDelimiter(features, featureAt, F);
      return;
    }
    case 'value-vector': {
      const bias = offset + D * F;
      const plain = nonDelimiter(features, featureAt, F);
      for (let c = 0; c < D; c++) {
        const s = pre[preAt + c];
        const ds = dGate[c] * sigmoid(s) * sigmoid(-s);
        const row = offset + c * F;
        for (let k = 0; k < F; k++) gradient[row + k] += ds * features[featureAt + k];
        gradient[bias + c] += ds * plain;
      }
      return;
    }
    case 'content': {
      const s = pre[preAt];
      const ds = dGate[0] * sigmoid(s) * sigmoid(-s);
      for (let k = 0; k < F; k++) gradient[offset + k] += ds * features[featureAt + k];
      for (let c = 0; c <= d; c++) {
        gradient[offset + F + c] += ds * stream[tokenAt + c];
        dStream[tokenAt + c] += ds * parameters[offset + F + c];
      }
      gradient[offset + F + d + 1] += ds * nonDelimiter(features, featureAt, F);
      return;
    }
  }
}

/** Returns 1 − 1ᵀ f: 1 on examples and the query, 0 on a delimiter. */
function nonDelimiter(features: Float64Array, at: number, F: number): number {
  let total = 0;
  for (let k = 0; k < F; k++) total += features[at + k];
  return 1 - total;
}
