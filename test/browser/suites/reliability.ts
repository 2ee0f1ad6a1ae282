// In-page reliability checks on the WebGPU backend: bad input, divergence, device loss,
// limits and sharding, leaks, and two models training at once.
import { MLP, type ModelConfig, Rng, requestGpu } from '../../../src';
import { badInputCases, baseConfig } from '../../cases/bad-input';
import { flat, getDevice, withValidation } from './gpu-context';

const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

function toyData(rows: number, inputs: number, classes: number, seed = 5) {
  const rng = new Rng(seed, 'toy');
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rng.uniform(-2, 2)));
  const y = x.map((r) => (r[0] + r[1] > 0 ? 1 : 0) % classes);
  return { x, y };
}

/** One bad-input case on the WebGPU backend: the message, and the weights unchanged. */
export async function badInput(name: string) {
  const c = badInputCases.find((k) => k.name === name)!;
  const device = await getDevice();
  let outcome = '';
  const failures = await withValidation(device, async () => {
    const model = await MLP.create(baseConfig('webgpu'), { device });
    const before = flat(await model.getWeights());
    try {
      await c.run(model, MLP, 'webgpu');
      outcome = 'no error';
    } catch (e) {
      outcome = (e as Error).message;
    }
    const out: string[] = [];
    if (!c.message.test(outcome)) out.push(`message ${JSON.stringify(outcome)} does not match ${c.message}`);
    if (!c.altersModel) {
      const after = flat(await model.getWeights());
      if (maxDiff(before, after) !== 0) out.push('weights changed');
    }
    model.dispose();
    return out;
  });
  return { failures, outcome };
}

/**
 * Full-batch training with a learning rate that blows up: fit must reject naming the epoch and
 * batch, and leave the weights of the last step whose loss was finite — the same weights as a
 * fresh model trained for that many steps. With `batchNorm`, the hidden layer has norm 'batch': its
 * running estimates, compared with the weights, are undone with the update.
 */
