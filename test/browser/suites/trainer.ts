// In-page trainer tests: the same model trained on WebGPU and on the CPU path, compared.
import { MLP, type ModelConfig, type FitOptions, Rng } from '../../../src';
import { BufferManager } from '../../../src/gpu/buffers';
import { mnistToMatrix, parseIdx } from '../../../src/streams/idx';
import { flat, getDevice, withValidation } from './gpu-context';

export interface ParityCase {
  name: string;
  config: ModelConfig;
  rows: number;
  fit: Omit<FitOptions, 'epochs'>;
  /** Cumulative epoch counts at which weights are compared. */
  checkpoints: number[];
}

function dataFor(c: ParityCase) {
  const rng = new Rng(99, c.name);
  const out = c.config.layers[c.config.layers.length - 1];
  const x = Array.from({ length: c.rows }, () => Array.from({ length: c.config.inputSize }, () => rng.uniform(-2, 2)));
  const y = Array.from({ length: c.rows }, () => {
    if (c.config.loss === 'categoricalCrossEntropy') {
      const r = new Array(out.units).fill(0);
      r[rng.int(out.units)] = 1;
      return r;
    }
    return Array.from({ length: out.units }, () => (c.config.loss === 'binaryCrossEntropy' ? (rng.next() > 0.5 ? 1 : 0) : rng.uniform(-1, 1)));
  });
  return { x, y };
}


/** Trains `c` on both backends; at each checkpoint returns steps taken and the largest weight differences. */
export async function runParity(c: ParityCase) {
  const device = await getDevice();
  const checkpoints: { epochs: number; steps: number; cpu: number[]; gpu: number[]; lossCpu: number; lossGpu: number }[] = [];
  const failures = await withValidation(device, async () => {
    const gpu = await MLP.create({ ...c.config, backend: 'webgpu' }, { device });
    const cpu = await MLP.create({ ...c.config, backend: 'cpu' });
    const { x, y } = dataFor(c);
    const bs = Math.min(c.fit.batchSize ?? 32, c.rows);
    const batchNorm = c.config.layers.some((l) => l.norm === 'batch');
    let done = 0;
    try {
      for (const target of c.checkpoints) {
        const hg = await gpu.fit(x, y, { ...c.fit, epochs: target - done });
        const hc = await cpu.fit(x, y, { ...c.fit, epochs: target - done });
        done = target;
        // batch norm's predictions read the running estimates: compared with the parameters
        const predicted = async (m: MLP) => (batchNorm ? (await m.predict(x)).flat() : []);
        const wg = [...flat(await gpu.getWeights()), ...(await predicted(gpu))];
        const wc = [...flat(await cpu.getWeights()), ...(await predicted(cpu))];
        checkpoints.push({ epochs: target, steps: target * Math.ceil(c.rows / bs), cpu: wc, gpu: wg, lossCpu: hc.epochs.at(-1)!.loss, lossGpu: hg.epochs.at(-1)!.loss });
      }
    } finally {
      gpu.dispose();
    }
    return [];
  });
  return { failures, checkpoints };
}

/** The 2-2-2 worked example on the GPU: E0, one step, E1. */
export async function tutorial002OnGpu() {
  const device = await getDevice();
  let result: { e0: number; e1: number; weights: number[]; biases: number[][] } | null = null;
  const failures = await withValidation(device, async () => {
    const m = await MLP.create(
      {
        inputSize: 2,
        layers: [{ units: 2, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }],
        loss: 'sse', freezeBias: true, backend: 'webgpu',
        weights: [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]],
        biases: [[0.35, 0.35], [0.6, 0.6]],
      },
      { device },
    );
    try {
      const x = [[0.05, 0.1]];
      const y = [[0.01, 0.99]];
      const e0 = (await m.evaluate(x, y)).loss;
      await m.fit(x, y, { epochs: 1, batchSize: 1, learningRate: 0.5, shuffle: false });
      const e1 = (await m.evaluate(x, y)).loss;
      const w = await m.getWeights();
      const W = w.weights;
      result = { e0, e1, weights: [W[0][0][0], W[0][1][0], W[0][0][1], W[0][1][1], W[1][0][0], W[1][1][0], W[1][0][1], W[1][1][1]], biases: w.biases };
    } finally {
      m.dispose();
    }
    return [];
  });
  return { failures, result };
}

async function loadMnist(count: number, testCount: number) {
  const get = async (f: string) => parseIdx(await (await fetch(`/mnist/${f}`)).arrayBuffer());
  const [ti, tl, vi, vl] = await Promise.all(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map(get));
  return { train: mnistToMatrix(ti, tl, 0, count), test: mnistToMatrix(vi, vl, 0, testCount) };
}

