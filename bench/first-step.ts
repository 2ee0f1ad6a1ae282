// Time to the first step (npm run bench -- --first-step), in the browser page: for one training
// workload, ours on WebGPU (or 'auto', created without a hint, or wasm) from `MLP.create` to the end
// of its first one-batch `fit`, on a new device (nothing compiled before), with its parts. A module of its own: the benchmark's page
// module (bench/page.ts) loads TensorFlow.js, which this measurement does not need.
import { type FirstStep, firstStep, freshDevice } from './ours';
import { type TrainWorkload, workloads } from './workloads';
import type { FirstStepBackend } from './first-step-backends';

/** One repetition of workload `name`'s time to the first step, ours on `backend` (WebGPU unless told). */
export async function firstStepOf(name: string, backend: FirstStepBackend = 'webgpu'): Promise<FirstStep> {
  const w = workloads().find((x): x is TrainWorkload => x.kind === 'train' && x.name === name);
  if (!w) throw new Error(`unknown training workload ${name}`);
  return firstStep(w, backend, backend === 'wasm' ? null : freshDevice, backend !== 'auto');
}
