/** What was found when looking for a WebGPU adapter. */
export interface GpuProbe {
  device: GPUDevice | null;
  adapter: GPUAdapter | null;
  /** "vendor architecture description", or why there is none. */
  description: string;
  /** True for software adapters (SwiftShader, WARP, fallback adapters). */
  software: boolean;
}

/** Describes an adapter in one line, e.g. `"google swiftshader (software)"`. */
export function describeAdapter(adapter: GPUAdapter): { description: string; software: boolean } {
  return describeInfo(adapter.info);
}

/** The same from adapter info (also `device.adapterInfo`, where the browser has it). */
export function describeInfo(info: GPUAdapterInfo | undefined): { description: string; software: boolean } {
  const i = info ?? ({} as GPUAdapterInfo);
  const parts = [i.vendor, i.architecture, i.device, i.description].filter((s) => s && String(s).trim() !== '');
  const software =
    (i as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader|llvmpipe|warp|software|lavapipe/i.test(parts.join(' '));
  return { description: (parts.join(' ') || 'unknown adapter') + (software ? ' (software)' : ''), software };
}

/**
 * Optional features the library uses where the adapter has them: `timestamp-query` (the
 * profiler and the autotuner time launches with it) and `subgroups` (the matmul variants of
 * matmul-subgroups.wgsl).
 */
const WANTED_FEATURES = ['timestamp-query', 'subgroups'] as GPUFeatureName[];

/**
 * Requests a WebGPU device with the adapter's full storage limits and, where the adapter has them,
 * `timestamp-query` (for {@link MLP.profile} and the autotuner) and `subgroups`. `gpu` defaults to `navigator.gpu`; pass another
 * GPU object (e.g. Dawn's in Node: `create([])` from the `webgpu` package) to use it instead.
 *
 * @example
 * const probe = await requestGpu();
 * if (!probe.device) console.log('no WebGPU:', probe.description);
 */
export async function requestGpu(options: { gpu?: GPU } = {}): Promise<GpuProbe> {
  const gpu = options.gpu ?? (globalThis as { navigator?: Navigator }).navigator?.gpu;
  if (!gpu) return { device: null, adapter: null, description: 'navigator.gpu is missing (this browser or context has no WebGPU)', software: false };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { device: null, adapter: null, description: `requestAdapter failed: ${(e as Error).message}`, software: false };
  }
  if (!adapter) return { device: null, adapter: null, description: 'navigator.gpu.requestAdapter() returned no adapter', software: false };
  const { description, software } = describeAdapter(adapter);
  const l = adapter.limits;
  try {
    const device = await adapter.requestDevice({
      requiredFeatures: WANTED_FEATURES.filter((f) => adapter!.features.has(f)),
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 10),
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      },
    });
    return { device, adapter, description, software };
  } catch (e) {
    return { device: null, adapter, description: `${description}: requestDevice failed: ${(e as Error).message}`, software };
  }
}
