// 'auto' decided at the first fit, in Node (wasm, no WebGPU): predict and evaluate before any fit
// run on wasm; the first fit starts at once on wasm and fixes the batch size the other backend is
// prepared for; that backend (here a stand-in set through the internal test hook) is taken over at
// an epoch boundary when measured faster, weights and Adam state carried, or disposed when not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MLP } from '../src';
import type { ModelConfig } from '../src';
import { type Candidate, type Deferred, setAutoTestHook } from '../src/model/auto-probe';
import { createWasmBackend } from '../src/wasm/backend';
import { initParams } from '../src/core/params';
import { memoryStore, setTuningStore } from '../src/gpu/tune/cache';
import { Rng } from '../src/core/random';
import { resolveConfig } from '../src/core/config';
import type { TrainerBackend } from '../src/core/trainer';

const config: ModelConfig = { inputSize: 5, layers: [{ units: 7, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 9 };
const rng = new Rng(4, 'auto-move data');
const x = Array.from({ length: 61 }, () => Array.from({ length: 5 }, () => rng.next() * 4 - 2));
const y = x.map((r) => (r[0] + r[1] > 0 ? 0 : r[2] > 0 ? 1 : 2));
// onEpochEnd: a boundary after every epoch (else tiny epochs go in groups of about 50 ms)
const fitOptions = { epochs: 30, batchSize: 13, learningRate: 0.02, optimizer: 'adam' as const, shuffle: true, onEpochEnd: () => {} };
const flat = (w: { weights: number[][][]; biases: number[][] }) => [...w.weights.flat(2), ...w.biases.flat()];

/** A stand-in for WebGPU: a second wasm trainer (built when asked, or `ready` at once), counting what 'auto' asks of it. */
function standIn(key: string, floorMs = 0, ready?: TrainerBackend) {
  const seen = { builds: [] as number[], disposed: 0, released: 0 };
  const deferred = (): Deferred => ({
    label: 'the stand-in',
    key,
    floor: async () => ({ launches: 1, ms: floorMs }),
    async build(c, rows) {
      seen.builds.push(rows);
      const t = ready ?? (await createWasmBackend(c, initParams(c)));
      const candidate: Candidate = { timeSteps: async () => 1, take: () => t, dispose: () => (seen.disposed++, t.dispose()) };
      return candidate;
    },
    release: () => void seen.released++,
  });
  return { seen, deferred };
}

beforeEach(() => setTuningStore(memoryStore()));
afterEach(() => setAutoTestHook(null));

describe("'auto' decided at the first fit (Node: wasm, no WebGPU)", () => {
  it('predict and evaluate before any fit run on wasm; nothing is prepared before the first fit', async () => {
    const s = standIn('predict-first');
    setAutoTestHook({ deferred: s.deferred });
    const m = await MLP.create({ ...config, backend: 'auto' });
    expect(m.backend).toBe('wasm');
    expect(m.backendReason).toMatch(/^auto starts on wasm \(predict and evaluate run there\); the first fit times the stand-in/);
    const p = await m.predict(x.slice(0, 3));
    expect(p.length, `shape ${p.length}x${p[0]?.length}`).toBe(3);
    expect((await m.evaluate(x, y)).loss).toBeGreaterThan(0);
    expect(s.seen.builds).toEqual([]);
    m.dispose();
    expect(s.seen.released).toBe(1);
  });

  it('measured faster: the run moves at an epoch boundary, Adam state carried, and ends as a run on one backend', async () => {
    const s = standIn('faster');
    setAutoTestHook({ deferred: s.deferred, gpuStepMs: () => 1e-9 });
    const auto = await MLP.create({ ...config, backend: 'auto' });
    const alone = await MLP.create({ ...config, backend: 'wasm' });
    const h = await auto.fit(x, y, fitOptions);
    await alone.fit(x, y, fitOptions);
    expect(s.seen.builds).toEqual([13]);
    expect(h.backendMove, auto.backendReason).toBeDefined();
    expect(h.backendMove!.epoch).toBeGreaterThan(0);
    expect(h.backendMove!.epoch).toBeLessThan(30);
    expect(auto.backendReason).toMatch(/^auto moved from wasm to the stand-in after epoch \d+ of this fit \(step \d+\): a training step took .* ms on the stand-in and .* ms on wasm \(at batch 13, steady steps timed during the first fit\)$/);
    const [a, b] = [flat(await auto.getWeights()), flat(await alone.getWeights())];
    const bad = a.map((v, i) => Math.abs(v - b[i]) <= 1e-6 + 1e-5 * Math.abs(b[i]) ? null : `[${i}] ${v} vs ${b[i]}`).filter((v) => v);
    expect(bad, `5-7-3, 61 rows, batch 13: ${bad.slice(0, 5).join('; ')}`).toEqual([]);
    // a second fit continues on the same trainer, with nothing more to decide
    await auto.fit(x, y, { ...fitOptions, epochs: 2 });
    expect(s.seen.builds).toEqual([13]);
    for (const m of [auto, alone]) m.dispose();
  });

  it('fitDataset moves between blocks, inside an epoch, and ends as a stream on one backend would', async () => {
    // built before the fit, so that the candidate is there at the first boundaries of this one epoch
    const resolved = resolveConfig({ ...config, backend: 'wasm' });
    const s = standIn('stream', 0, await createWasmBackend(resolved, initParams(resolved)));
    setAutoTestHook({ deferred: s.deferred, gpuStepMs: () => 1e-9 });
    // 21 chunks of at most 3 rows, batch 3: one block each
    const chunks = Array.from({ length: Math.ceil(x.length / 3) }, (_, i) => ({ x: x.slice(3 * i, 3 * i + 3), y: y.slice(3 * i, 3 * i + 3) }));
    const options = { epochs: 1, batchSize: 3, learningRate: 0.02, optimizer: 'adam' as const };
    const auto = await MLP.create({ ...config, backend: 'auto' });
    const alone = await MLP.create({ ...config, backend: 'wasm' });
    const h = await auto.fitDataset(chunks, options);
    await alone.fitDataset(chunks, options);
    expect(h.backendMove, auto.backendReason).toBeDefined();
    expect(h.backendMove!.epoch).toBe(0);
    expect(h.backendMove!.batch).toBeGreaterThan(0);
    expect(h.backendMove!.batch).toBeLessThan(chunks.length);
    expect(auto.backendReason).toMatch(/^auto moved from wasm to the stand-in in epoch 1 of this fit, after its batch \d+ \(step \d+\): a training step took/);
    const [a, b] = [flat(await auto.getWeights()), flat(await alone.getWeights())];
    const bad = a.map((v, i) => Math.abs(v - b[i]) <= 1e-6 + 1e-5 * Math.abs(b[i]) ? null : `[${i}] ${v} vs ${b[i]}`).filter((v) => v);
    expect(bad, `5-7-3, 61 rows in 21 chunks, batch 3: ${bad.slice(0, 5).join('; ')}`).toEqual([]);
    for (const m of [auto, alone]) m.dispose();
  });

  it('a one-epoch fit moves inside its epoch, between parts, and ends as a wasm-only fit', async () => {
    // built before the fit, so that the candidate is there at the first boundaries of this one epoch
    const resolved = resolveConfig({ ...config, layers: [{ units: 7, activation: 'tanh', dropout: 0.2 }, config.layers[1]], backend: 'wasm' });
    const s = standIn('one epoch', 0, await createWasmBackend(resolved, initParams(resolved)));
    setAutoTestHook({ deferred: s.deferred, gpuStepMs: () => 1e-9 });
    const net: ModelConfig = { ...config, layers: [{ units: 7, activation: 'tanh', dropout: 0.2 }, config.layers[1]] };
    // batch 2: 31 batches, with a cosine schedule, dropout, clipping and sample weights; onBatchEnd
    // waits 6 ms, so a part after the first (4 batches) takes at most 8 (about 50 ms): the third
    // boundary, where the candidate is ready, comes by batch 20
    const sampleWeight = x.map((_, i) => 0.5 + (i % 4) / 4);
    const options = { epochs: 1, batchSize: 2, learningRate: { type: 'cosine' as const, initial: 0.05 }, optimizer: 'adam' as const, shuffle: true, clipNorm: 0.5, sampleWeight };
    const seen: number[] = [];
    const wait = (log: { batch: number }) => {
      seen.push(log.batch);
      for (const t0 = performance.now(); performance.now() - t0 < 6; );
    };
    const auto = await MLP.create({ ...net, backend: 'auto' });
    const alone = await MLP.create({ ...net, backend: 'wasm' });
    const h = await auto.fit(x, y, { ...options, onBatchEnd: wait });
    const ha = await alone.fit(x, y, options);
    expect(h.backendMove, auto.backendReason).toBeDefined();
    expect(h.backendMove!.epoch).toBe(0);
    expect(h.backendMove!.batch).toBeGreaterThanOrEqual(4);
    expect(h.backendMove!.batch).toBeLessThan(31);
    expect(h.backendMove!.step).toBe(h.backendMove!.batch);
    expect(auto.backendReason).toMatch(/^auto moved from wasm to the stand-in in epoch 1 of this fit, after its batch \d+ \(step \d+\): a training step took/);
    expect(seen).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(h.epochs.length).toBe(1);
    expect(Math.abs(h.epochs[0].loss - ha.epochs[0].loss), `loss ${h.epochs[0].loss} vs ${ha.epochs[0].loss}`).toBeLessThanOrEqual(1e-5);
    const [a, b] = [flat(await auto.getWeights()), flat(await alone.getWeights())];
    const bad = a.map((v, i) => Math.abs(v - b[i]) <= 1e-6 + 1e-5 * Math.abs(b[i]) ? null : `[${i}] ${v} vs ${b[i]}`).filter((v) => v);
    expect(bad, `5-7-3, 61 rows, batch 2, one epoch: ${bad.slice(0, 5).join('; ')}`).toEqual([]);
    for (const m of [auto, alone]) m.dispose();
  });

  it('measured slower: the run stays on wasm, the prepared trainer is disposed, and the timings are reused', async () => {
    const s = standIn('slower');
    setAutoTestHook({ deferred: s.deferred, gpuStepMs: () => 1e9 });
    const m = await MLP.create({ ...config, backend: 'auto' });
    const h = await m.fit(x, y, fitOptions);
    expect(h.backendMove).toBeUndefined();
    expect(m.backendReason).toMatch(/^auto stays on wasm: a training step took 1000000000 ms on the stand-in and .* ms on wasm \(at batch 13, steady/);
    expect(s.seen.disposed).toBe(1);
    const again = await MLP.create({ ...config, backend: 'auto' });
    await again.fit(x, y, { ...fitOptions, epochs: 3 });
    expect(again.backendReason).toMatch(/timed before on this adapter/);
    expect(s.seen.builds).toEqual([13]);
    for (const model of [m, again]) model.dispose();
  });

  it("where the other backend's launches alone outlast a step, it is never built", async () => {
    const s = standIn('floor', 1e6);
    setAutoTestHook({ deferred: s.deferred });
    const m = await MLP.create({ ...config, backend: 'auto' });
    await m.fit(x, y, fitOptions);
    expect(m.backendReason).toMatch(/^auto stays on wasm: a training step takes .* ms there; on the stand-in its launches alone take 1000000 ms/);
    expect(s.seen.builds).toEqual([]);
    expect(s.seen.released).toBe(1);
    m.dispose();
  });

  it('a named backend never moves', async () => {
    const s = standIn('named');
    setAutoTestHook({ deferred: s.deferred, gpuStepMs: () => 1e-9 });
    const m = await MLP.create({ ...config, backend: 'wasm' });
    const h = await m.fit(x, y, fitOptions);
    expect(h.backendMove).toBeUndefined();
    expect(m.backendReason).toBe("backend 'wasm' was requested");
    expect(s.seen.builds).toEqual([]);
    m.dispose();
  });
});
