// In-page checks of the measuring parts: 'auto' deciding by timing both backends, training with
// the tuner's choices against the CPU, the tuner's persistent store (IndexedDB), and the
// pipelines one training step compiles.
import { MLP } from '../../../src';
import { tuneMatmuls } from '../../../src/gpu/tune/training-timing';
import { tuningOf } from '../../../src/gpu/tune/autotune';
import { BufferManager } from '../../../src/gpu/buffers';
import { requestGpu } from '../../../src/gpu/device';
import type { GpuContext } from '../../../src/gpu/context';
import { Launches } from '../../../src/gpu/kernels/launches';
import { PipelineCache } from '../../../src/gpu/kernels/pipelines';
import { indexedDbStore, memoryStore, setTuningStore } from '../../../src/gpu/tune/cache';
import type { ModelConfig } from '../../../src/core/types';
import { setAutoTestHook } from '../../../src/model/auto-probe';
import { Rng, compare, getDevice, withValidation } from './gpu-context';

/** Seeded inputs in [0, 1) and one-hot (softmax) or 0/1 (sigmoid) targets. */
function data(rows: number, inputs: number, outputs: number, seed: number): { x: number[][]; y: number[][] } {
  const rng = new Rng(seed, 'autotune data');
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rng.next()));
  const y = Array.from({ length: rows }, () => {
    const row = new Array<number>(outputs).fill(0);
    if (outputs === 1) row[0] = rng.int(2);
    else row[rng.int(outputs)] = 1;
    return row;
  });
  return { x, y };
}

/**
 * `backend: 'auto'` for `config` with the batch-size hint `batchSize`, on a fresh store (so it
 * measures): which backend it chose, why, and how long create took.
 */
export async function autoChoice(config: ModelConfig, batchSize: number): Promise<{ backend: string; reason: string; createMs: number }> {
  setTuningStore(memoryStore());
  const t0 = performance.now();
  const m = await MLP.create({ ...config, backend: 'auto' }, { auto: { batchSize } });
  const createMs = performance.now() - t0;
  const out = { backend: m.backend, reason: m.backendReason, createMs };
  m.dispose();
  return out;
}

/**
 * Trains the same model from the same seed on the CPU and on WebGPU with `tune` (every layer's
 * products on the variants the tuner chose) and compares the weights after `epochs` epochs.
 */
