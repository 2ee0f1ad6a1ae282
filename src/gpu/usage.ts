/**
 * WebGPU flag values (fixed by the specification), so that modules can be imported where the
 * `GPUBufferUsage` globals do not exist (Node, browsers without WebGPU) and the CPU path still runs.
 */
export const USAGE = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;
/** `GPUShaderStage.COMPUTE`. */
export const SHADER_STAGE_COMPUTE = 0x4;
/** `GPUMapMode.READ`. */
export const MAP_MODE_READ = 0x1;
