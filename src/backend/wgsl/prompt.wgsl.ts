import { GRID_WGSL } from './grid.wgsl.ts';
import { NORMAL_WGSL } from './normal.wgsl.ts';

/** The largest feature dimension d the kernels accept: x_i and the task vectors live in private arrays of this length. */
export const MAX_FEATURES = 64;

/**
 * Sampling of block-model prompts in float32, shared by the risk and scan
 * kernels. Bindings 0..4 hold the batch and the model:
 * 0 PromptParams; 1 √λ_c (d); 2 block sizes m_k (K); 3 (ρ_k, √(1 − ρ_k²)) (K);
 * 4 P (d×d row-major). Streams follow the layout: 0 example features
 * (t = i·d + c), 1 query features, 2 the query task β then each block's
 * innovation ε_k, 3 the noise ξ_i and then the query's ξ.
 */
export const PROMPT_WGSL = /* wgsl */ `
${NORMAL_WGSL}
${GRID_WGSL}

const MAX_D: u32 = ${MAX_FEATURES}u;

struct PromptParams {
  key: vec2<u32>,
  first_prompt: u32,
  count: u32,
  n: u32,
  d: u32,
  blocks: u32,
  sigma: f32,
  vector_gates: u32,
  // Always 1.0; see kahan_add.
  opaque_one: f32,
  padding1: u32,
  padding2: u32,
}

@group(0) @binding(0) var<uniform> params: PromptParams;
@group(0) @binding(1) var<storage, read> sqrt_lambda: array<f32>;
@group(0) @binding(2) var<storage, read> block_sizes: array<u32>;
@group(0) @binding(3) var<storage, read> block_mix: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read> P: array<f32>;

// x_c = √λ_c z_c for the next d normals of a features stream.
fn read_features(reader: ptr<function, NormalReader>, x: ptr<function, array<f32, MAX_D>>) {
  for (var c = 0u; c < params.d; c++) {
    (*x)[c] = sqrt_lambda[c] * read_normal(reader);
  }
}

// β^(k) = ρ_k β + √(1 − ρ_k²) ε_k, reading ε_k from the task stream.
fn read_block_task(tasks: ptr<function, NormalReader>, k: u32, beta: ptr<function, array<f32, MAX_D>>,
                   task: ptr<function, array<f32, MAX_D>>) {
  let mix = block_mix[k];
  for (var c = 0u; c < params.d; c++) {
    (*task)[c] = mix.x * (*beta)[c] + mix.y * read_normal(tasks);
  }
}

// xᵀβ for a task vector β.
fn task_response(x: ptr<function, array<f32, MAX_D>>, task: ptr<function, array<f32, MAX_D>>) -> f32 {
  var response = 0.0;
  for (var c = 0u; c < params.d; c++) {
    response += (*x)[c] * (*task)[c];
  }
  return response;
}

// ŷ = xᵀ P h.
fn predict(x: ptr<function, array<f32, MAX_D>>, h: ptr<function, array<f32, MAX_D>>) -> f32 {
  let d = params.d;
  var prediction = 0.0;
  for (var c = 0u; c < d; c++) {
    var row = 0.0;
    for (var e = 0u; e < d; e++) {
      row += P[c * d + e] * (*h)[e];
    }
    prediction += (*x)[c] * row;
  }
  return prediction;
}

// Kahan step: sum + term with the running compensation of the lost low-order bits.
// Compilers may simplify (s + c) − s to c in float32, and lavapipe's does,
// which turns this into a plain sum. Multiplying s by opaque_one, a uniform
// that is 1.0 at run time but unknown at compile time, prevents that.
fn kahan_add(sum: ptr<function, f32>, compensation: ptr<function, f32>, term: f32) {
  let corrected = term - *compensation;
  let next = *sum + corrected;
  *compensation = (next - *sum * params.opaque_one) - corrected;
  *sum = next;
}
`;

/** The parts in which the per-prompt kernels differ; everything else is the shared sampling loop. */
export interface PromptKernelParts {
  /** Declarations of the kernel's own per-prompt state, e.g. h and its compensation. */
  readonly state: string;
  /** Runs once per example, after x (its features), y (its label) and i (its index) are set. */
  readonly example: string;
  /** Runs once at the query, after x and y hold the query's features and label. */
  readonly query: string;
}

/**
 * Returns the entry point of a per-prompt kernel: one invocation per prompt
 * samples β, every block's task, each example's x_i and y_i in prompt order,
 * then the query's x and y, and runs the kernel's own parts in between.
 */
export function promptKernel(parts: PromptKernelParts): string {
  return /* wgsl */ `
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
${parts.state}
  for (var c = 0u; c < params.d; c++) {
    beta[c] = read_normal(&tasks);
  }

  var i = 0u;
  for (var k = 0u; k < params.blocks; k++) {
    read_block_task(&tasks, k, &beta, &task);
    for (var m = 0u; m < block_sizes[k]; m++) {
      read_features(&features, &x);
      let y = task_response(&x, &task) + params.sigma * read_normal(&noise);
${parts.example}
      i++;
    }
  }

  read_features(&queries, &x);
  let y = task_response(&x, &beta) + params.sigma * read_normal(&noise);
${parts.query}
}
`;
}