export async function tunedTrainingParity(tune: 'off' | 'fast' | 'full', epochs: number): Promise<{ failures: string[]; variants: string[] }> {
  setTuningStore(memoryStore());
  const device = await getDevice();
  const variants: string[] = [];
  const failures = await withValidation(device, async () => {
    // two layers: 'full' compiles and times every variant for each of the 5 products, the suite's slowest part on a software adapter
    const config: ModelConfig = { inputSize: 37, layers: [{ units: 68, activation: 'tanh' }, { units: 5, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 5 };
    const { x, y } = data(150, 37, 5, 3);
    const labels = y.map((r) => r.indexOf(1));
    const options = { epochs, batchSize: 48, learningRate: 0.1, optimizer: 'momentum' as const, shuffle: true };
    const gpu = await MLP.create({ ...config, backend: 'webgpu' }, { device, tune });
    const cpu = await MLP.create({ ...config, backend: 'cpu' });
    try {
      await gpu.fit(x, labels, options);
      await cpu.fit(x, labels, options);
      for (const c of tuningOf(device).choices.values()) variants.push(`${c.shape.form} ${c.shape.M}x${c.shape.N}x${c.shape.K}: ${c.variant} (${c.source})`);
      const [wg, wc] = [await gpu.getWeights(), await cpu.getWeights()];
      return compare(`weights after ${epochs} epochs (tune '${tune}')`, wc.weights.flat(2), wg.weights.flat(2), { atol: 1e-4, rtol: 1e-3 });
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  });
  return { failures, variants };
}

/** The IndexedDB store: a record written is read back by a new store on the same database. */
export async function indexedDbRoundTrip(): Promise<{ read: unknown; missing: unknown; other: unknown }> {
  const name = `webgpu-mlp-test-${Date.now()}`;
  const store = indexedDbStore(name);
  if (!store) throw new Error('no IndexedDB in this page');
  await store.write('matmul key', { version: 1, choices: { 'AB 9x9x9': 'blocked-4x4' } });
  const again = indexedDbStore(name)!;
  return { read: await again.read('matmul key'), missing: await again.read('other key'), other: await indexedDbStore(`${name}-other`)!.read('matmul key') };
}

/**
 * The tuner with `'full'` on one shape, twice: the second time the choice comes from memory and
 * nothing is compiled or timed again; with a store, a new device reads it back.
 */
export async function tunerCaching(): Promise<{ first: string; second: string; compiledBetween: number; storedOnNewDevice: string | null }> {
  const store = memoryStore();
  setTuningStore(store);
  const device = await getDevice();
  const buffers = new BufferManager(device);
  const ctx = { device, buffers, launches: new Launches(device, buffers) } as unknown as GpuContext;
  const request = { shape: { M: 96, N: 40, K: 72, form: 'AB' as const }, modes: { TRANS_A: false, TRANS_B: false, EPILOGUE: 0, ACTIVATION: 0, HAS_BIAS: false } };
  try {
    const [a] = await tuneMatmuls(ctx, [request], 'full');
    const before = Object.values(PipelineCache.for(device).stats().pipelines).reduce((s, n) => s + n, 0);
    const [b] = await tuneMatmuls(ctx, [request], 'full');
    const after = Object.values(PipelineCache.for(device).stats().pipelines).reduce((s, n) => s + n, 0);
    // a second device of the same adapter reads the stored choice
    const other = (await requestGpu()).device!;
    const otherBuffers = new BufferManager(other);
    try {
      const [c] = await tuneMatmuls({ device: other, buffers: otherBuffers, launches: new Launches(other, otherBuffers) } as unknown as GpuContext, [request], 'full');
      return { first: `${a.variant} ${a.source}`, second: `${b.variant} ${b.source}`, compiledBetween: after - before, storedOnNewDevice: `${c.variant} ${c.source}` };
    } finally {
      otherBuffers.dispose();
      other.destroy();
    }
  } finally {
    buffers.dispose();
  }
}



/**
 * `backend: 'auto'` with no create-time hint, 29-23-5 at batch 32 (Adam, 97 rows): the fit starts on
 * wasm while WebGPU is prepared in the background; each epoch waits 30 ms while undecided (a page
 * drawing), and the fit is stopped two epochs after the decision. With `forced`, the internal test
 * hook reports WebGPU faster, so the run moves. Then a run on wasm alone trains as many epochs, and
 * the weights are compared; the buffers still live on the GPU are counted after the fit.
 */
export async function autoMove(forced: boolean): Promise<{ failures: string[]; backend: string; reason: string; epochs: number; move: unknown; liveAfter: number; createMs: number; firstEpochMs: number; decidedMs: number }> {
  setAutoTestHook(forced ? { gpuStepMs: () => 1e-6 } : null);
  const config: ModelConfig = { inputSize: 29, layers: [{ units: 23, activation: 'relu' }, { units: 5, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 12 };
  const { x, y } = data(97, 29, 5, 8);
  const before = BufferManager.liveTotal;
  const t0 = performance.now();
  const auto = await MLP.create({ ...config, backend: 'auto' }, { tune: 'off' });
  const createMs = performance.now() - t0;
  let firstEpochMs = 0;
  const stop = new AbortController();
  let decidedAt: number | null = null;
  let decidedMs = 0;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const options = { batchSize: 32, learningRate: 0.01, optimizer: 'adam' as const, shuffle: true };
  try {
    const h = await auto.fit(x, y, {
      ...options, epochs: 1000, signal: stop.signal,
      onEpochEnd: async (log) => {
        if (log.epoch === 1) firstEpochMs = performance.now() - t0;
        if (auto.backendReason.startsWith('auto starts')) return sleep(30);
        if (decidedAt === null) decidedMs = performance.now() - t0;
        decidedAt ??= log.epoch;
        if (log.epoch >= decidedAt + 2) stop.abort();
      },
    });
    const liveAfter = forced ? 0 : BufferManager.liveTotal - before;
    const alone = await MLP.create({ ...config, backend: 'wasm' });
    await alone.fit(x, y, { ...options, epochs: h.epochs.length });
    const failures = compare(`29-23-5 weights after ${h.epochs.length} epochs, auto against wasm alone`, (await alone.getWeights()).weights.flat(2), (await auto.getWeights()).weights.flat(2), { atol: 1e-4, rtol: 1e-3 });
    alone.dispose();
    return { failures, backend: auto.backend, reason: auto.backendReason, epochs: h.epochs.length, move: h.backendMove ?? null, liveAfter, createMs, firstEpochMs, decidedMs };
  } finally {
    auto.dispose();
    setAutoTestHook(null);
  }
}

/**
 * One epoch of `backend: 'auto'` with the internal test hook reporting WebGPU faster: 29-23-5 at
 * batch 8 (Adam, 1601 rows, 201 batches), each batch waiting 20 ms while undecided. The epoch goes
 * in parts while the decision is pending, so the run moves inside it and WebGPU trains the rest of
 * the epoch (a part of it); the weights are compared with a one-epoch run on wasm alone.
 */
export async function autoMoveInEpoch(): Promise<{ failures: string[]; backend: string; reason: string; move: unknown; batches: number[]; ms: number }> {
  setAutoTestHook({ gpuStepMs: () => 1e-6 });
  const config: ModelConfig = { inputSize: 29, layers: [{ units: 23, activation: 'relu' }, { units: 5, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 14 };
  const { x, y } = data(1601, 29, 5, 9);
  const t0 = performance.now();
  const auto = await MLP.create({ ...config, backend: 'auto' }, { tune: 'off' });
  const options = { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: 'adam' as const, shuffle: true };
  const batches: number[] = [];
  try {
    const h = await auto.fit(x, y, {
      ...options,
      onBatchEnd: (log) => {
        batches.push(log.batch);
        return auto.backendReason.startsWith('auto starts') ? new Promise<void>((r) => setTimeout(r, 20)) : undefined;
      },
    });
    const ms = performance.now() - t0;
    const alone = await MLP.create({ ...config, backend: 'wasm' });
    await alone.fit(x, y, options);
    const failures = compare('29-23-5 weights after one epoch moved inside it, auto against wasm alone', (await alone.getWeights()).weights.flat(2), (await auto.getWeights()).weights.flat(2), { atol: 1e-4, rtol: 1e-3 });
    alone.dispose();
    return { failures, backend: auto.backend, reason: auto.backendReason, move: h.backendMove ?? null, batches, ms };
  } finally {
    auto.dispose();
    setAutoTestHook(null);
  }
}
