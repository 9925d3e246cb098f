import { PROMPT_WGSL, promptKernel } from './prompt.wgsl.ts';

/**
 * One GLA layer under construction C against the WPGD formula, one
 * invocation per prompt. Bindings after the prompt model:
 * - 5 gates: n + 1 scalar or (n + 1)·d key-vector values, the query's last;
 * - 6 WPGD weights ω: n or n·d, computed on the host, with weights outside
 *   float32's normal range sent as 0;
 * - 7 outputs: (ŷ_GLA, ŷ_WPGD, y) per prompt.
 *
 * With k_i = (x_i, 0) and v_i = (0, y_i), only the label row s of the state S
 * is nonzero, so S_i = G_i ⊙ S_{i−1} + v_i k_iᵀ becomes s_c ← g_{i,c} s_c + y_i x_{i,c},
 * and the query (label 0) only applies its gate; ŷ_GLA = xᵀ P s.
 */
export const SCAN_WGSL = /* wgsl */ `
${PROMPT_WGSL}

@group(0) @binding(5) var<storage, read> gates: array<f32>;
@group(0) @binding(6) var<storage, read> weights: array<f32>;
@group(0) @binding(7) var<storage, read_write> outputs: array<f32>;

// Gate of token t (0-based, the query is t = n) on key coordinate c.
fn gate(t: u32, c: u32) -> f32 {
  if (params.vector_gates == 1u) {
    return gates[t * params.d + c];
  }
  return gates[t];
}

// WPGD weight ω_{i,c} of example i on coordinate c.
fn weight(i: u32, c: u32) -> f32 {
  if (params.vector_gates == 1u) {
    return weights[i * params.d + c];
  }
  return weights[i];
}

${promptKernel({
  state: /* wgsl */ `
  var s: array<f32, MAX_D>;
  var h: array<f32, MAX_D>;
  var compensation: array<f32, MAX_D>;`,
  example: /* wgsl */ `
      for (var c = 0u; c < params.d; c++) {
        s[c] = gate(i, c) * s[c] + y * x[c];
        kahan_add(&h[c], &compensation[c], weight(i, c) * y * x[c]);
      }`,
  // The query's label is 0 under construction C, so it only applies its gate.
  query: /* wgsl */ `
  for (var c = 0u; c < params.d; c++) {
    s[c] = gate(params.n, c) * s[c];
  }
  let base = 3u * local;
  outputs[base] = predict(&x, &s);
  outputs[base + 1u] = predict(&x, &h);
  outputs[base + 2u] = y;`,
})}
`;