export async function divergence(backend: 'cpu' | 'webgpu', batchNorm = false) {
  const device = await getDevice();
  const config: ModelConfig = { inputSize: 3, layers: [{ units: 8, activation: 'relu', ...(batchNorm ? { norm: 'batch' as const } : {}) }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 3, backend };
  const { x } = toyData(20, 3, 2);
  const y = x.map((r) => [r[0] * 3 - r[2]]);
  let message = '';
  let finite = false;
  let diffToReplay = NaN;
  let epochsDone = -1;
  const failures = await withValidation(device, async () => {
    const m = await MLP.create(config, { device });
    try {
      await m.fit(x, y, { epochs: 200, batchSize: 20, learningRate: 3, shuffle: false });
    } catch (e) {
      message = (e as Error).message;
    }
    const w = flat(await m.getWeights());
    finite = w.every(Number.isFinite);
    const match = /at epoch (\d+), batch 1 of 1/.exec(message);
    if (match) {
      // loss at epoch e is measured on the weights after e − 1 steps; those are undone → e − 2 steps
      epochsDone = Number(match[1]) - 2;
      const fresh = await MLP.create(config, { device });
      if (epochsDone > 0) await fresh.fit(x, y, { epochs: epochsDone, batchSize: 20, learningRate: 3, shuffle: false });
      diffToReplay = maxDiff(flat(await fresh.getWeights()), w);
      fresh.dispose();
    }
    // with batch norm, evaluate normalizes with the lagging running estimates: at weights near 1e28
    // its outputs pass float32's range (the CPU's are ~1e75), so only the state is checked there
    const loss = batchNorm ? 0 : (await m.evaluate(x, y)).loss;
    if (!Number.isFinite(loss)) finite = false;
    m.dispose();
    return [];
  });
  return { failures, message, finite, diffToReplay, epochsDone };
}

/**
 * Destroys the GPU device while `fit` runs (at the end of epoch `at`, or after batch `at` of
 * epoch 2 when `midEpoch`), and reports how training ended and how close it is to a CPU-only run.
 */
export async function deviceLoss(at: number, midEpoch: boolean, onDeviceLost: 'cpu' | 'error') {
  const probe = await requestGpu();
  if (!probe.device) return { failures: ['no device'] };
  const device = probe.device;
  const config: ModelConfig = { inputSize: 4, layers: [{ units: 16, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 8 };
  const { x, y } = toyData(120, 4, 3);
  const fitOpts = { epochs: 5, batchSize: 4, learningRate: 0.05, optimizer: 'momentum' as const };
  const gpu = await MLP.create({ ...config, backend: 'webgpu' }, { device, onDeviceLost });
  let error = '';
  let epochs: number[] = [];
  try {
    const h = await gpu.fit(x, y, {
      ...fitOpts,
      onEpochEnd: (log) => {
        if (!midEpoch && log.epoch === at) device.destroy();
      },
      onBatchEnd: midEpoch
        ? (log) => {
            if (log.epoch === 2 && log.batch === at) device.destroy();
          }
        : undefined,
    });
    epochs = h.epochs.map((l) => l.epoch);
  } catch (e) {
    error = (e as Error).message;
  }
  const after = { backend: gpu.backend, reason: gpu.backendReason };
  const weights = flat(await gpu.getWeights());
  // the same training entirely on the CPU
  const cpu = await MLP.create({ ...config, backend: 'cpu' });
  const epochsToCompare = onDeviceLost === 'cpu' ? fitOpts.epochs : midEpoch ? 1 : at;
  await cpu.fit(x, y, { ...fitOpts, epochs: epochsToCompare });
  const diff = maxDiff(flat(await cpu.getWeights()), weights);
  gpu.dispose();
  return { failures: [] as string[], error, epochs, after, diff, epochsToCompare };
}

/**
 * The device is destroyed between two `fit` calls without callbacks (where short epochs are
 * grouped into one submission): the second fit runs entirely on the CPU from the first one's end.
 */
export async function deviceLossBeforeGroupedFit() {
  const device = (await requestGpu()).device!;
  const config: ModelConfig = { inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 4 };
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [0, 1, 1, 0];
  const opts = { batchSize: 4, learningRate: 0.2, optimizer: 'adam' as const };
  const gpu = await MLP.create({ ...config, backend: 'webgpu' }, { device });
  const cpu = await MLP.create({ ...config, backend: 'cpu' });
  await gpu.fit(x, y, { ...opts, epochs: 150 });
  await cpu.fit(x, y, { ...opts, epochs: 150 });
  device.destroy();
  const h = await gpu.fit(x, y, { ...opts, epochs: 150 });
  await cpu.fit(x, y, { ...opts, epochs: 150 });
  const diff = maxDiff(flat(await cpu.getWeights()), flat(await gpu.getWeights()));
  const result = { epochs: h.epochs.length, backend: gpu.backend, reason: gpu.backendReason, diff };
  gpu.dispose();
  return result;
}

/**
 * The device lost before and during fitDataset: the stream trains on the CPU from the last
 * completed block; the weights match a CPU-only run of the same stream.
 */
export async function deviceLossStreaming(when: 'before' | 'during') {
  const device = (await requestGpu()).device!;
  const config: ModelConfig = { inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 4 };
  const rows = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  const chunks = () => [0, 16, 32, 48].map((r) => ({ x: rows.slice(r, r + 16), y: rows.slice(r, r + 16).map(([a, b]) => (a * b > 0 ? 1 : 0)) }));
  const opts = { batchSize: 8, learningRate: 0.2, optimizer: 'adam' as const, shuffle: false, epochs: 3 };
  const gpu = await MLP.create({ ...config, backend: 'webgpu' }, { device });
  const cpu = await MLP.create({ ...config, backend: 'cpu' });
  if (when === 'before') device.destroy();
  const h = await gpu.fitDataset(chunks, { ...opts, onBatchEnd: (l) => void (when === 'during' && l.epoch === 2 && l.batch === 3 && device.destroy()) });
  await cpu.fitDataset(chunks, opts);
  const diff = maxDiff(flat(await cpu.getWeights()), flat(await gpu.getWeights()));
  const result = { epochs: h.epochs.length, backend: gpu.backend, reason: gpu.backendReason, diff };
  gpu.dispose();
  return result;
}

/** Limits: a layer beyond the binding limit is refused before allocation; data beyond one binding is sharded, over any number of bindings. */
export async function limitsAndSharding() {
  const device = await getDevice();
  const report: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const big: ModelConfig = { inputSize: 64, layers: [{ units: 64, activation: 'relu' }, { units: 1, activation: 'linear' }], loss: 'mse', backend: 'webgpu' };
    report.layerTooBig = await MLP.create(big, { device, maxBindingBytes: 8192 }).then(() => 'accepted', (e: Error) => e.message);
    // 200 rows × 30 inputs = 24 000 bytes: three shards of 8 192-byte bindings (68 rows each)
    const cfg: ModelConfig = { inputSize: 30, layers: [{ units: 8, activation: 'sigmoid' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 2 };
    const { x, y } = toyData(200, 30, 2);
    const g = await MLP.create({ ...cfg, backend: 'webgpu' }, { device, maxBindingBytes: 8192 });
    const c = await MLP.create({ ...cfg, backend: 'cpu' });
    const opts = { epochs: 3, batchSize: 16, learningRate: 0.1 };
    await g.fit(x, y, opts);
    await c.fit(x, y, opts);
    report.shardedDiff = maxDiff(flat(await g.getWeights()), flat(await c.getWeights()));
    const pg = (await g.predict(x)).flat();
    const pc = (await c.predict(x)).flat();
    report.shardedPredictDiff = maxDiff(pg, pc);
    // 400 rows: six shards, more than one gather launch binds (two launches), still equal to the CPU
    const { x: xHuge, y: yHuge } = toyData(400, 30, 2);
    await g.fit(xHuge, yHuge, opts);
    await c.fit(xHuge, yHuge, opts);
    report.sixShardsDiff = maxDiff(flat(await g.getWeights()), flat(await c.getWeights()));
    g.dispose();
    return [];
  });
  return { failures, report };
}

let cycleDevice: GPUDevice | null = null;
const live = new Set<GPUBuffer>();

/**
 * Runs `count` create → fit → predict → dispose cycles on one device and returns how many GPU
 * buffers created during them are still alive (counted by wrapping device.createBuffer).
 */
export async function leakCycles(count: number) {
  if (!cycleDevice) {
    cycleDevice = (await requestGpu()).device!;
    const create = cycleDevice.createBuffer.bind(cycleDevice);
    cycleDevice.createBuffer = (desc: GPUBufferDescriptor) => {
      const b = create(desc);
      live.add(b);
      const destroy = b.destroy.bind(b);
      b.destroy = () => {
        live.delete(b);
        destroy();
      };
      return b;
    };
  }
  const device = cycleDevice;
  const { x, y } = toyData(64, 6, 2);
  const failures = await withValidation(device, async () => {
    for (let i = 0; i < count; i++) {
      const m = await MLP.create({ inputSize: 6, layers: [{ units: 12, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu', seed: i }, { device });
      await m.fit(x, y, { epochs: 2, batchSize: 16, optimizer: i % 2 ? 'adam' : 'sgd' });
      await m.predict(x.slice(0, 5));
      await m.evaluate(x, y);
      m.dispose();
    }
    await device.queue.onSubmittedWorkDone();
    return [];
  });
  return { failures, liveBuffers: live.size };
}

/** Two models on one device trained at the same time end exactly where each ends alone. */
export async function concurrentModels() {
  const device = await getDevice();
  let diffA = NaN;
  let diffB = NaN;
  const failures = await withValidation(device, async () => {
    const cfgA: ModelConfig = { inputSize: 5, layers: [{ units: 10, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 1, backend: 'webgpu' };
    const cfgB: ModelConfig = { inputSize: 5, layers: [{ units: 7, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 2, backend: 'webgpu' };
    const dA = toyData(90, 5, 2, 1);
    const dB = toyData(70, 5, 2, 2);
    const optsA = { epochs: 4, batchSize: 8, learningRate: 0.1, optimizer: 'adam' as const };
    const optsB = { epochs: 6, batchSize: 5, learningRate: 0.3 };
    const aloneA = await MLP.create(cfgA, { device });
    await aloneA.fit(dA.x, dA.y, optsA);
    const aloneB = await MLP.create(cfgB, { device });
    await aloneB.fit(dB.x, dB.y, optsB);
    const a = await MLP.create(cfgA, { device });
    const b = await MLP.create(cfgB, { device });
    await Promise.all([a.fit(dA.x, dA.y, optsA), b.fit(dB.x, dB.y, optsB)]);
    diffA = maxDiff(flat(await aloneA.getWeights()), flat(await a.getWeights()));
    diffB = maxDiff(flat(await aloneB.getWeights()), flat(await b.getWeights()));
    for (const m of [a, b, aloneA, aloneB]) m.dispose();
    return [];
  });
  return { failures, diffA, diffB };
}
