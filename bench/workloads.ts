// The benchmark's workloads, as plain data shared by the browser page and the Node driver, and
// their seeded synthetic data (MNIST-shaped random inputs: speed does not depend on the values).
import { Rng } from '../src/core/random';
import type { Activation } from '../src/core/types';
import type { MatmulShape } from '../src/gpu/kernels/matmul-variants';

/** A training workload: every system trains this network on this data with these settings. */
export interface TrainWorkload {
  kind: 'train';
  name: string;
  title: string;
  /** Layer widths, input first (784-256-256-10 → [784, 256, 256, 10]). */
  sizes: number[];
  /** Hidden activation (and the output's, unless `output` says otherwise). */
  activation: Exclude<Activation, 'softmax'>;
  /** Output layer activation (default: `activation`). */
  output?: Activation;
  /** Loss (default mean squared error). */
  loss?: 'mse' | 'categoricalCrossEntropy';
  /** Optimizer (default plain SGD). */
  optimizer?: 'sgd' | 'adam';
  samples: number;
  batchSize: number;
  /** Epochs per timed repetition (one more, untimed, warms up first). */
  epochs: number;
  learningRate: number;
  /** `steps` reports optimizer steps per second as well (dispatch-overhead workloads). */
  unit: 'samples' | 'steps';
  /** Pseudo-random inputs in [0, 1] with one-hot targets, or the XOR truth table. */
  data: 'random' | 'xor';
}

/** A kernel workload: C[M, N] = A[M, K] · B[K, N], `count` times per repetition. */
export interface MatmulWorkload {
  kind: 'matmul';
  name: string;
  title: string;
  M: number;
  K: number;
  N: number;
  count: number;
}

export type Workload = TrainWorkload | MatmulWorkload;

/**
 * The systems: this library on WebGPU, wasm, the CPU and with `backend: 'auto'`, TensorFlow.js on
 * its webgpu, cpu and wasm (SIMD) backends, and jax-js on its webgpu and wasm devices (training
 * workloads only).
 */
export const SYSTEMS = ['ours-webgpu', 'ours-wasm', 'ours-cpu', 'ours-auto', 'tfjs-webgpu', 'tfjs-cpu', 'tfjs-wasm', 'jax-webgpu', 'jax-wasm'] as const;
export type System = (typeof SYSTEMS)[number];

/**
 * The default workloads. `scale` < 1 shrinks sample counts and repetition counts for quick runs
 * (figures are rates, so they stay comparable, only noisier).
 */
export function workloads(scale = 1): Workload[] {
  const s = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return [
    {
      kind: 'train', name: 'mlp-256', title: 'MLP 784-256-256-10, sigmoid, MSE, SGD, batch 256',
      sizes: [784, 256, 256, 10], activation: 'sigmoid', samples: s(4096, 512), batchSize: 256, epochs: 2, learningRate: 0.5, unit: 'samples', data: 'random',
    },
    {
      kind: 'train', name: 'mlp-256-adam', title: 'MLP 784-256-256-10, ReLU/softmax, cross-entropy, Adam, batch 256',
      sizes: [784, 256, 256, 10], activation: 'relu', output: 'softmax', loss: 'categoricalCrossEntropy', optimizer: 'adam', samples: s(4096, 512), batchSize: 256, epochs: 1, learningRate: 0.001, unit: 'samples', data: 'random',
    },
    {
      kind: 'train', name: 'mlp-1024', title: 'MLP 784-1024-1024-10, sigmoid, MSE, SGD, batch 512',
      sizes: [784, 1024, 1024, 10], activation: 'sigmoid', samples: s(2048, 512), batchSize: 512, epochs: 1, learningRate: 0.5, unit: 'samples', data: 'random',
    },
    {
      kind: 'train', name: 'mlp-demo', title: "the demo's default: 784-128-10, ReLU/softmax, cross-entropy, Adam, batch 64",
      sizes: [784, 128, 10], activation: 'relu', output: 'softmax', loss: 'categoricalCrossEntropy', optimizer: 'adam', samples: s(4096, 512), batchSize: 64, epochs: 1, learningRate: 0.001, unit: 'samples', data: 'random',
    },
    {
      kind: 'train', name: 'xor', title: 'XOR 2-8-1, sigmoid, MSE, SGD, batch 4, 200 epochs',
      sizes: [2, 8, 1], activation: 'sigmoid', samples: 4, batchSize: 4, epochs: s(200, 20), learningRate: 0.5, unit: 'steps', data: 'xor',
    },
    { kind: 'matmul', name: 'matmul-1024', title: 'matmul M×K×N = 1024×1024×1024', M: 1024, K: 1024, N: 1024, count: s(4, 1) },
    { kind: 'matmul', name: 'matmul-256x784x256', title: 'matmul M×K×N = 256×784×256', M: 256, K: 784, N: 256, count: s(20, 4) },
  ];
}

/** Inputs `[samples, sizes[0]]` and targets `[samples, sizes.at(-1)]`, float32, seeded. */
export function trainingData(w: TrainWorkload): { x: Float32Array; y: Float32Array; inputs: number; outputs: number } {
  const inputs = w.sizes[0];
  const outputs = w.sizes[w.sizes.length - 1];
  if (w.data === 'xor') {
    return { x: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), y: Float32Array.from([0, 1, 1, 0]), inputs, outputs };
  }
  const rng = new Rng(20240611, w.name);
  const x = new Float32Array(w.samples * inputs);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float32Array(w.samples * outputs);
  for (let r = 0; r < w.samples; r++) y[r * outputs + rng.int(outputs)] = 1;
  return { x, y, inputs, outputs };
}

/** Seeded float32 values in [−1, 1] (matmul operands). */
export function operand(n: number, stream: string): Float32Array {
  const rng = new Rng(7, stream);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** Work of one timed repetition: samples (or steps) for training, floating-point operations for matmul. */
export function repetitionWork(w: Workload): { samples: number; steps: number; flops: number } {
  if (w.kind === 'matmul') return { samples: 0, steps: 0, flops: 2 * w.M * w.K * w.N * w.count };
  return { samples: w.samples * w.epochs, steps: Math.ceil(w.samples / w.batchSize) * w.epochs, flops: 0 };
}

/**
 * The products the variant table times: the kernel workloads' shapes, and the three products of
 * each layer of mlp-256 (forward A·W, weight gradient aᵀ·δ, hidden delta δ·Wᵀ).
 */
export function variantShapes(): MatmulShape[] {
  return [
    { M: 1024, N: 1024, K: 1024, form: 'AB' },
    { M: 256, N: 256, K: 784, form: 'AB' },
    { M: 784, N: 256, K: 256, form: 'ATB' },
    { M: 256, N: 784, K: 256, form: 'ABT' },
    { M: 256, N: 10, K: 256, form: 'AB' },
    { M: 64, N: 128, K: 784, form: 'AB' },
  ];
}
