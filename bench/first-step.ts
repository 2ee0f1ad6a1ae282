// Time to the first step (npm run bench -- --first-step): for each training workload, ours on
// WebGPU from `MLP.create` to the end of its first one-batch `fit`, each repetition on a new
// device (nothing compiled before), with its parts: create, the same fit again (the step with
// nothing to compile), pipelines compiled. Runs in the browser page.
import { requestGpu } from '../src/gpu/device';
import { type FirstStep, firstStep } from './ours';
import { type TrainWorkload, workloads } from './workloads';

/** A WebGPU device of its own. */
async function freshDevice(): Promise<GPUDevice> {
  const p = await requestGpu();
  if (!p.device) throw new Error(`no WebGPU device in the page: ${p.description}`);
  return p.device;
}

/** One repetition of workload `name`'s time to the first step, ours on WebGPU. */
export async function firstStepOf(name: string): Promise<FirstStep> {
  const w = workloads().find((x): x is TrainWorkload => x.kind === 'train' && x.name === name);
  if (!w) throw new Error(`unknown training workload ${name}`);
  return firstStep(w, 'webgpu', freshDevice);
}
