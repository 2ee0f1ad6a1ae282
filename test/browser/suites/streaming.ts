// In-page tests of compact storage and streaming on WebGPU: byte data (scaled in the gather
// kernel) against its float32 values, data over more shards than one gather launch binds,
// fitDataset against fit and against the CPU path, the device budget's refusal, and dispose
// while a stream trains. Every run is wrapped in a validation error scope.
import { MLP, type ModelConfig, Rng, idxDataset, parseIdx } from '../../../src';
import type { DatasetChunk } from '../../../src/streams/chunk';
import { flat, getDevice, withValidation } from './gpu-context';


/** Seeded bytes and labels: `rows` rows of `cols` pixels, labels from two of them. */
function byteData(rows: number, cols: number, classes: number, seed = 5) {
  const rng = new Rng(seed, 'bytes');
  const bytes = Uint8Array.from({ length: rows * cols }, () => rng.int(256));
  const labels = Array.from({ length: rows }, (_, r) => (bytes[r * cols] + 2 * bytes[r * cols + (cols >> 1)]) % classes);
  return { bytes, labels };
}

const config = (inputSize: number, classes: number, backend: 'webgpu' | 'cpu'): ModelConfig => ({
  inputSize, layers: [{ units: 24, activation: 'relu' }, { units: classes, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 9, backend,
});

/**
 * Bytes vs their float32 values on WebGPU (fit, 2 epochs, shuffled), and a 30-column byte set
 * (rows padded to words) split over 8 shards by a small binding limit, against the CPU.
 */
export async function bytesAndShards() {
  const device = await getDevice();
  const out: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const { bytes, labels } = byteData(300, 32, 4);
    const scale = 1 / 255;
    const offset = -0.25;
    const floats = Float32Array.from(bytes, (b) => b * scale + offset);
    const opts = { epochs: 2, batchSize: 20, learningRate: 0.2 };
    const a = await MLP.create(config(32, 4, 'webgpu'), { device });
    let bytesHeld = 0;
    await a.fit({ data: bytes, shape: [300, 32], scale, offset }, labels, { ...opts, onEpochEnd: () => void (bytesHeld = a.deviceBytes) });
    const b = await MLP.create(config(32, 4, 'webgpu'), { device });
    let floatsHeld = 0;
    await b.fit({ data: floats, shape: [300, 32] }, labels, { ...opts, onEpochEnd: () => void (floatsHeld = b.deviceBytes) });
    out.bytesVsFloat = { bytes: flat(await a.getWeights()), floats: flat(await b.getWeights()), bytesHeld, floatsHeld };
    // inference on bytes and on float16 (gathered the same way) against float32 inputs, on one model
    const predicted = async (x: Parameters<MLP['predict']>[0]) => (await a.predict(x)).flat();
    out.inference = {
      bytes: await predicted({ data: bytes, shape: [300, 32], scale, offset }),
      floats: await predicted({ data: floats, shape: [300, 32] }),
      evalBytes: await a.evaluate({ data: bytes, shape: [300, 32], scale, offset }, labels),
      evalFloats: await a.evaluate({ data: floats, shape: [300, 32] }, labels),
    };
    a.dispose();
    b.dispose();
    // float16 storage: the same values on both backends (rounded to half on the host), half the bytes
    const half = { data: floats, shape: [300, 32] as [number, number], storage: 'float16' as const };
    const g16 = await MLP.create(config(32, 4, 'webgpu'), { device });
    let halfHeld = 0;
    await g16.fit(half, labels, { ...opts, onEpochEnd: () => void (halfHeld = g16.deviceBytes) });
    const c16 = await MLP.create(config(32, 4, 'cpu'));
    await c16.fit(half, labels, opts);
    out.float16 = { gpu: flat(await g16.getWeights()), cpu: flat(await c16.getWeights()), halfHeld };
    g16.dispose();
    // 30 columns: each byte row padded to 8 words; a 2048-byte binding holds 64 rows → 8 shards of 500 rows (two gather launches)
    const odd = byteData(500, 30, 3, 6);
    const x = { data: odd.bytes, shape: [500, 30] as [number, number], scale: 1 / 64, offset: -2 };
    const small = (backend: 'webgpu' | 'cpu'): ModelConfig => ({ ...config(30, 3, backend), layers: [{ units: 12, activation: 'tanh' }, { units: 3, activation: 'softmax' }] });
    const sharded = await MLP.create(small('webgpu'), { device, maxBindingBytes: 2048 });
    const hs = await sharded.fit(x, odd.labels, { epochs: 3, batchSize: 9, learningRate: 0.1 });
    const cpu = await MLP.create(small('cpu'));
    const hc = await cpu.fit(x, odd.labels, { epochs: 3, batchSize: 9, learningRate: 0.1 });
    out.sharded = { gpu: flat(await sharded.getWeights()), cpu: flat(await cpu.getWeights()), gpuLoss: hs.epochs.map((e) => e.loss), cpuLoss: hc.epochs.map((e) => e.loss) };
    sharded.dispose();
    return [];
  });
  return { failures, ...out };
}

