import { gateBackward } from './gates.ts';
import { gateWidth, type GlaModel, type LayerOffsets } from './model.ts';
import type { Workspace } from './workspace.ts';

/**
 * Adds ∂loss/∂θ to `gradient` for one prompt, given dŷ = ∂loss/∂ŷ and the
 * buffers of the forward pass on that prompt. Backpropagation through the
 * causal scan, layer by layer from the last, with A_t = ∂loss/∂S_t:
 *
 *   A_t  = dO_t q_tᵀ + G_{t+1} ⊙ A_{t+1}   (A_T = 0),
 *   dq_t = S_tᵀ dO_t,  dv_t = A_t k_t,  dk_t = A_tᵀ v_t,
 *   dG_t = A_t ⊙ S_{t−1},
 *
 * then through W_q, W_k, W_v (dW += d· z_tᵀ, dz_t += Wᵀ d·), the gates and the
 * residual connections (dZ^{(ℓ)} = dZ^{(ℓ+1)} + the paths through layer ℓ).
 */
export function backward(model: GlaModel, workspace: Workspace, dPrediction: number, gradient: Float64Array): void {
  const { shape, parameters } = model;
  const { T, D } = workspace.layout;
  const L = shape.spec.layers;
  const query = (T - 1) * D;
  const last = workspace.streams[L];
  workspace.dStream.fill(0);
  for (let c = 0; c < D; c++) {
    gradient[shape.u + c] += dPrediction * last[query + c];
    workspace.dStream[query + c] = dPrediction * parameters[shape.u + c];
  }
  for (let l = L - 1; l >= 0; l--) layerBackward(model, shape.layers[l], l, workspace, gradient);
}

/** Turns workspace.dStream = ∂loss/∂Z^{(ℓ+1)} into ∂loss/∂Z^{(ℓ)}, adding layer ℓ's parameter gradients. */
function layerBackward(model: GlaModel, offsets: LayerOffsets, l: number, workspace: Workspace, gradient: Float64Array): void {
  const { parameters, shape } = model;
  const spec = shape.spec;
  const { T, D, featureIndex } = workspace.layout;
  const square = D * D;
  const width = gateWidth(spec);
  const input = workspace.streams[l];
  const features = workspace.streams[0];
  const { q, k, v, S, pre, gate } = workspace.layers[l];
  const { dStream: dOutput, dNext: dInput, A, dq, dk, dv, dGate } = workspace;
  dInput.set(dOutput); // residual path: z^{(ℓ+1)} = z^{(ℓ)} + o
  A.fill(0);

  for (let t = T - 1; t >= 0; t--) {
    const row = t * D;
    const outputUsed = hasNonzero(dOutput, row, D);
    // A_t = dO_t q_tᵀ + G_{t+1} ⊙ A_{t+1}
    if (t < T - 1 && width > 0) scaleByGate(A, gate, (t + 1) * width, width, D);
    if (outputUsed) {
      for (let a = 0; a < D; a++) {
        const dOa = dOutput[row + a];
        for (let b = 0; b < D; b++) A[a * D + b] += dOa * q[row + b];
      }
    }

    // dq_t = S_tᵀ dO_t
    dq.fill(0);
    if (outputUsed) {
      const current = (t + 1) * square;
      for (let a = 0; a < D; a++) {
        const dOa = dOutput[row + a];
        for (let b = 0; b < D; b++) dq[b] += S[current + a * D + b] * dOa;
      }
    }

    // dv_t = A_t k_t, dk_t = A_tᵀ v_t, and dG_t = A_t ⊙ S_{t−1} reduced to the gate's variables
    const previous = t * square;
    dk.fill(0);
    dGate.fill(0);
    for (let a = 0; a < D; a++) {
      const va = v[row + a];
      const rowA = a * D;
      let dva = 0;
      let dGa = 0;
      for (let b = 0; b < D; b++) {
        const Aab = A[rowA + b];
        dva += Aab * k[row + b];
        dk[b] += Aab * va;
        dGa += Aab * S[previous + rowA + b];
      }
      dv[a] = dva;
      if (width === 1) dGate[0] += dGa;
      else if (width > 1) dGate[a] = dGa;
    }

    // S_{−1} = 0, so the first token's gate has no gradient
    if (width > 0 && t > 0) {
      gateBackward(spec, parameters, offsets.gate, features, row + featureIndex, input, row, pre, t * width, dGate, gradient, dInput);
    }
    accumulateProjections(parameters, offsets, dq, dk, dv, outputUsed, input, row, gradient, dInput, D);
  }

  workspace.dStream = dInput;
  workspace.dNext = dOutput;
}

function hasNonzero(values: Float64Array, from: number, count: number): boolean {
  for (let c = from; c < from + count; c++) if (values[c] !== 0) return true;
  return false;
}

/** Scales A by the next token's gate, A ← G_{t+1} ⊙ A: all entries by γ (width 1), or row a by g_a (value channels). */
function scaleByGate(A: Float64Array, gate: Float64Array, at: number, width: number, D: number): void {
  if (width === 1) {
    const gamma = gate[at];
    for (let e = 0; e < D * D; e++) A[e] *= gamma;
    return;
  }
  for (let a = 0; a < D; a++) {
    const ga = gate[at + a];
    for (let b = 0; b < D; b++) A[a * D + b] *= ga;
  }
}

/**
 * For p = W z_t with W ∈ {W_q, W_k, W_v}: dW += dp z_tᵀ and dz_t += Wᵀ dp.
 * dq is zero when the token's output is unused (every token but the query in
 * the last layer), so W_q is skipped then.
 */
function accumulateProjections(
  parameters: Float64Array,
  offsets: LayerOffsets,
  dq: Float64Array,
  dk: Float64Array,
  dv: Float64Array,
  withQuery: boolean,
  input: Float64Array,
  row: number,
  gradient: Float64Array,
  dInput: Float64Array,
  D: number,
): void {
  for (let a = 0; a < D; a++) {
    const dqa = withQuery ? dq[a] : 0;
    const dka = dk[a];
    const dva = dv[a];
    const rowA = a * D;
    for (let b = 0; b < D; b++) {
      const zb = input[row + b];
      const entry = rowA + b;
      gradient[offsets.Wk + entry] += dka * zb;
      gradient[offsets.Wv + entry] += dva * zb;
      let dz = dka * parameters[offsets.Wk + entry] + dva * parameters[offsets.Wv + entry];
      if (withQuery) {
        gradient[offsets.Wq + entry] += dqa * zb;
        dz += dqa * parameters[offsets.Wq + entry];
      }
      dInput[row + b] += dz;
    }
  }
}
