// In-page side of the browser benchmark: the Node driver (bench/main.ts) calls these through
// puppeteer. Each prepared system stays alive in the page between calls, so repetitions of
// different systems can be interleaved.
import { requestGpu } from '../src/gpu/device';
import { matmulStyleFor } from '../src/gpu/launches';
import { type Prepared, prepareMatmul, prepareTraining } from './ours';
import { prepareTfMatmul, prepareTfTraining, useTfBackend } from './tfjs';
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

/** The adapter as our device probe and TF.js see it. */
export async function describe(): Promise<{ adapter: string; tfjs: string; userAgent: string; matmulKernel: string }> {
  const probe = await requestGpu();
  const matmulKernel = probe.device ? matmulStyleFor(probe.device) : 'none';
  probe.device?.destroy();
  return { adapter: probe.description, tfjs: await useTfBackend('webgpu'), userAgent: navigator.userAgent, matmulKernel };
}

/** Builds `system` for workload `name` (scaled as the driver says) and runs its warm-up. */
export async function prepare(name: string, scale: number, system: System): Promise<void> {
  const w = workloads(scale).find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload ${name}`);
  const key = `${name}/${system}`;
  prepared.get(key)?.dispose();
  let p: Prepared;
  if (w.kind === 'train') {
    if (system === 'ours-webgpu') p = await prepareTraining(w, 'webgpu', await ourDevice());
    else if (system === 'ours-cpu') p = await prepareTraining(w, 'cpu', null);
    else p = await prepareTfTraining(w, system === 'tfjs-webgpu' ? 'webgpu' : 'cpu');
  } else {
    if (system === 'ours-webgpu') p = await prepareMatmul(w, await ourDevice());
    else if (system === 'tfjs-webgpu' || system === 'tfjs-cpu') p = await prepareTfMatmul(w, system === 'tfjs-webgpu' ? 'webgpu' : 'cpu');
    else throw new Error(`${system} has no matmul kernel to time`);
  }
  prepared.set(key, p);
}

/** One timed repetition (seconds). */
export async function rep(name: string, system: System): Promise<number> {
  const p = prepared.get(`${name}/${system}`);
  if (!p) throw new Error(`${name}/${system} was not prepared`);
  return p.rep();
}

export function release(name: string, system: System): void {
  prepared.get(`${name}/${system}`)?.dispose();
  prepared.delete(`${name}/${system}`);
}
