// Where a training step's time goes on this adapter (npm run bench -- --profile): the fixed cost
// of a submit + readback, the cost of one more (empty) dispatch, and each launch of a workload's
// training step timed alone over many repetitions.
import { MLP } from '../src';
import { requestGpu } from '../src/gpu/device';
import type { Dispatch, Kernels } from '../src/gpu/kernels';
import { BATCH_STRIDE } from '../src/gpu/pipelines';
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

/** The private parts of the GPU trainer this profile reads (the step's launches and its uniform). */
interface TrainerInternals {
  kernels: Kernels;
  train: { step: Dispatch[]; update: Dispatch[]; batchGroup: GPUBindGroup } | null;
}

export async function profile(name: string, scale: number, launches = 20): Promise<{ floor: ProfileRow[]; step: ProfileRow[] }> {
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
  try {
    await model.fit({ data: d.x, shape: [w.samples, d.inputs] }, { data: d.y, shape: [w.samples, d.outputs] }, { epochs: 1, batchSize: w.batchSize, learningRate: w.learningRate });
    // fit releases its program at the end; set it up again and keep it to time its launches
    const impl = (model as unknown as { impl: TrainerInternals & { setTrainingData: (x: unknown, y: unknown, b: number) => Promise<void>; updateDispatches: (o: unknown) => Dispatch[] } }).impl;
    await impl.setTrainingData({ data: d.x, rows: w.samples, cols: d.inputs }, { data: d.y, rows: w.samples, cols: d.outputs }, w.batchSize);
    const t = impl.train!;
    const t0Step = () => ({ kernels: impl.kernels, d: t.step[0], group: t.batchGroup });
    // the fixed costs: a submit with a tiny copy and its readback; one empty launch more
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

    // the same readback after one small launch (the first launch of the step)
    const first = t0Step();
    floor.push({
      label: 'one small launch + 16-byte readback (mapAsync)',
      workgroups: '',
      ms: await timeIt(async () => {
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        first.kernels.encode(pass, [first.d], first.group, 0);
        pass.end();
        enc.copyBufferToBuffer(src, 0, staging, 0, 16);
        device.queue.submit([enc.finish()]);
        await staging.mapAsync(MAP_MODE_READ);
        staging.unmap();
      }, 30),
    });

    // every launch of one training step, alone, `launches` times in one pass
    const update = impl.updateDispatches({ type: 'sgd' });
    const entry = new ArrayBuffer(BATCH_STRIDE);
    new Uint32Array(entry, 0, 4).set([0, w.batchSize, 1, 0]);
    new Float32Array(entry, 16, 1)[0] = 0;
    device.queue.writeBuffer((t as unknown as { batchUniform: GPUBuffer }).batchUniform, 0, entry);
    const run = async (ds: Dispatch[], times: number) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (let i = 0; i < times; i++) impl.kernels.encode(pass, ds, t.batchGroup, 0);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    const all = [...t.step, ...update];
    const whole = await timeIt(() => run(all, launches), 3);
    const one = await timeIt(() => run(all, 1), 5);
    for (const ds of all) {
      step.push({ label: ds.label, workgroups: ds.workgroups.join('×'), ms: (await timeIt(() => run([ds], launches), 3)) / launches });
    }
    step.push({ label: `whole step (${all.length} launches), ${launches} steps in one pass`, workgroups: '', ms: whole / launches });
    step.push({ label: 'whole step, one step per submit', workgroups: '', ms: one });
    src.destroy();
    staging.destroy();
    impl.kernels.release(update);
  } finally {
    model.dispose();
    device.destroy();
  }
  return { floor, step };
}
