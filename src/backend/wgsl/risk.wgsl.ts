import { PROMPT_WGSL } from './prompt.wgsl.ts';

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let local = invocation_index(gid, groups);
  if (local >= params.count) {
    return;
  }
  let prompt = params.first_prompt + local;
  var features = normal_reader(params.key, prompt, 0u, 0u);
  var queries = normal_reader(params.key, prompt, 1u, 0u);
  var tasks = normal_reader(params.key, prompt, 2u, 0u);
  var noise = normal_reader(params.key, prompt, 3u, 0u);

  var beta: array<f32, MAX_D>;
  var task: array<f32, MAX_D>;
  var x: array<f32, MAX_D>;
  var h: array<f32, MAX_D>;
  var compensation: array<f32, MAX_D>;
  for (var c = 0u; c < params.d; c++) {
    beta[c] = read_normal(&tasks);
  }

  var i = 0u;
  for (var k = 0u; k < params.blocks; k++) {
    read_block_task(&tasks, k, &beta, &task);
    for (var m = 0u; m < block_sizes[k]; m++) {
      read_features(&features, &x);
      let y = task_response(&x, &task) + params.sigma * read_normal(&noise);
      let weighted = omega[i] * y;
      for (var c = 0u; c < params.d; c++) {
        kahan_add(&h[c], &compensation[c], weighted * x[c]);
      }
      i++;
    }
  }

  read_features(&queries, &x);
  let y = task_response(&x, &beta) + params.sigma * read_normal(&noise);
  let residual = y - predict(&x, &h);
  losses[local] = residual * residual;
}
`;
