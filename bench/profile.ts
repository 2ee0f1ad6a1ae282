// Where a training step's time goes on this adapter (npm run bench -- --profile): the fixed cost
// of a submit + readback and of an empty submit, and each launch of a workload's training step as
// MLP.profile reports it (GPU timestamps where the adapter has timestamp-query).
import { MLP } from '../src';
import { requestGpu } from '../src/gpu/device';
import { kernelTimings } from '../src/core/profile';
import { MAP_MODE_READ, USAGE } from '../src/gpu/usage';
import { type TrainWorkload, trainingData, workloads } from './workloads';

export interface ProfileRow {
  label: string;
  workgroups: string;
  /** Milliseconds per launch (median of the repetitions). */
  ms: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function timeIt(fn: () => Promise<void>, reps: number): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

export async function profile(name: string, scale: number, steps = 20): Promise<{ floor: ProfileRow[]; step: ProfileRow[]; source: string }> {
  const w = workloads(scale).find((x) => x.name === name) as TrainWorkload | undefined;
  if (!w || w.kind !== 'train') throw new Error(`${name} is not a training workload`);
  const probe = await requestGpu();
  const device = probe.device;
  if (!device) throw new Error(probe.description);
  const d = trainingData(w);
  const model = await MLP.create(
    { inputSize: d.inputs, layers: w.sizes.slice(1).map((units) => ({ units, activation: w.activation })), loss: 'mse', backend: 'webgpu' },
    { device },
  );
  const floor: ProfileRow[] = [];
  const step: ProfileRow[] = [];
  const x = { data: d.x, shape: [w.samples, d.inputs] as [number, number] };
  const y = { data: d.y, shape: [w.samples, d.outputs] as [number, number] };
  try {
    // the fixed costs: a submit with a tiny copy and its readback; an empty submit
    const src = device.createBuffer({ size: 16, usage: USAGE.STORAGE | USAGE.COPY_SRC });
    const staging = device.createBuffer({ size: 16, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    floor.push({
      label: 'submit + 16-byte readback (mapAsync)',
      workgroups: '',
      ms: await timeIt(async () => {
        const enc = device.createCommandEncoder();
        enc.copyBufferToBuffer(src, 0, staging, 0, 16);
        device.queue.submit([enc.finish()]);
        await staging.mapAsync(MAP_MODE_READ);
        staging.unmap();
      }, 30),
    });
    floor.push({
      label: 'empty submit + onSubmittedWorkDone (nothing to wait for)',
      workgroups: '',
      ms: await timeIt(async () => {
        device.queue.submit([device.createCommandEncoder().finish()]);
        await device.queue.onSubmittedWorkDone();
      }, 30),
    });
    src.destroy();
    staging.destroy();
    // every launch of one training step, timed by the library's profiler
    const p = await model.profile(x, y, { batchSize: w.batchSize, learningRate: w.learningRate, steps });
    for (const l of p.launches) step.push({ label: `${l.label} (${l.kernel})`, workgroups: l.workgroups.join('×'), ms: l.ms });
    step.push({ label: `whole step (${p.launches.length} launches)`, workgroups: '', ms: p.stepMs });
    for (const k of kernelTimings(p)) step.push({ label: `  of which ${k.kernel} (${k.launches} launch${k.launches > 1 ? 'es' : ''})`, workgroups: '', ms: k.ms });
    return { floor, step, source: `${p.source}, mean of ${p.steps} steps` };
  } finally {
    model.dispose();
    device.destroy();
  }
}
