// Time to the first step (npm run bench -- --first-step), in the browser page: for one training
// workload, ours on WebGPU from `MLP.create` to the end of its first one-batch `fit`, on a new
// device (nothing compiled before), with its parts. A module of its own: the benchmark's page
// module (bench/page.ts) loads TensorFlow.js, which this measurement does not need.
import { type FirstStep, firstStep, freshDevice } from './ours';
import { type TrainWorkload, workloads } from './workloads';

/** One repetition of workload `name`'s time to the first step, ours on WebGPU. */
export async function firstStepOf(name: string): Promise<FirstStep> {
  const w = workloads().find((x): x is TrainWorkload => x.kind === 'train' && x.name === name);
  if (!w) throw new Error(`unknown training workload ${name}`);
  return firstStep(w, 'webgpu', freshDevice);
}