/** Chunks of the rows cut at `cuts`, bytes with scale/offset. */
function chunksOf(bytes: Uint8Array, labels: number[], cols: number, cuts: number[]): DatasetChunk[] {
  return cuts.slice(0, -1).map((c, i) => ({ x: { data: bytes.slice(c * cols, cuts[i + 1] * cols), shape: [cuts[i + 1] - c, cols], scale: 1 / 255, offset: 0 }, y: labels.slice(c, cuts[i + 1]) }));
}

/**
 * fitDataset on WebGPU in stream order (chunks of 70, 33, 150, 47 rows; batch 16; Adam; 3 epochs)
 * against fit on all rows on WebGPU and against fitDataset on the CPU; with onBatchEnd's logs.
 */
export async function streamParity() {
  const device = await getDevice();
  const out: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const { bytes, labels } = byteData(300, 32, 4, 8);
    const cuts = [0, 70, 103, 253, 300];
    const opts = { epochs: 3, batchSize: 16, learningRate: 0.01, optimizer: { type: 'adam' as const }, shuffle: false };
    const streamed = await MLP.create(config(32, 4, 'webgpu'), { device });
    const logs: string[] = [];
    const hs = await streamed.fitDataset(() => chunksOf(bytes, labels, 32, cuts), { ...opts, onBatchEnd: (l) => void logs.push(`${l.epoch}:${l.batch}/${l.batches}:${l.size}`) });
    const inMemory = await MLP.create(config(32, 4, 'webgpu'), { device });
    const hm = await inMemory.fit({ data: bytes, shape: [300, 32], scale: 1 / 255, offset: 0 }, labels, opts);
    const cpu = await MLP.create(config(32, 4, 'cpu'));
    const hc = await cpu.fitDataset(() => chunksOf(bytes, labels, 32, cuts), opts);
    out.weights = { streamed: flat(await streamed.getWeights()), inMemory: flat(await inMemory.getWeights()), cpu: flat(await cpu.getWeights()) };
    out.losses = { streamed: hs.epochs.map((e) => e.loss), inMemory: hm.epochs.map((e) => e.loss), cpu: hc.epochs.map((e) => e.loss) };
    out.logs = logs;
    // both hold their parameters and Adam's state now, nothing of their data
    out.heldAfter = streamed.deviceBytes;
    out.heldBaseline = inMemory.deviceBytes;
    // a larger block later in the stream (the slot grows) and a one-row chunk
    const grow = await MLP.create(config(32, 4, 'webgpu'), { device });
    await grow.fitDataset(chunksOf(bytes, labels, 32, [0, 1, 20, 300]), { batchSize: 7, shuffle: false });
    const growCpu = await MLP.create(config(32, 4, 'cpu'));
    await growCpu.fitDataset(chunksOf(bytes, labels, 32, [0, 1, 20, 300]), { batchSize: 7, shuffle: false });
    out.grow = { gpu: flat(await grow.getWeights()), cpu: flat(await growCpu.getWeights()) };
    // chunks of three forms: each block a new slot layout, made while the other slot trains
    const floats = Float32Array.from(bytes, (b) => b / 255);
    const mixed = () => [
      ...chunksOf(bytes, labels, 32, [0, 64]),
      { x: { data: floats.slice(64 * 32, 128 * 32), shape: [64, 32] as [number, number] }, y: labels.slice(64, 128) },
      { x: { data: floats.slice(128 * 32, 192 * 32), shape: [64, 32] as [number, number], storage: 'float16' as const }, y: labels.slice(128, 192) },
      ...chunksOf(bytes, labels, 32, [192, 300]),
    ];
    const mixedGpu = await MLP.create(config(32, 4, 'webgpu'), { device });
    await mixedGpu.fitDataset(mixed, { batchSize: 16, shuffle: false, epochs: 2, optimizer: 'momentum' });
    const mixedCpu = await MLP.create(config(32, 4, 'cpu'));
    await mixedCpu.fitDataset(mixed, { batchSize: 16, shuffle: false, epochs: 2, optimizer: 'momentum' });
    out.mixed = { gpu: flat(await mixedGpu.getWeights()), cpu: flat(await mixedCpu.getWeights()) };
    mixedGpu.dispose();
    for (const m of [streamed, inMemory, grow]) m.dispose();
    out.features = await streamFeatures(device, bytes, labels);
    return [];
  });
  return { failures, ...out };
}

