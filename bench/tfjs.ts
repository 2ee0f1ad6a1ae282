// TensorFlow.js doing the same work: tf.sequential of dense layers, model.fit with the same batch
// size, shuffling, SGD learning rate and mean-squared-error loss; tf.matMul for the kernels.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { type Prepared, repeatedLaunches } from './ours';
import { type MatmulWorkload, type TrainWorkload, operand, trainingData } from './workloads';

/** The TensorFlow.js version. */
export function tfjsVersion(): string {
  return tf.version.tfjs;
}

/** Switches TF.js to `backend` ('webgpu' or 'cpu'), disposing what the previous one held. */
export async function useTfBackend(backend: 'webgpu' | 'cpu'): Promise<string> {
  if (tf.getBackend() !== backend) {
    tf.disposeVariables();
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`TensorFlow.js could not start its '${backend}' backend`);
  }
  await tf.ready();
  return tf.version.tfjs;
}

/**
 * Waits until everything queued on the current backend has run: on 'webgpu', flushes TF.js's
 * pending command encoder and waits for the queue (no readback); elsewhere reads `t`.
 */
async function settle(t: tf.Tensor): Promise<void> {
  const backend = tf.backend() as unknown as { device?: GPUDevice; commandEncoder?: GPUCommandEncoder | null; endComputePassEncoder?: () => void; submitQueue?: () => void };
  if (backend.device && backend.submitQueue && backend.endComputePassEncoder && backend.commandEncoder !== undefined) {
    if (backend.commandEncoder) {
      backend.endComputePassEncoder();
      backend.submitQueue();
    }
    await backend.device.queue.onSubmittedWorkDone();
  } else {
    await t.data();
  }
}

export async function prepareTfTraining(w: TrainWorkload, backend: 'webgpu' | 'cpu'): Promise<Prepared> {
  await useTfBackend(backend);
  const d = trainingData(w);
  const x = tf.tensor2d(d.x, [w.samples, d.inputs]);
  const y = tf.tensor2d(d.y, [w.samples, d.outputs]);
  const model = tf.sequential();
  w.sizes.slice(1).forEach((units, i) => {
    model.add(tf.layers.dense({ units, activation: w.activation, kernelInitializer: 'glorotUniform', ...(i === 0 ? { inputShape: [d.inputs] } : {}) }));
  });
  model.compile({ optimizer: tf.train.sgd(w.learningRate), loss: 'meanSquaredError' });
  const options = { batchSize: w.batchSize, shuffle: true, verbose: 0 as const };
  const lastKernel = () => model.layers[model.layers.length - 1].getWeights()[0];
  await model.fit(x, y, { ...options, epochs: 1 });
  await settle(lastKernel());
  return {
    rep: async () => {
      const t0 = performance.now();
      await model.fit(x, y, { ...options, epochs: w.epochs });
      await settle(lastKernel());
      return (performance.now() - t0) / 1000;
    },
    dispose: () => {
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

export async function prepareTfMatmul(w: MatmulWorkload, backend: 'webgpu' | 'cpu'): Promise<Prepared> {
  await useTfBackend(backend);
  const a = tf.tensor2d(operand(w.M * w.K, 'A'), [w.M, w.K]);
  const b = tf.tensor2d(operand(w.K * w.N, 'B'), [w.K, w.N]);
  const run = async (count: number) => {
    let last: tf.Tensor | null = null;
    for (let i = 0; i < count; i++) {
      const c = tf.matMul(a, b);
      last?.dispose();
      last = c;
    }
    await settle(last!);
    last!.dispose();
  };
  return repeatedLaunches(run, w.count, () => {
    a.dispose();
    b.dispose();
  });
}
