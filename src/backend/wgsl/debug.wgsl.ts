import { GRID_WGSL } from './grid.wgsl.ts';
import { NORMAL_WGSL } from './normal.wgsl.ts';

/**
 * Raw Philox words, one invocation per (counter, key) pair, so known-answer
 * vectors can be checked on the device. Input entry i stores counter words
 * 0..3 and key words 0..1 at 8·i .. 8·i + 5.
 */
export const PHILOX_WORDS_WGSL = /* wgsl */ `
${NORMAL_WGSL}
${GRID_WGSL}

struct Count {
  value: u32,
}

@group(0) @binding(0) var<uniform> params: Count;
@group(0) @binding(1) var<storage, read> inputs: array<u32>;
@group(0) @binding(2) var<storage, read_write> words: array<vec4<u32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = invocation_index(gid, groups);
  if (i >= params.value) {
    return;
  }
  let base = 8u * i;
  let counter = vec4<u32>(inputs[base], inputs[base + 1u], inputs[base + 2u], inputs[base + 3u]);
  let key = vec2<u32>(inputs[base + 4u], inputs[base + 5u]);
  words[i] = philox4x32_10(counter, key);
}
`;

/**
 * Normals t = 0..count − 1 of one stream of one prompt, one invocation per
 * Philox block. With square = 1 it writes z² instead, a sample of χ²₁ losses
 * for the float32 summation checks.
 */
export const NORMALS_WGSL = /* wgsl */ `
${NORMAL_WGSL}
${GRID_WGSL}

struct NormalsParams {
  key: vec2<u32>,
  prompt: u32,
  stream: u32,
  count: u32,
  square: u32,
  padding0: u32,
  padding1: u32,
}

@group(0) @binding(0) var<uniform> params: NormalsParams;
@group(0) @binding(1) var<storage, read_write> normals: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let block = invocation_index(gid, groups);
  let first = 4u * block;
  if (block >= (params.count + 3u) / 4u) {
    return;
  }
  var values = normal_block(params.key, params.prompt, params.stream, block);
  if (params.square == 1u) {
    values = values * values;
  }
  for (var lane = 0u; lane < 4u; lane++) {
    if (first + lane < params.count) {
      normals[first + lane] = values[lane];
    }
  }
}
`;

/**
 * Box–Muller normals of given Philox words, one invocation per block of four
 * words, so the uniform map's branches and the angle's quarter turns can be
 * checked at chosen words.
 */
export const BOX_MULLER_WGSL = /* wgsl */ `
${NORMAL_WGSL}
${GRID_WGSL}

struct Count {
  value: u32,
}

@group(0) @binding(0) var<uniform> params: Count;
@group(0) @binding(1) var<storage, read> words: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> normals: array<vec4<f32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = invocation_index(gid, groups);
  if (i >= params.value) {
    return;
  }
  normals[i] = box_muller(words[i]);
}
`;
