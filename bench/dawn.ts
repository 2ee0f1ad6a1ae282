// WebGPU under Node for the benchmarks: Dawn (the npm package `webgpu`), its globals installed,
// and a device from it. Shared by `npm run bench:node` (bench/main.ts) and `npm run bench:stream`.
import { type GpuProbe, requestGpu } from '../src/gpu/device';

/** Dawn's GPU object: it must stay reachable while its devices are used (its collection stalls them). */
let gpu: GPU | null = null;

/**
 * Dawn's GPU object (created once per process, its WebGPU globals installed) and a probe for a
 * device from it; `probe.device` is null, with the reason in `probe.description`, where Dawn finds
 * no usable adapter (on Linux without a GPU, point VK_ICD_FILENAMES at SwiftShader).
 *
 * @example
 * const { gpu, probe } = await dawn();
 */
export async function dawn(): Promise<{ gpu: GPU; probe: GpuProbe }> {
  if (!gpu) {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    gpu = create([]);
  }
  return { gpu, probe: await requestGpu({ gpu }) };
}
