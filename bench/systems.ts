// Which code runs each system of the benchmark, shared by the page (bench/page.ts) and the Node
// runner (bench/main.ts).
import { type Prepared, prepareMatmul, prepareTraining } from './ours';
import type { System, Workload } from './workloads';

/**
 * Prepares `system` for workload `w`: `device()` is the shared WebGPU device our systems train
 * on, `newDevice()` a fresh one (for the time to the first step, with nothing compiled before).
 */
export async function prepareSystem(w: Workload, system: System, device: () => Promise<GPUDevice>, newDevice: () => Promise<GPUDevice>): Promise<Prepared> {
  const tf = system.startsWith('tfjs-') ? await import('./tfjs') : null;
  const tfBackend = system.slice('tfjs-'.length) as 'webgpu' | 'cpu' | 'wasm';
  if (system.startsWith('jax-')) {
    if (w.kind !== 'train') throw new Error(`${system} runs training workloads only`);
    return (await import('./jax')).prepareJaxTraining(w, system === 'jax-webgpu' ? 'webgpu' : 'wasm');
  }
  if (w.kind === 'train') {
    if (tf) return tf.prepareTfTraining(w, tfBackend);
    if (system === 'ours-cpu') return prepareTraining(w, 'cpu', null);
    if (system === 'ours-wasm') return prepareTraining(w, 'wasm', null);
    return prepareTraining(w, system === 'ours-auto' ? 'auto' : 'webgpu', await device(), newDevice);
  }
  if (tf) return tf.prepareTfMatmul(w, tfBackend);
  if (system === 'ours-webgpu') return prepareMatmul(w, await device());
  throw new Error(`${system} has no matmul kernel to time`);
}