/**
 * fit's features on a stream, together: weights carried in the chunks (one chunk without, so its
 * rows weigh 1 and the slots change layout), classWeight, a cosine schedule with warmup,
 * clipNorm, early stopping on valLoss restoring the best weights, and dropout (each block's masks
 * continuing the epoch's); against fit on WebGPU and fitDataset on the CPU.
 */
async function streamFeatures(device: GPUDevice, bytes: Uint8Array, labels: number[]) {
  const cuts = [0, 70, 103, 253, 300];
  const weights = Array.from({ length: 300 }, (_, r) => (r >= 70 && r < 103 ? 1 : 0.25 + ((r * 7) % 8) / 4));
  const chunks = () => chunksOf(bytes, labels, 32, cuts).map((c, i) => (i === 1 ? c : { ...c, sampleWeight: weights.slice(cuts[i], cuts[i + 1]) }));
  const validationData: [{ data: Uint8Array; shape: [number, number]; scale: number }, number[]] = [{ data: bytes.slice(0, 40 * 32), shape: [40, 32], scale: 1 / 255 }, labels.slice(0, 40)];
  const opts = {
    epochs: 3, batchSize: 16, shuffle: false, optimizer: 'momentum' as const, classWeight: { 1: 2, 3: 0.5 }, clipNorm: 0.5, validationData,
    learningRate: { type: 'cosine' as const, initial: 0.05, warmupSteps: 4 }, earlyStopping: { monitor: 'valLoss' as const, patience: 1, restoreBestWeights: true },
  };
  const dropping = (backend: 'webgpu' | 'cpu'): ModelConfig => {
    const c = config(32, 4, backend);
    return { ...c, layers: [{ ...c.layers[0], dropout: 0.25 }, c.layers[1]] };
  };
  const streamed = await MLP.create(dropping('webgpu'), { device });
  const hs = await streamed.fitDataset(chunks, opts);
  const inMemory = await MLP.create(dropping('webgpu'), { device });
  const hm = await inMemory.fit({ data: bytes, shape: [300, 32], scale: 1 / 255, offset: 0 }, labels, { ...opts, sampleWeight: weights });
  const cpu = await MLP.create(dropping('cpu'));
  const hc = await cpu.fitDataset(chunks, opts);
  const summary = (h: typeof hs) => ({ losses: h.epochs.map((e) => e.loss), rates: h.epochs.map((e) => e.learningRate), stopReason: h.stopReason, bestEpoch: h.bestEpoch, restored: h.restoredBestWeights });
  const result = {
    streamed: flat(await streamed.getWeights()), inMemory: flat(await inMemory.getWeights()), cpu: flat(await cpu.getWeights()),
    histories: { streamed: summary(hs), inMemory: summary(hm), cpu: summary(hc) }, heldAfter: streamed.deviceBytes, heldBaseline: inMemory.deviceBytes,
  };
  streamed.dispose();
  inMemory.dispose();
  return result;
}

/**
 * The device budget: fit refused before allocating (sizes named, weights unchanged), the same
 * data streamed in chunks under the same budget; bad chunks on WebGPU; dispose mid-stream.
 */
