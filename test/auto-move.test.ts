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

const config: ModelConfig = { inputSize: 5, layers: [{ units: 7, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 9 };
const rng = new Rng(4, 'auto-move data');
const x = Array.from({ length: 61 }, () => Array.from({ length: 5 }, () => rng.next() * 4 - 2));
const y = x.map((r) => (r[0] + r[1] > 0 ? 0 : r[2] > 0 ? 1 : 2));
// onEpochEnd: a boundary after every epoch (else tiny epochs go in groups of about 50 ms)
const fitOptions = { epochs: 30, batchSize: 13, learningRate: 0.02, optimizer: 'adam' as const, shuffle: true, onEpochEnd: () => {} };
const flat = (w: { weights: number[][][]; biases: number[][] }) => [...w.weights.flat(2), ...w.biases.flat()];

/** A stand-in for WebGPU: a second wasm trainer, counting what 'auto' asks of it. */
function standIn(key: string, floorMs = 0) {
  const seen = { builds: [] as number[], disposed: 0, released: 0 };
  const deferred = (): Deferred => ({
    label: 'the stand-in',
    key,
    floor: async () => ({ launches: 1, ms: floorMs }),
    async build(c, rows) {
      seen.builds.push(rows);
      const t = await createWasmBackend(c, initParams(c));
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
