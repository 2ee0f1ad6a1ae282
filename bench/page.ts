// In-page side of the browser benchmark: the Node driver (bench/main.ts) calls these through
// puppeteer. Each prepared system stays alive in the page between calls, so repetitions of
// different systems can be interleaved.
import { requestGpu } from '../src/gpu/device';
import { traitsOf } from '../src/gpu/kernels/matmul-variants';
import { type Prepared, type SystemInfo, freshDevice } from './ours';
import { prepareSystem } from './systems';
import { type ShapeReport, variantTable } from './variants';
import { useTfBackend } from './tfjs';
import { type System, workloads } from './workloads';

let device: Promise<GPUDevice> | null = null;
const prepared = new Map<string, Prepared>();

function ourDevice(): Promise<GPUDevice> {
  device ??= requestGpu().then((p) => {
    if (!p.device) throw new Error(`no WebGPU device in the page: ${p.description}`);
    return p.device;
  });
  return device;
}

/** The adapter as our device probe and TF.js see it, and whether the page is cross-origin isolated (what jax-js's wasm device then runs on). */
export async function describe(): Promise<{ adapter: string; tfjs: string; userAgent: string; matmulKernel: string; page: string }> {
  const probe = await requestGpu();
  const matmulKernel = probe.device ? (traitsOf(probe.device).subgroups ? 'variants (subgroups available)' : 'variants') : 'none';
  probe.device?.destroy();
  const isolation = crossOriginIsolated ? 'cross-origin isolated (COOP same-origin, COEP require-corp; SharedArrayBuffer available)' : 'not cross-origin isolated (no SharedArrayBuffer)';
  const page = `${isolation}; navigator.hardwareConcurrency ${navigator.hardwareConcurrency}; jax-js wasm on ${(await import('./jax')).jaxWasmThreads()}`;
  return { adapter: probe.description, tfjs: await useTfBackend('webgpu'), userAgent: navigator.userAgent, matmulKernel, page };
}

/** Builds `system` for workload `name` (scaled as the driver says), runs its warm-up, and returns what it reports. */
export async function prepare(name: string, scale: number, system: System): Promise<SystemInfo> {
  const w = workloads(scale).find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload ${name}`);
  const key = `${name}/${system}`;
  prepared.get(key)?.dispose();
  const p: Prepared = await prepareSystem(w, system, ourDevice, freshDevice);
  prepared.set(key, p);
  return p.info ?? {};
}

/** One timed repetition (seconds). */
export async function rep(name: string, system: System): Promise<number> {
  const p = prepared.get(`${name}/${system}`);
  if (!p) throw new Error(`${name}/${system} was not prepared`);
  return p.rep();
}

/** What `system` reports on workload `name` after its repetitions (the losses it trained to). */
export function info(name: string, system: System): SystemInfo {
  return prepared.get(`${name}/${system}`)?.info ?? {};
}

export function release(name: string, system: System): void {
  prepared.get(`${name}/${system}`)?.dispose();
  prepared.delete(`${name}/${system}`);
}

/** Every matmul variant on matmul workload `name`'s shape, on the page's device, and the tuner's choice. */
export async function variants(name: string, scale: number): Promise<{ report: ShapeReport[] }> {
  return { report: (await variantTable(scale, await ourDevice(), name)).report };
}
