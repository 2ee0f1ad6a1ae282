// fitDataset on the CPU path: a stream in a fixed order gives fit's weights, byte data equals
// its float32 equivalent, shuffling within windows is seeded, and bad sources are refused by chunk
// with the model left at the last completed step.
import { describe, expect, it } from 'vitest';
import { MLP } from '../src/model/model';
import type { DatasetChunk } from '../src/streams/chunk';
import type { ModelConfig } from '../src/core/types';

const config: ModelConfig = {
  inputSize: 6, layers: [{ units: 9, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 11, backend: 'cpu',
};
const N = 203;
const bytes = Uint8Array.from({ length: N * 6 }, (_, i) => (i * 37 + (i >> 3) * 11) % 256);
const labels = Array.from({ length: N }, (_, i) => (bytes[i * 6] + bytes[i * 6 + 3]) % 3);
const scale = 1 / 255;
const offset = -0.5;
const floats = Float32Array.from(bytes, (b) => b * scale + offset);

/** Rows [a, b) as a byte chunk (or float when `asFloat`). */
const chunk = (a: number, b: number, asFloat = false): DatasetChunk => ({
  x: asFloat ? { data: floats.slice(a * 6, b * 6), shape: [b - a, 6] } : { data: bytes.slice(a * 6, b * 6), shape: [b - a, 6], scale, offset },
  y: labels.slice(a, b),
});
/** The rows cut at `cuts` (chunk sizes not multiples of the batch). */
const chunks = (cuts: number[], asFloat = false) => cuts.slice(0, -1).map((c, i) => chunk(c, cuts[i + 1], asFloat));
const maxDiff = (a: number[][][], b: number[][][]) => Math.max(...a.flatMap((m, l) => m.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[l][i][j])))));

