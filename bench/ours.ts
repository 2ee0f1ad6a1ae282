// This project's systems under benchmark: the WebGPU trainer, the float64 CPU trainer, and the
// matmul kernel alone. Runs in the browser page (bench/page.ts) and under Node with Dawn.
import { MLP } from '../src';
import { BufferManager } from '../src/gpu/buffers';
import { type Dispatch, Kernels } from '../src/gpu/kernels';
import { BATCH_BYTES, BATCH_STRIDE } from '../src/gpu/pipelines';
import { USAGE } from '../src/gpu/usage';
import type { Matrix } from '../src/types';
import { type MatmulWorkload, type TrainWorkload, operand, trainingData } from './workloads';

/** A prepared benchmark: `rep()` runs one timed repetition and returns its seconds. */
export interface Prepared {
  rep(): Promise<number>;
  dispose(): void;
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
  const kernels = new Kernels(device, buffers);
  const a = buffers.upload('A', operand(w.M * w.K, 'A'));
  const b = buffers.upload('B', operand(w.K * w.N, 'B'));
  const c = buffers.create('C', w.M * w.N * 4, USAGE.STORAGE | USAGE.COPY_SRC);
  const d: Dispatch = kernels.matmul({ a, b, c, M: w.M, N: w.N, K: w.K, batchDim: 0, label: 'bench matmul' });
  const entry = new ArrayBuffer(BATCH_STRIDE);
  new Uint32Array(entry, 0, 4).set([0, w.M, 1, 0]);
  const uniform = buffers.uniform('bench batch uniform', entry);
  const group = device.createBindGroup({ layout: kernels.cache.batchLayout, entries: [{ binding: 0, resource: { buffer: uniform, offset: 0, size: BATCH_BYTES } }] });
  const run = async (count: number) => {
    const enc = device.createCommandEncoder({ label: 'bench matmul' });
    const pass = enc.beginComputePass();
    for (let i = 0; i < count; i++) kernels.encode(pass, [d], group, 0);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(1);
  return {
    rep: async () => {
      const t0 = performance.now();
      await run(w.count);
      return (performance.now() - t0) / 1000;
    },
    dispose: () => {
      kernels.release([d]);
      buffers.dispose();
    },
  };
}