export async function budgetAndErrors() {
  const device = await getDevice();
  const out: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const { bytes, labels } = byteData(2000, 64, 3, 9);
    const x = { data: bytes, shape: [2000, 64] as [number, number], scale: 1 / 255, offset: 0 };
    const probe = await MLP.create(config(64, 3, 'webgpu'), { device });
    const base = probe.deviceBytes;
    probe.dispose();
    // room for the model and 120 kB: less than the 144 kB the data set takes
    const budget = base + 120_000;
    const m = await MLP.create(config(64, 3, 'webgpu'), { device, maxDeviceBytes: budget });
    const before = flat(await m.getWeights());
    out.refusal = await m.fit(x, labels, { batchSize: 32 }).then(() => 'trained', (e: Error) => `${e.name}: ${e.message}`);
    out.unchanged = flat(await m.getWeights()).every((v, i) => v === before[i]);
    let peak = 0;
    const h = await m.fitDataset(() => chunksOf(bytes, labels, 64, [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]), { batchSize: 32, onBatchEnd: () => void (peak = Math.max(peak, m.deviceBytes)) });
    out.streamed = { epochs: h.epochs.length, loss: h.epochs[0].loss, peak, budget, base };
    // bad chunks on WebGPU: the error names the chunk; the model trains on afterwards
    const bad: [string, () => Iterable<DatasetChunk> | AsyncIterable<DatasetChunk>][] = [
      ['wrong width', () => [...chunksOf(bytes, labels, 64, [0, 64]), { x: { data: new Float32Array(10), shape: [2, 5] }, y: [0, 1] }]],
      ['beyond float32', () => [...chunksOf(bytes, labels, 64, [0, 64]), { x: [Array.from({ length: 64 }, (_, j) => (j === 3 ? 1e39 : 0))], y: [1] }]],
      ['source throws', () => (async function* () { yield* chunksOf(bytes, labels, 64, [0, 64]); throw new Error('network down'); })()],
    ];
    out.errors = {};
    for (const [name, make] of bad) {
      const w0 = flat(await m.getWeights());
      const msg = await m.fitDataset(make(), { batchSize: 64, shuffle: false }).then(() => 'trained', (e: Error) => e.message);
      const w1 = flat(await m.getWeights());
      (out.errors as Record<string, unknown>)[name] = { msg, changed: w1.some((v, i) => v !== w0[i]), finite: w1.every(Number.isFinite) };
    }
    // divergence mid-stream (η = 1e30): rejected, the state of the last finite step kept
    const wild = await MLP.create(config(64, 3, 'webgpu'), { device });
    const divergence = await wild.fitDataset(chunksOf(bytes, labels, 64, [0, 300, 600, 900]), { batchSize: 50, learningRate: 1e30, shuffle: false }).then(() => 'trained', (e: Error) => e.message);
    out.divergence = { message: divergence, finite: flat(await wild.getWeights()).every(Number.isFinite) };
    wild.dispose();
    // dispose while a stream trains: one clear error
    const d = await MLP.create(config(64, 3, 'webgpu'), { device });
    const p = d.fitDataset(() => chunksOf(bytes, labels, 64, [0, 500, 1000, 1500, 2000]), { epochs: 3, batchSize: 16, onBatchEnd: (l) => void (l.batch === 40 && d.dispose()) });
    out.disposed = await p.then(() => 'resolved', (e: Error) => e.message);
    m.dispose();
    return [];
  });
  return { failures, ...out };
}

/**
 * MNIST's 10 000 test images streamed from `fetch` bodies (the /mnist/ route of the dev server)
 * through idxDataset in chunks of 2048 rows, trained in stream order with fitDataset on WebGPU,
 * against fit on the same bytes held whole.
 */
export async function mnistFromFetch() {
  const device = await getDevice();
  const out: Record<string, unknown> = {};
  const failures = await withValidation(device, async () => {
    const net: ModelConfig = { inputSize: 784, layers: [{ units: 32, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 4, backend: 'webgpu' };
    const opts = { batchSize: 100, learningRate: 0.1, shuffle: false };
    const open = (file: string) => () => fetch(`/mnist/${file}`).then((r) => r.body!);
    const source = idxDataset({ images: open('t10k-images-idx3-ubyte'), labels: open('t10k-labels-idx1-ubyte'), chunkRows: 2048 });
    const sizes: number[] = [];
    for await (const c of source()) sizes.push((c.x as { shape: [number, number] }).shape[0]);
    const streamed = await MLP.create(net, { device });
    const hs = await streamed.fitDataset(source, opts);
    const images = parseIdx(await (await fetch('/mnist/t10k-images-idx3-ubyte')).arrayBuffer());
    const labels = Array.from(parseIdx(await (await fetch('/mnist/t10k-labels-idx1-ubyte')).arrayBuffer()).data);
    const whole = await MLP.create(net, { device });
    const hw = await whole.fit({ data: images.data, shape: [10000, 784], scale: 1 / 255 }, labels, opts);
    out.sizes = sizes;
    out.loss = { streamed: hs.epochs[0].loss, whole: hw.epochs[0].loss, accuracy: hs.epochs[0].accuracy };
    out.weights = { streamed: flat(await streamed.getWeights()), whole: flat(await whole.getWeights()) };
    streamed.dispose();
    whole.dispose();
    return [];
  });
  return { failures, ...out };
}