describe('fitDataset (cpu)', () => {
  it('a stream in stream order gives the weights of fit on all rows (chunks of 50, 17, 101, 35 rows; batch 16; 3 epochs; adam)', async () => {
    const opts = { epochs: 3, batchSize: 16, learningRate: 0.05, optimizer: { type: 'adam' as const }, shuffle: false };
    const a = await MLP.create(config);
    const ha = await a.fit({ data: floats, shape: [N, 6] }, labels, opts);
    const b = await MLP.create(config);
    const source = chunks([0, 50, 67, 168, 203]);
    const hb = await b.fitDataset(() => source, opts);
    const wa = (await a.getWeights()).weights;
    const wb = (await b.getWeights()).weights;
    console.log(`max |Δw| ${maxDiff(wa, wb)}; losses ${ha.epochs.map((e) => e.loss.toFixed(6))} vs ${hb.epochs.map((e) => e.loss.toFixed(6))}`);
    expect(maxDiff(wa, wb)).toBeLessThan(1e-6);
    hb.epochs.forEach((e, i) => expect(e.loss).toBeCloseTo(ha.epochs[i].loss, 6));
    expect(hb.epochs.length).toBe(3);
  });

  it('bytes with scale/offset equal their float values (fit and fitDataset)', async () => {
    const opts = { epochs: 2, batchSize: 32, learningRate: 0.1, shuffle: false };
    const a = await MLP.create(config);
    await a.fit({ data: bytes, shape: [N, 6], scale, offset }, labels, opts);
    const b = await MLP.create(config);
    await b.fitDataset(chunks([0, 100, 203], true), { ...opts, epochs: 1 });
    await b.fitDataset(chunks([0, 100, 203], true), { ...opts, epochs: 1 });
    expect(maxDiff((await a.getWeights()).weights, (await b.getWeights()).weights)).toBeLessThan(1e-6);
  });

  it('chunks of mixed forms (bytes, float32, float16) train as their values', async () => {
    const opts = { epochs: 2, batchSize: 16, learningRate: 0.1, shuffle: false };
    const half = (a: number, b: number): DatasetChunk => ({ x: { data: floats.slice(a * 6, b * 6), shape: [b - a, 6], storage: 'float16' }, y: labels.slice(a, b) });
    const mixed = () => [chunk(0, 50), chunk(50, 120, true), half(120, 150), chunk(150, 203)];
    const a = await MLP.create(config);
    await a.fitDataset(mixed, opts);
    // the same values as float64 rows: the float16 chunk's values rounded to half
    const b = await MLP.create(config);
    const rounded = (await import('../src/core/data')).toDense({ data: floats.slice(120 * 6, 150 * 6), shape: [30, 6], storage: 'float16' }, 'x').data;
    const all = Float64Array.from(floats);
    all.set(rounded, 120 * 6);
    await b.fit({ data: all, shape: [N, 6] }, labels, opts);
    expect(maxDiff((await a.getWeights()).weights, (await b.getWeights()).weights)).toBeLessThan(1e-6);
  });

  it('validationData: valLoss and valAccuracy after every epoch, as evaluate() gives them (with the L2 term)', async () => {
    const m = await MLP.create({ ...config, l2: 0.01 });
    const vx = { data: floats.slice(0, 40 * 6), shape: [40, 6] as [number, number] };
    const vy = labels.slice(0, 40);
    const h = await m.fitDataset(() => chunks([0, 100, 203]), { epochs: 2, batchSize: 16, validationData: [vx, vy] });
    const e = await m.evaluate(vx, vy);
    expect(h.epochs.map((l) => typeof l.valLoss)).toEqual(['number', 'number']);
    expect(h.epochs[1].valLoss).toBeCloseTo(e.loss, 10);
    expect(h.epochs[1].valAccuracy).toBeCloseTo(e.accuracy, 10);
    await expect(m.fitDataset([chunk(0, 10)], { validationData: [vx, labels.slice(0, 39)] })).rejects.toThrow('validationData targets must have one row per sample of validationData inputs (40), got 39');
  });

  it('onBatchEnd: batches numbered across chunks, batches null until the first epoch ends', async () => {
    const m = await MLP.create(config);
    const seen: [number, number, number | null, number][] = [];
    await m.fitDataset(() => chunks([0, 50, 67, 203]), { epochs: 2, batchSize: 64, shuffle: false, onBatchEnd: (l) => void seen.push([l.epoch, l.batch, l.batches, l.size]) });
    expect(seen).toEqual([
      [1, 1, null, 64], [1, 2, null, 64], [1, 3, null, 64], [1, 4, null, 11],
      [2, 1, 4, 64], [2, 2, 4, 64], [2, 3, 4, 64], [2, 4, 4, 11],
    ]);
  });

  it('shuffling within windows is seeded: the same seed trains the same weights, another seed others', async () => {
    const run = async (seed: number) => {
      const m = await MLP.create({ ...config, seed });
      await m.fitDataset(() => chunks([0, 50, 100, 150, 203]), { epochs: 2, batchSize: 8, learningRate: 0.1, shuffleWindow: 2 });
      return (await m.getWeights()).weights;
    };
    const [a, b] = [await run(5), await run(5)];
    expect(maxDiff(a, b)).toBe(0);
    const inOrder = await MLP.create({ ...config, seed: 5 });
    await inOrder.fitDataset(() => chunks([0, 50, 100, 150, 203]), { epochs: 2, batchSize: 8, learningRate: 0.1, shuffle: false });
    expect(maxDiff(a, (await inOrder.getWeights()).weights)).toBeGreaterThan(1e-4);
  });

  describe('bad sources: a clear error naming the chunk, the model at its last completed step', () => {
    const cases: [string, () => unknown, RegExp][] = [
      ['chunks of inconsistent width', () => [chunk(0, 50), { x: { data: new Float32Array(35), shape: [5, 7] }, y: [0, 1, 2, 0, 1] }], /chunk 1 x must have 6 columns/],
      ['a chunk with a non-finite value', () => [chunk(0, 50), { x: [[0, 0, 0, 0, 0, NaN]], y: [1] }], /chunk 1 x must hold finite numbers, got NaN at row 0, column 5/],
      ['an iterator that throws', () => (async function* () { yield chunk(0, 50); throw new Error('disk gone'); })(), /the data source threw while giving chunk 1: disk gone/],
      ['an empty source', () => [], /the data source gave no chunks/],
      ['a chunk that is not {x, y}', () => [chunk(0, 50), 42], /chunk 1 must be an object \{x, y\}, got 42/],
      ['rows of x and y that differ', () => [{ x: chunk(0, 10).x, y: labels.slice(0, 9) }], /chunk 0 y must have one row per sample of x \(10\), got 9/],
      ['not a source', () => 7, /the data source must be an async iterable or an iterable/],
    ];
    for (const [what, make, message] of cases) {
      it(what, async () => {
        const m = await MLP.create(config);
        const before = (await m.getWeights()).weights;
        const err = await m.fitDataset(make() as never, { batchSize: 50, shuffle: false }).catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(message);
        // what chunk 0 trained (one step of 50 rows, before the bad chunk came) is kept; nothing else
        const goodFirst = !/empty|not a source|rows of x/.test(what);
        const reference = await MLP.create(config);
        if (goodFirst) await reference.fitDataset([chunk(0, 50)], { batchSize: 50, shuffle: false });
        const after = (await m.getWeights()).weights;
        expect(maxDiff((await reference.getWeights()).weights, after)).toBe(0);
        if (!goodFirst) expect(maxDiff(before, after)).toBe(0);
        // and the model trains on
        await expect(m.fitDataset([chunk(0, 50)], { batchSize: 50 })).resolves.toBeTruthy();
      });
    }
  });

  it('a one-shot generator for more than one epoch is refused before training', async () => {
    const m = await MLP.create(config);
    const gen = (async function* () { yield chunk(0, 50); })();
    await expect(m.fitDataset(gen, { epochs: 2 })).rejects.toThrow(/one-shot iterator .* for 2 epochs: pass a function/);
  });

  it('abort stops after the current block with stopped: true', async () => {
    const m = await MLP.create(config);
    const ac = new AbortController();
    const h = await m.fitDataset(() => chunks([0, 50, 100, 150, 203]), { epochs: 5, batchSize: 10, signal: ac.signal, onBatchEnd: (l) => void (l.batch === 7 && ac.abort()) });
    expect(h.stopped).toBe(true);
    expect(h.stopReason).toBe('aborted');
  });
});
