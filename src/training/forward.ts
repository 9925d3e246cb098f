import { gatePreactivation, sigmoid } from './gates.ts';
import { gateWidth, type GlaModel, type LayerOffsets } from './model.ts';
import type { Workspace } from './workspace.ts';

/**
 * Forward pass of the L-layer GLA with residual connections on one prompt:
 *
 *   q_t = W_q z_t,  k_t = W_k z_t,  v_t = W_v z_t,
 *   S_t = G_t ⊙ S_{t−1} + v_t k_tᵀ  (S_{−1} = 0),
 *   o_t = S_t q_t,
 *   Z^{(ℓ+1)} = Z^{(ℓ)} + O^{(ℓ)},
 *
 * and the prediction ŷ = uᵀ z_{T}^{(L)}, the readout of the query's token in the
 * residual stream after the last layer (for L = 1 that is uᵀ (z_query + o_query)).
 * The query token's own term uᵀ z_query = u_xᵀ x does not depend on labels, so
 * it adds only a label-even part to ŷ. `tokens` is the T×D input; every buffer
 * the backward pass needs stays in `workspace`.
 */
export function forward(model: GlaModel, tokens: Float64Array, workspace: Workspace): number {
  const { shape, parameters } = model;
  const { T, D } = workspace.layout;
  workspace.streams[0].set(tokens);
  shape.layers.forEach((offsets, l) => layerForward(model, offsets, l, workspace));
  const last = workspace.streams[shape.spec.layers];
  const query = (T - 1) * D;
  let prediction = 0;
  for (let c = 0; c < D; c++) prediction += parameters[shape.u + c] * last[query + c];
  return prediction;
}

/**
 * Runs one layer's causal scan, writing Z^{(ℓ+1)} and keeping q, k, v, gates
 * and every S_t. The last layer writes only the query's output, because the
 * readout uses nothing else. The other rows of its output stream stay stale.
 */
function layerForward(model: GlaModel, offsets: LayerOffsets, l: number, workspace: Workspace): void {
  const { parameters, shape } = model;
  const spec = shape.spec;
  const { T, D, featureIndex } = workspace.layout;
  const square = D * D;
  const input = workspace.streams[l];
  const output = workspace.streams[l + 1];
  const features = workspace.streams[0];
  const { q, k, v, S, pre, gate } = workspace.layers[l];
  const width = gateWidth(spec);
  const lastLayer = l === spec.layers - 1;
  for (let t = 0; t < T; t++) {
    const row = t * D;
    projectToken(parameters, offsets, input, row, q, k, v, D);
    const previous = t * square;
    const current = (t + 1) * square;
    if (width > 0) {
      gatePreactivation(spec, parameters, offsets.gate, features, row + featureIndex, input, row, pre, t * width);
      for (let c = 0; c < width; c++) gate[t * width + c] = sigmoid(pre[t * width + c]);
    }
    // S_t = G_t ⊙ S_{t−1} + v_t k_tᵀ, with G_t = 1 1ᵀ (width 0), γ 1 1ᵀ (width 1) or g 1ᵀ (width D)
    for (let a = 0; a < D; a++) {
      const ga = gateOfRow(gate, t, row, a, width);
      const va = v[row + a];
      const rowA = a * D;
      for (let b = 0; b < D; b++) S[current + rowA + b] = ga * S[previous + rowA + b] + va * k[row + b];
    }
    if (lastLayer && t < T - 1) continue;
    // z^{(ℓ+1)}_t = z_t + S_t q_t
    for (let a = 0; a < D; a++) {
      const rowA = current + a * D;
      let o = 0;
      for (let b = 0; b < D; b++) o += S[rowA + b] * q[row + b];
      output[row + a] = input[row + a] + o;
    }
  }
}

/** Returns G_t's factor for row a of S: 1 without gate (width 0), γ_t (width 1), or g_{t,a} (width D). */
function gateOfRow(gate: Float64Array, t: number, row: number, a: number, width: number): number {
  if (width === 0) return 1;
  if (width === 1) return gate[t];
  return gate[row + a];
}

/** q_t = W_q z_t, k_t = W_k z_t, v_t = W_v z_t for z_t = stream[row..row+D), skipping zero entries of z_t (most of a delimiter token). */
function projectToken(
  parameters: Float64Array,
  offsets: LayerOffsets,
  stream: Float64Array,
  row: number,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  D: number,
): void {
  q.fill(0, row, row + D);
  k.fill(0, row, row + D);
  v.fill(0, row, row + D);
  for (let b = 0; b < D; b++) {
    const zb = stream[row + b];
    if (zb === 0) continue;
    for (let a = 0; a < D; a++) {
      const entry = a * D + b;
      q[row + a] += parameters[offsets.Wq + entry] * zb;
      k[row + a] += parameters[offsets.Wk + entry] * zb;
      v[row + a] += parameters[offsets.Wv + entry] * zb;
    }
  }
}
