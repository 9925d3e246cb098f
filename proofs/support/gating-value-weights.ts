import { valueGatedLayer, valueVectorGatesFor, type OrderedField } from '../../src/gating/synthesis.ts';
import { glaPredict, promptTokens } from '../../src/models/gla.ts';

/**
 * The weights a value-vector-gated GLA layer actually applies. For
 * v_i = α y_i and readout u the GLA-value formula gives
 * ŷ = xᵀ P Xᵀ (ω^eff ⊙ y) with ω^eff_i = Σ_c u_c α_c Π_{j=i+1}^{n+1} g_c(z_j).
 * With d-dimensional prompts x_i = x = e_1 and P = I_d this is
 * ŷ = Σ_i ω^eff_i y_i, so the prompt with labels y = e_i reads off ω^eff_i.
 */

/**
 * Synthesises value-vector gates for the target ω in dimension d (D = d + 1
 * channels), runs the GLA recurrence once per example on the unit-label
 * prompts, and returns ω^eff read off the predictions.
 */
export function glaValueWeights<T>(F: OrderedField<T>, omega: readonly T[], d: number): T[] {
  const n = omega.length;
  const synthesis = valueVectorGatesFor(F, omega, d + 1);
  const P = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (__, b) => (a === b ? F.one : F.zero)));
  const { layer, u } = valueGatedLayer(F, P, synthesis);
  const unit = Array.from({ length: d }, (_, a) => (a === 0 ? F.one : F.zero));
  const X = Array.from({ length: n }, () => unit);
  return Array.from({ length: n }, (_, i) => {
    const y = Array.from({ length: n }, (__, j) => (j === i ? F.one : F.zero));
    return glaPredict(F, layer, promptTokens(F, X, y, unit), u);
  });
}