/** 784-128-10 (sigmoid, softmax, cross-entropy) on real MNIST, trained on both backends. */
export async function mnistParity(trainCount: number, epochs: number) {
  const device = await getDevice();
  const { train, test } = await loadMnist(trainCount, 10000);
  const config: ModelConfig = {
    inputSize: 784,
    layers: [{ units: 128, activation: 'sigmoid' }, { units: 10, activation: 'softmax' }],
    loss: 'categoricalCrossEntropy', seed: 1,
  };
  const opts: FitOptions = { epochs, batchSize: 32, learningRate: 2 };
  const out: Record<string, { accuracy: number; loss: number; seconds: number; trainLoss: number[] }> = {};
  const failures = await withValidation(device, async () => {
    for (const backend of ['webgpu', 'cpu'] as const) {
      const m = await MLP.create({ ...config, backend }, { device });
      try {
        const t0 = performance.now();
        const h = await m.fit(train.x, train.labels, opts);
        const seconds = (performance.now() - t0) / 1000;
        const e = await m.evaluate(test.x, test.labels);
        out[backend] = { ...e, seconds, trainLoss: h.epochs.map((l) => l.loss) };
      } finally {
        m.dispose();
      }
    }
    return [];
  });
  return { failures, results: out };
}

/** GPU-specific behaviour: auto's choice, dispose freeing every buffer, concurrent fit refused. */
export async function lifecycle() {
  const device = await getDevice();
  const report: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const before = BufferManager.liveTotal;
    const cfg: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'relu' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu' };
    const m = await MLP.create(cfg, { device });
    report.backend = m.backend;
    report.reason = m.backendReason;
    const x = Array.from({ length: 50 }, (_, i) => [i % 3, (i * 7) % 5, 1, -1]);
    const y = x.map((_, i) => i % 3);
    const first = m.fit(x, y, { epochs: 3, batchSize: 8 });
    report.concurrent = await m.fit(x, y).then(() => 'accepted', (e: Error) => e.message);
    await first;
    report.liveDuring = BufferManager.liveTotal - before;
    m.dispose();
    report.liveAfter = BufferManager.liveTotal - before;
    const auto = await MLP.create({ ...cfg, backend: 'auto' });
    report.auto = { backend: auto.backend, reason: auto.backendReason };
    auto.dispose();
    return [];
  });
  return { failures, report };
}

/**
 * The public seams: `profile()` times every launch of a step and leaves the model as it was;
 * the CPU backend refuses it; a checkpoint is the state after `fit` on both backends.
 */
export async function seams() {
  const device = await getDevice();
  const report: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const cfg: ModelConfig = { inputSize: 9, layers: [{ units: 13, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 4 };
    const x = Array.from({ length: 45 }, (_, i) => Array.from({ length: 9 }, (_, j) => Math.sin(i * 9 + j)));
    const y = x.map((_, i) => i % 3);
    const gpu = await MLP.create({ ...cfg, backend: 'webgpu' }, { device });
    const cpu = await MLP.create({ ...cfg, backend: 'cpu' });
    try {
      await gpu.fit(x, y, { epochs: 2, batchSize: 8, optimizer: 'adam', learningRate: 0.01 });
      const before = await gpu.getWeights();
      const p = await gpu.profile(x, y, { batchSize: 9, steps: 3, optimizer: 'adam' });
      const after = await gpu.getWeights();
      report.profile = { source: p.source, steps: p.steps, batchSize: p.batchSize, stepMs: p.stepMs, launches: p.launches };
      report.unchanged = JSON.stringify(before) === JSON.stringify(after);
      // the next fit continues from the same weights and optimizer state as without the profile
      const twin = await MLP.create({ ...cfg, backend: 'webgpu' }, { device });
      await twin.fit(x, y, { epochs: 2, batchSize: 8, optimizer: 'adam', learningRate: 0.01 });
      await Promise.all([gpu, twin].map((m) => m.fit(x, y, { epochs: 1, batchSize: 8, optimizer: 'adam', learningRate: 0.01 })));
      report.sameAfterNextFit = JSON.stringify(await gpu.getWeights()) === JSON.stringify(await twin.getWeights());
      twin.dispose();
      report.cpuRefusal = await cpu.profile(x, y).then(() => 'accepted', (e: Error) => e.message);
      report.badSteps = await gpu.profile(x, y, { steps: 0 }).then(() => 'accepted', (e: Error) => e.message);
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
    return [];
  });
  return { failures, report };
}
