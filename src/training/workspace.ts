import type { DelimitedLayout } from './layout.ts';
import { gateWidth, type ModelShape } from './model.ts';

/**
 * Buffers of one forward pass, kept for the backward pass and reused across
 * prompts (no allocation per prompt). Row-major throughout; t is the 0-based
 * token position and ℓ the 0-based layer.
 */
export interface LayerBuffers {
  /** q_t, k_t, v_t, each T×D. */
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  /** States S_0..S_T, (T+1)×D×D, S_0 = 0; entry (t+1) is S_t of token t. */
  S: Float64Array;
  /** Gate pre-activations and values, T×gateWidth (empty for 'none'). */
  pre: Float64Array;
  gate: Float64Array;
}

export interface Workspace {
  layout: DelimitedLayout;
  shape: ModelShape;
  /** Residual streams Z^{(0)}..Z^{(L)}, each T×D; Z^{(0)} is the input tokens. */
  streams: Float64Array[];
  layers: LayerBuffers[];
  /** Scratch for the backward pass: gradient of the current stream, the next one, and the running A = ∂loss/∂S_t. */
  dStream: Float64Array;
  dNext: Float64Array;
  A: Float64Array;
  /** Scratch vectors of length D. */
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
  dGate: Float64Array;
}

export function createWorkspace(layout: DelimitedLayout, shape: ModelShape): Workspace {
  const { T, D } = layout;
  const width = gateWidth(shape.spec);
  const tokenMatrix = () => new Float64Array(T * D);
  return {
    layout,
    shape,
    streams: Array.from({ length: shape.spec.layers + 1 }, tokenMatrix),
    layers: shape.layers.map(() => ({
      q: tokenMatrix(),
      k: tokenMatrix(),
      v: tokenMatrix(),
      S: new Float64Array((T + 1) * D * D),
      pre: new Float64Array(T * width),
      gate: new Float64Array(T * width),
    })),
    dStream: tokenMatrix(),
    dNext: tokenMatrix(),
    A: new Float64Array(D * D),
    dq: new Float64Array(D),
    dk: new Float64Array(D),
    dv: new Float64Array(D),
    dGate: new Float64Array(Math.max(width, 1)),
  };
}
