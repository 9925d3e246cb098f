import { PROMPT_WGSL, promptKernel } from './prompt.wgsl.ts';

/**
 * Per-prompt squared loss (y − ŷ)² of WPGD, ŷ = xᵀ P h with
 * h = Σ_i ω_i x_i y_i, one invocation per prompt. Bindings after the prompt
 * model: 5 ω (n), 6 losses (one per prompt). h is accumulated with Kahan
 * compensation, so its float32 error does not grow with n.
 */
export const RISK_WGSL = /* wgsl */ `
${PROMPT_WGSL}

@group(0) @binding(5) var<storage, read> omega: array<f32>;
@group(0) @binding(6) var<storage, read_write> losses: array<f32>;

${promptKernel({
  state: /* wgsl */ `
  var h: array<f32, MAX_D>;
  var compensation: array<f32, MAX_D>;`,
  example: /* wgsl */ `
      let weighted = omega[i] * y;
      for (var c = 0u; c < params.d; c++) {
        kahan_add(&h[c], &compensation[c], weighted * x[c]);
      }`,
  query: /* wgsl */ `
  let residual = y - predict(&x, &h);
  losses[local] = residual * residual;`,
})}
`;
