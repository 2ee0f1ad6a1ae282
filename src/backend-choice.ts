import type { ResolvedConfig } from './config';
import { type GpuProbe, describeInfo, requestGpu } from './gpu/device';
import { parameterCount } from './params';

/** Networks with fewer parameters than this train on the CPU under `backend: 'auto'`. */
export const AUTO_MIN_PARAMETERS = 20_000;

/** Where a new model trains: on the CPU, or on `device`; with the reason and the adapter found. */
export type BackendPick =
  | { device: null; reason: string; adapter: string | null }
  | { device: GPUDevice; reason: string; adapter: string };

/**
 * Decides between the CPU and WebGPU for `config.backend` (`'cpu'`, `'webgpu'` or `'auto'`),
 * probing `device` (or requesting one). Under `'auto'`, a software adapter or a network under
 * {@link AUTO_MIN_PARAMETERS} parameters goes to the CPU, and a device requested here is destroyed.
 *
 * @example
 * const pick = await pickBackend(resolveConfig({ ...config, backend: 'auto' }), undefined);
 * console.log(pick.device ? 'webgpu' : 'cpu', pick.reason);
 */
export async function pickBackend(config: ResolvedConfig, device: GPUDevice | undefined): Promise<BackendPick> {
  const choice = config.backend;
  if (choice === 'cpu') return { device: null, reason: "backend 'cpu' was requested", adapter: null };
  const probe = await probeGpu(device);
  const count = parameterCount(config);
  if (!probe.device) {
    if (choice === 'webgpu') throw new Error(`backend 'webgpu' was requested but no WebGPU device is available: ${probe.description}`);
    return { device: null, reason: `no WebGPU: ${probe.description}; training on the CPU`, adapter: null };
  }
  if (choice === 'auto' && (probe.software || count < AUTO_MIN_PARAMETERS)) {
    const why = probe.software
      ? `the WebGPU adapter is a software one (${probe.description}), slower than the CPU path`
      : `the network has ${count} parameters (< ${AUTO_MIN_PARAMETERS}), too small for the GPU to win`;
    if (!device) probe.device.destroy();
    return { device: null, reason: `auto chose the CPU: ${why}`, adapter: probe.description };
  }
  const reason = choice === 'webgpu' ? "backend 'webgpu' was requested" : `auto chose WebGPU: ${probe.description}, ${count} parameters`;
  return { device: probe.device, reason, adapter: probe.description };
}

/** The device passed in (described from its adapter info when it has one), or a newly requested one. */
async function probeGpu(device: GPUDevice | undefined): Promise<GpuProbe> {
  if (!device) return requestGpu();
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const { description, software } = info ? describeInfo(info) : { description: 'the device passed in', software: false };
  return { device, adapter: null, description, software };
}
