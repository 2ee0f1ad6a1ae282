// In-page runs of the hostile suite, the invariants, the fuzzer and the lifetime checks on the
// WebGPU backend. Every run is wrapped in a GPU validation / out-of-memory error scope.
import { MLP, gradientCheck, requestGpu } from '../../../src';
import { BufferManager } from '../../../src/gpu/buffers';
import { REPORT_GROUP } from '../../../src/gpu/train/training';
import { fuzzCase, runFuzzCase } from '../../cases/fuzz';
import { hostileCases, runHostileCase } from '../../cases/hostile';
import { type Outcome, batchCallbacks, firstBatchBlamedOnData, frozenConfig, lastStepDivergence, oneLoss, rollbackMatchesReplay, throwingCallback } from '../../cases/invariants';
import { stateBytes } from '../../cases/state';
import { getDevice, withValidation } from './gpu-context';

/** Unhandled promise rejections seen in this page (a disposed model must not leave any). */
const unhandled: string[] = [];
addEventListener('unhandledrejection', (e) => unhandled.push(String((e as PromiseRejectionEvent).reason?.message ?? (e as PromiseRejectionEvent).reason)));

/** Runs every hostile case that concerns WebGPU; one result per case, plus GPU-wide failures. */
export async function hostileAll() {
  const device = await getDevice();
  const results: { name: string; failures: string[]; outcome: string }[] = [];
  const failures = await withValidation(device, async () => {
    for (const c of hostileCases.filter((k) => k.only !== 'cpu')) {
      const r = await runHostileCase(c, MLP, gradientCheck, 'webgpu', device);
      results.push({ name: c.name, ...r });
    }
    await new Promise((r) => setTimeout(r, 50));
    return unhandled.splice(0).map((u) => `unhandled rejection: ${u}`);
  });
  return { results, failures, live: BufferManager.liveTotal };
}

const scenarios: Record<string, (device: GPUDevice) => Promise<Outcome>> = {
  firstBatchBlamedOnData: (d) => firstBatchBlamedOnData(MLP, 'webgpu', d),
  lastStepDivergence: (d) => lastStepDivergence(MLP, 'webgpu', d),
  rollbackMatchesReplay: (d) => rollbackMatchesReplay(MLP, 'webgpu', d),
  batchCallbacks: (d) => batchCallbacks(MLP, 'webgpu', REPORT_GROUP, 70, d),
  oneLoss: (d) => oneLoss(MLP, 'webgpu', 2e-5, d),
  throwingCallback: (d) => throwingCallback(MLP, 'webgpu', d),
  frozenConfig: (d) => frozenConfig(MLP, 'webgpu', d),
};

/** One invariant scenario (test/cases/invariants.ts) on WebGPU. */
export async function invariant(name: string) {
  const device = await getDevice();
  let report: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const r = await scenarios[name](device);
    report = r.report;
    return r.failures;
  });
  return { failures, report, live: BufferManager.liveTotal };
}

let cycleDevice: GPUDevice | null = null;
const live = new Set<GPUBuffer>();

/** A device of its own whose buffers are counted from creation to destruction. */
async function countedDevice(): Promise<GPUDevice> {
  if (cycleDevice) return cycleDevice;
  const device = (await requestGpu()).device!;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor) => {
    const b = create(desc);
    live.add(b);
    const destroy = b.destroy.bind(b);
    b.destroy = () => {
      live.delete(b);
      destroy();
    };
    return b;
  };
  cycleDevice = device;
  return device;
}

/**
 * `count` create → fit (with callbacks, a shared signal, validation) → predict → evaluate →
 * dispose cycles on one shared device; returns the GPU buffers still alive and the time taken.
 */
