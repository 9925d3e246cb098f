/** Invocations per workgroup of the tree sum, so one pass divides the length by this. */
export const TREE_WIDTH = 256;

/**
 * Naive sequential float32 sum, one invocation: s ← s + v_i for i = 0..n−1.
 * Its error grows with n (each addition rounds at the size of the running
 * sum); it exists to show that failure on the device.
 */
export const SEQUENTIAL_SUM_WGSL = /* wgsl */ `
struct Length {
  value: u32,
}

@group(0) @binding(0) var<uniform> params: Length;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> sum: array<f32>;

@compute @workgroup_size(1)
fn main() {
  var total = 0.0;
  for (var i = 0u; i < params.value; i++) {
    total += values[i];
  }
  sum[0] = total;
}
`;

/**
 * One pass of a pairwise (tree) float32 sum: workgroup g adds values
 * g·W .. g·W + W − 1 (zeros past the end) by halving strides in workgroup
 * memory and writes partial g. Repeating the pass on the partials until one
 * remains is a balanced binary tree, whose error grows like log₂ n.
 */
export const TREE_SUM_WGSL = /* wgsl */ `
const TREE_WIDTH: u32 = ${TREE_WIDTH}u;

struct Length {
  value: u32,
}

@group(0) @binding(0) var<uniform> params: Length;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

var<workgroup> tree: array<f32, TREE_WIDTH>;

@compute @workgroup_size(TREE_WIDTH)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let workgroup = group.x + group.y * groups.x;
  let index = workgroup * TREE_WIDTH + lane;
  var value = 0.0;
  if (index < params.value) {
    value = values[index];
  }
  tree[lane] = value;
  workgroupBarrier();
  for (var stride = TREE_WIDTH / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      tree[lane] = tree[lane] + tree[lane + stride];
    }
    workgroupBarrier();
  }
  // A 2-D grid can hold more workgroups than partials; only the first write.
  let needed = max(1u, (params.value + TREE_WIDTH - 1u) / TREE_WIDTH);
  if (lane == 0u && workgroup < needed) {
    partials[workgroup] = tree[0];
  }
}
`;
