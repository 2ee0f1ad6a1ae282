// The trainers bench/wasm-matmul.ts times: this library's wasm and CPU backends through the fit
// loop (as MLP.fit drives them), and TensorFlow.js's wasm backend (its SIMD build, one thread:
// what a page without cross-origin isolation gets) through model.fit, on the same data.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolveConfig } from '../src/core/config';
import { initParams } from '../src/core/params';
import type { ModelConfig } from '../src/core/types';
import { CpuBackend } from '../src/cpu/backend';
import { createWasmBackend } from '../src/wasm/backend';
import { fitHost, fitOn } from '../test/wasm-twins';
import { type TrainWorkload, trainingData } from './workloads';

/** A trainer under test: trains `epochs` epochs of the workload's data (its first `samples` rows). */
export type Trainer = (epochs: number) => Promise<void>;

/** The workload's network as a model config (relu or sigmoid hidden layers, its output and loss). */
function configOf(w: TrainWorkload): ModelConfig {
  const units = w.sizes.slice(1);
  return {
    inputSize: w.sizes[0],
    layers: units.map((u, i) => ({ units: u, activation: i === units.length - 1 ? w.output ?? w.activation : w.activation })),
    loss: w.loss ?? 'mse',
    seed: 1,
  };
}

/** Rows [0, samples) of the workload's data, as the matrices `fit` takes. */
function rowsOf(w: TrainWorkload, samples: number) {
  const d = trainingData(w);
  return {
    x: { data: d.x.subarray(0, samples * d.inputs), shape: [samples, d.inputs] as [number, number] },
    y: { data: d.y.subarray(0, samples * d.outputs), shape: [samples, d.outputs] as [number, number] },
  };
}

/**
 * This library's `backend` ('wasm' or 'cpu') on workload `w`, over its first `samples` rows
 * (wasm on `threads` threads: 1 unless asked).
 *
 * @example
 * const train = await oursTrainer(mlp256, 'wasm', 4096);
 * await train(1); // one epoch
 */
export async function oursTrainer(w: TrainWorkload, backend: 'wasm' | 'cpu', samples: number, threads = 1): Promise<Trainer> {
  const net = resolveConfig(configOf(w));
  const params = initParams(net);
  const host = fitHost(backend === 'wasm' ? await createWasmBackend(net, params, { threads }) : new CpuBackend(net, params), net);
  const { x, y } = rowsOf(w, samples);
  return async (epochs) => void (await fitOn(host, x, y, { epochs, batchSize: w.batchSize, learningRate: w.learningRate, optimizer: w.optimizer ?? 'sgd' }));
}

/** Starts TensorFlow.js's wasm backend with one thread; returns what it runs on. */
export async function startTfWasm(): Promise<string> {
  // in a page its .wasm files are fetched: the Vite server whose root is the repository serves them from node_modules
  if (typeof window !== 'undefined') setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error("TensorFlow.js could not start its 'wasm' backend");
  await tf.ready();
  return `TensorFlow.js ${tf.version.tfjs} wasm (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, 1 thread)`;
}

/** TensorFlow.js (its current backend) on workload `w`: tf.sequential of dense layers, model.fit with the same batching, optimizer and loss. */
export function tfTrainer(w: TrainWorkload, samples: number): Trainer {
  const c = configOf(w);
  const model = tf.sequential();
  c.layers.forEach((l, i) => model.add(tf.layers.dense({ units: l.units, activation: l.activation as 'relu', kernelInitializer: 'glorotUniform', ...(i === 0 ? { inputShape: [c.inputSize] } : {}) })));
  model.compile({ optimizer: w.optimizer === 'adam' ? tf.train.adam(w.learningRate) : tf.train.sgd(w.learningRate), loss: c.loss === 'categoricalCrossEntropy' ? 'categoricalCrossentropy' : 'meanSquaredError' });
  const { x, y } = rowsOf(w, samples);
  const xt = tf.tensor2d(x.data, x.shape);
  const yt = tf.tensor2d(y.data, y.shape);
  return async (epochs) => void (await model.fit(xt, yt, { epochs, batchSize: w.batchSize, shuffle: true, verbose: 0 }));
}

/** Milliseconds of one tf.matMul of [M, K]·[K, N] on the current backend (its result read back). */
export async function tfMatmulMs(M: number, K: number, N: number, reps: number): Promise<number> {
  const a = tf.randomUniform([M, K], -1, 1);
  const b = tf.randomUniform([K, N], -1, 1);
  let best = Infinity;
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (r > 0) best = Math.min(best, performance.now() - t0);
  }
  a.dispose();
  b.dispose();
  return best;
}