export async function cycles(count: number) {
  const device = await countedDevice();
  const x = Array.from({ length: 48 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 7) / 7, 1]);
  const y = x.map((_, i) => i % 2);
  const signal = new AbortController().signal;
  const t0 = performance.now();
  const failures = await withValidation(device, async () => {
    for (let i = 0; i < count; i++) {
      const m = await MLP.create({ inputSize: 4, layers: [{ units: 12, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu', seed: i, l2: i % 3 ? 0 : 0.01 }, { device });
      await m.fit(x, y, { epochs: 2, batchSize: 16, optimizer: i % 2 ? 'adam' : 'sgd', signal, validationSplit: 0.25, onBatchEnd: () => {} });
      await m.predict(x.slice(0, 5));
      await m.evaluate(x, y);
      m.dispose();
    }
    await device.queue.onSubmittedWorkDone();
    return [];
  });
  return { failures, liveBuffers: live.size, liveTotal: BufferManager.liveTotal, seconds: (performance.now() - t0) / 1000 };
}

/**
 * dispose() racing each in-flight call on WebGPU (fit between readbacks, predict, evaluate,
 * getWeights, toJSON, fit inside onBatchEnd and onEpochEnd, fit while the tuner measures): each rejects once with the clear
 * "disposed" error; no raw mapAsync error, no unhandled rejection, no validation error.
 */
export async function disposeRaces() {
  const device = await getDevice();
  const report: Record<string, string> = {};
  const x = Array.from({ length: 200 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const y = x.map((_, i) => i % 2);
  const make = () => MLP.create({ inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu' }, { device });
  const races: Record<string, (m: MLP) => Promise<unknown>> = {
    'fit (queued)': (m) => { const p = m.fit(x, y, { epochs: 20, batchSize: 4 }); m.dispose(); return p; },
    'fit (after the first readback)': (m) => { const p = m.fit(x, y, { epochs: 20, batchSize: 4, signal: new AbortController().signal }); setTimeout(() => m.dispose(), 5); return p; },
    'fit (dispose in onBatchEnd)': (m) => m.fit(x, y, { epochs: 3, batchSize: 4, onBatchEnd: (l) => void (l.batch === 40 && m.dispose()) }),
    'fit (dispose in onEpochEnd)': (m) => m.fit(x, y, { epochs: 3, batchSize: 4, onEpochEnd: () => m.dispose() }),
    predict: (m) => { const p = m.predict(x); m.dispose(); return p; },
    evaluate: (m) => { const p = m.evaluate(x, y); m.dispose(); return p; },
    getWeights: (m) => { const p = m.getWeights(); m.dispose(); return p; },
    toJSON: (m) => { const p = m.toJSON(); m.dispose(); return p; },
  };
  // the tuner measuring a shape this device has not seen (tune 'full'): disposed a few ms in, and
  // disposed exactly while it waits for a timing launch (before it submits the next)
  const makers: Record<string, () => Promise<MLP>> = {};
  const tuned = (units: number) => () => MLP.create({ inputSize: 64, layers: [{ units, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu' }, { device, tune: 'full' });
  const wide = x.map((r) => Array.from({ length: 64 }, (_, j) => r[j % 2] * (j + 1) / 64));
  for (const ms of [5, 30]) {
    const name = `fit (dispose ${ms} ms into tuning)`;
    makers[name] = tuned(90 + ms);
    races[name] = (m) => { const p = m.fit(wide, y, { epochs: 2, batchSize: 48 }); setTimeout(() => m.dispose(), ms); return p; };
  }
  makers['fit (dispose while the tuner waits for a launch)'] = tuned(77);
  races['fit (dispose while the tuner waits for a launch)'] = async (m) => {
    const queue = device.queue as GPUQueue & { onSubmittedWorkDone: GPUQueue['onSubmittedWorkDone'] };
    queue.onSubmittedWorkDone = () => {
      delete (queue as Partial<GPUQueue>).onSubmittedWorkDone; // one shot: back to the prototype's
      m.dispose();
      return queue.onSubmittedWorkDone();
    };
    try {
      return await m.fit(wide, y, { epochs: 2, batchSize: 48 });
    } finally {
      delete (queue as Partial<GPUQueue>).onSubmittedWorkDone;
    }
  };
  const failures = await withValidation(device, async () => {
    const out: string[] = [];
    for (const [name, race] of Object.entries(races)) {
      const m = await (makers[name] ?? make)();
      const errors: string[] = [];
      await race(m).catch((e: Error) => errors.push(`${e.name}: ${e.message}`));
      report[name] = errors.join(' | ');
      if (errors.length !== 1 || !/^Error: \w+\(\) did not finish: dispose\(\) was called while it ran/.test(errors[0])) out.push(`${name}: ${report[name] || 'resolved'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
    return [...out, ...unhandled.splice(0).map((u) => `unhandled rejection: ${u}`)];
  });
  return { failures, report, live: BufferManager.liveTotal };
}

/**
 * Adapter limits checked before anything changes: with 64-byte storage bindings the 2-3-2 model
 * trains with SGD, but Adam's before-the-last-step copy (weights and two slots, 72 bytes for
 * layer 0) does not fit, so `fit` with Adam is refused up front and the state is unchanged.
 */
export async function adapterLimits() {
  const device = await getDevice();
  let message = '';
  let bigLayer = '';
  let bigLayerMs = NaN;
  const failures = await withValidation(device, async () => {
    const out: string[] = [];
    const m = await MLP.create({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu' }, { device, maxBindingBytes: 64 });
    const x = [[0, 1], [1, 0], [1, 1]];
    await m.fit(x, [0, 1, 1], { epochs: 2, batchSize: 2, learningRate: 0.1 });
    const before = await stateBytes(m);
    message = await m.fit(x, [0, 1, 1], { epochs: 1, optimizer: 'adam' }).then(() => 'accepted', (e: Error) => `${e.name}: ${e.message}`);
    if (!/^RangeError: copy of the weights and 2 optimizer slots kept from before the last update, for layer 0 needs a 72-byte GPU buffer \(18 float32 values\), more than this device's maxStorageBufferBindingSize of 64 bytes/.test(message)) out.push(`message: ${message}`);
    if ((await stateBytes(m)) !== before) out.push('state changed');
    m.dispose();
    // 4096 × 8192 weights fit the host cap but not a 1 MiB binding: refused before 2^25 weights are drawn
    const t0 = performance.now();
    bigLayer = await MLP.create({ inputSize: 4096, layers: [{ units: 8192, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'webgpu' }, { device, maxBindingBytes: 2 ** 20 })
      .then(() => 'accepted', (e: Error) => `${e.name}: ${e.message}`);
    bigLayerMs = performance.now() - t0;
    if (!/^RangeError: weights of layer 0 needs a 134217728-byte GPU buffer/.test(bigLayer)) out.push(`big layer: ${bigLayer}`);
    if (bigLayerMs > 200) out.push(`big layer refused after ${bigLayerMs} ms`);
    return out;
  });
  return { failures, message, bigLayer, bigLayerMs };
}

/** `count` fuzz cases from `seed` on WebGPU; GPU buffers must all be freed afterwards. */
export async function fuzzSample(seed: number, count: number) {
  const device = await getDevice();
  const signal = new AbortController().signal;
  const liveBefore = BufferManager.liveTotal;
  let refused = 0;
  const t0 = performance.now();
  const failures = await withValidation(device, async () => {
    const out: string[] = [];
    for (let i = 0; i < count && out.length < 10; i++) {
      const c = fuzzCase(seed, i, 'webgpu', signal);
      const r = await runFuzzCase(c, MLP, gradientCheck, 'webgpu', device, 30_000);
      if (r.refused) refused++;
      for (const f of r.failures) out.push(`FUZZ_SEED=${seed} case ${i} (${c.description}): ${f}`);
    }
    await new Promise((r) => setTimeout(r, 50));
    return [...out, ...unhandled.splice(0).map((u) => `unhandled rejection: ${u}`)];
  });
  return { failures, refused, leaked: BufferManager.liveTotal - liveBefore, seconds: (performance.now() - t0) / 1000 };
}
