// TensorFlow.js doing the same work: tf.sequential of dense layers, model.fit with the same batch
// size, shuffling, optimizer, learning rate and loss; tf.matMul for the kernels. Backends:
// webgpu, cpu, and wasm (its SIMD build, what TensorFlow.js users pick without a GPU).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type Prepared, repeatedLaunches } from './ours';
import { type MatmulWorkload, type TrainWorkload, operand, trainingData } from './workloads';

/** The TensorFlow.js version. */
export function tfjsVersion(): string {
  return tf.version.tfjs;
}

/** A TensorFlow.js backend the benchmark runs. */
export type TfBackend = 'webgpu' | 'cpu' | 'wasm';

/**
 * In a page, the wasm backend fetches its .wasm files: they are served from node_modules by the
 * Vite server whose root is the repository (Node reads them from the package itself).
 */
if (typeof window !== 'undefined') setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');

/** Switches TF.js to `backend`, disposing what the previous one held. */
export async function useTfBackend(backend: TfBackend): Promise<string> {
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

/** The workload's network as a compiled tf.sequential model. */
function tfModel(w: TrainWorkload, inputs: number): tf.Sequential {
  const model = tf.sequential();
  const sizes = w.sizes.slice(1);
  sizes.forEach((units, i) => {
    const activation = (i === sizes.length - 1 ? w.output ?? w.activation : w.activation) as 'relu';
    model.add(tf.layers.dense({ units, activation, kernelInitializer: 'glorotUniform', ...(i === 0 ? { inputShape: [inputs] } : {}) }));
  });
  const optimizer = w.optimizer === 'adam' ? tf.train.adam(w.learningRate) : tf.train.sgd(w.learningRate);
  model.compile({ optimizer, loss: w.loss === 'categoricalCrossEntropy' ? 'categoricalCrossentropy' : 'meanSquaredError' });
  return model;
}

export async function prepareTfTraining(w: TrainWorkload, backend: TfBackend): Promise<Prepared> {
  await useTfBackend(backend);
  const d = trainingData(w);
  // the time to the first step: a new model, trained on one batch
  const rows = Math.min(w.batchSize, w.samples);
  const t0 = performance.now();
  const probe = tfModel(w, d.inputs);
  const [px, py] = [tf.tensor2d(d.x.subarray(0, rows * d.inputs), [rows, d.inputs]), tf.tensor2d(d.y.subarray(0, rows * d.outputs), [rows, d.outputs])];
  await probe.fit(px, py, { batchSize: w.batchSize, epochs: 1, verbose: 0 });
  await settle(probe.layers[probe.layers.length - 1].getWeights()[0]);
  const firstStepSeconds = (performance.now() - t0) / 1000;
  probe.dispose();
  px.dispose();
  py.dispose();
  const x = tf.tensor2d(d.x, [w.samples, d.inputs]);
  const y = tf.tensor2d(d.y, [w.samples, d.outputs]);
  const model = tfModel(w, d.inputs);
  const options = { batchSize: w.batchSize, shuffle: true, verbose: 0 as const };
  const lastKernel = () => model.layers[model.layers.length - 1].getWeights()[0];
  const lastLoss = (h: tf.History) => Number(h.history.loss.at(-1) ?? NaN);
  const losses = [lastLoss(await model.fit(x, y, { ...options, epochs: 1 }))];
  await settle(lastKernel());
  return {
    // its wasm backend takes worker threads where the page is cross-origin isolated
    info: { firstStepSeconds, losses, ...(backend === 'wasm' ? { backend: `wasm, ${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'}` } : {}) },
    rep: async () => {
      const t0 = performance.now();
      const history = await model.fit(x, y, { ...options, epochs: w.epochs });
      await settle(lastKernel());
      const seconds = (performance.now() - t0) / 1000;
      losses.push(lastLoss(history));
      return seconds;
    },
    dispose: () => {
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

export async function prepareTfMatmul(w: MatmulWorkload, backend: TfBackend): Promise<Prepared> {
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
