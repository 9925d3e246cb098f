/**
 * Invocation numbering over a 2-D dispatch. A batch larger than
 * maxComputeWorkgroupsPerDimension workgroups is dispatched as a grid of
 * (x, y) workgroups, and invocation number gid.x + gid.y·(x·WORKGROUP_SIZE)
 * walks the batch in order. The grid may hold more workgroups than needed,
 * so kernels return early past the end of the batch.
 */
export const WORKGROUP_SIZE = 64;

export const GRID_WGSL = /* wgsl */ `
const WORKGROUP_SIZE: u32 = ${WORKGROUP_SIZE}u;

fn invocation_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}
`;
