// This project's systems under benchmark: the WebGPU trainer, the float64 CPU trainer, and the
// matmul kernel alone. Runs in the browser page (bench/page.ts) and under Node with Dawn.
import { MLP } from '../src';
import { BatchUniforms, passBatches } from '../src/gpu/batch-uniform';
import { BufferManager } from '../src/gpu/buffers';
import { type Dispatch, Launches } from '../src/gpu/launches';
import { USAGE } from '../src/gpu/usage';
import type { Matrix } from '../src/types';
import { type MatmulWorkload, type TrainWorkload, operand, trainingData } from './workloads';

/** A prepared benchmark: `rep()` runs one timed repetition and returns its seconds. */
export interface Prepared {
  rep(): Promise<number>;
  dispose(): void;
}

/** A kernel benchmark from `run(count)` (`count` launches, then wait): one warm-up launch, then `count` per repetition. */
export async function repeatedLaunches(run: (count: number) => Promise<void>, count: number, dispose: () => void): Promise<Prepared> {
  await run(1);
  return {
    rep: async () => {
      const t0 = performance.now();
      await run(count);
      return (performance.now() - t0) / 1000;
    },
    dispose,
  };
}

/** Builds the model and data, runs the warm-up epoch, and returns the timed repetition. */
export async function prepareTraining(w: TrainWorkload, backend: 'webgpu' | 'cpu', device: GPUDevice | null): Promise<Prepared> {
  const d = trainingData(w);
  const x: Matrix = { data: d.x, shape: [w.samples, d.inputs] };
  const y: Matrix = { data: d.y, shape: [w.samples, d.outputs] };
  const model = await MLP.create(
    {
      inputSize: d.inputs,
      layers: w.sizes.slice(1).map((units) => ({ units, activation: w.activation })),
      loss: 'mse',
      initializer: 'xavier',
      seed: 3,
      backend,
    },
    device ? { device } : {},
  );
  const options = { batchSize: w.batchSize, learningRate: w.learningRate, optimizer: 'sgd' as const, shuffle: true };
  await model.fit(x, y, { ...options, epochs: 1 });
  return {
    rep: async () => {
      const t0 = performance.now();
      await model.fit(x, y, { ...options, epochs: w.epochs });
      return (performance.now() - t0) / 1000;
    },
    dispose: () => model.dispose(),
  };
}

/** The matmul kernel alone: `count` launches in one pass, then waits for the queue. */
export async function prepareMatmul(w: MatmulWorkload, device: GPUDevice): Promise<Prepared> {
  const buffers = new BufferManager(device);
  const launches = new Launches(device, buffers);
  const a = buffers.upload('A', operand(w.M * w.K, 'A'));
  const b = buffers.upload('B', operand(w.K * w.N, 'B'));
  const c = buffers.create('C', w.M * w.N * 4, USAGE.STORAGE | USAGE.COPY_SRC);
  const d: Dispatch = launches.matmul({ a, b, c, M: w.M, N: w.N, K: w.K, label: 'bench matmul' });
  const uniforms = new BatchUniforms(device, buffers, launches.cache, 1, 'bench');
  uniforms.write(passBatches(w.M, w.M));
  const run = async (count: number) => {
    const enc = device.createCommandEncoder({ label: 'bench matmul' });
    const pass = enc.beginComputePass();
    for (let i = 0; i < count; i++) launches.encode(pass, [d], uniforms, 0);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  return repeatedLaunches(run, w.count, () => {
    launches.release([d]);
    buffers.dispose();
  });
}
