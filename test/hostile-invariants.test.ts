// The guarantees behind "nothing lost, whatever a caller passes", on the CPU backend: finite state
// after every rejection (byte-identical to the last finite step), the step counter, callbacks at
// every batch count, one loss, caps refused before allocating, lifetimes, and no caller code run.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';
import { REPORT_GROUP } from '../src/gpu/train/training';
import { batchCallbacks, firstBatchBlamedOnData, frozenConfig, lastStepDivergence, oneLoss, rollbackMatchesReplay, throwingCallback } from './cases/invariants';
import { stateBytes } from './cases/state';
import { heapUsed } from './cases/heap';

describe('never non-finite state (cpu)', () => {
  it('a non-finite first batch is blamed on the data, changes nothing (step counter included), and the next Adam fit is exact', async () => {
    const r = await firstBatchBlamedOnData(MLP, 'cpu');
    console.log(r.report.sameOptimizer);
    expect(r.failures).toEqual([]);
  });
  it('divergence on the very last update is caught and undone', async () => {
    const r = await lastStepDivergence(MLP, 'cpu');
    console.log(r.report.message);
    expect(r.failures).toEqual([]);
  });
  it('after any divergence the state is finite and byte-identical to a replay of the steps kept', async () => {
    const r = await rollbackMatchesReplay(MLP, 'cpu');
    console.log(JSON.stringify(r.report, null, 1));
    expect(r.failures).toEqual([]);
  });
  it('mini-batches: a divergence at the first batch of a later epoch undoes the previous epoch\'s last update, and the counter follows', async () => {
    const config = { inputSize: 3, layers: [{ units: 6, activation: 'relu' as const }, { units: 1, activation: 'linear' as const }], loss: 'mse' as const, seed: 11, backend: 'cpu' as const };
    const x = [[1, 2, -1], [0.5, -2, 1], [-1, 1, 2], [2, 0.5, -0.5], [1, 1, 1], [-2, 0, 1]];
    const y = [[2], [-1], [0.5], [1], [3], [-2]];
    const seen: string[] = [];
    for (let lr = 0.3; lr < 3; lr *= 1.15) {
      const opts = { batchSize: 2, shuffle: false, learningRate: lr, optimizer: 'momentum' as const };
      const m = await MLP.create(config);
      const msg = await m.fit(x, y, { ...opts, epochs: 60 }).then(() => '', (e: Error) => e.message);
      if (!msg) continue;
      const at = /epoch (\d+), batch (\d+) of 3/.exec(msg)!;
      seen.push(`${at[1]}.${at[2]}`);
      const kept = (m as unknown as { progress: { steps: number } }).progress.steps;
      const ref = await MLP.create(config);
      const ctl = new AbortController();
      let n = 0;
      if (kept > 0) await ref.fit(x, y, { ...opts, epochs: 60, signal: ctl.signal, onBatchEnd: () => void (++n === kept && ctl.abort()) });
      const strip = (s: string) => s.replace(/ epochs=\d+ opt=\S*/, '');
      expect(strip(await stateBytes(m)), `η = ${lr}: ${msg}`).toBe(strip(await stateBytes(ref)));
    }
    console.log(`divergences at epoch.batch: ${seen.join(' ')}`);
    expect(seen.some((s) => s.endsWith('.1') && !s.startsWith('1.'))).toBe(true);
  });
  it('onBatchEnd throwing keeps (and counts) the updates before it', async () => {
    const r = await throwingCallback(MLP, 'cpu');
    expect(r.failures).toEqual([]);
  });
});

describe('callbacks and abort at readback-group edges (cpu)', () => {
  it(`onBatchEnd once per batch for 1…70 batches; abort at ${REPORT_GROUP} and ${2 * REPORT_GROUP} stops there`, async () => {
    const r = await batchCallbacks(MLP, 'cpu', REPORT_GROUP, 70);
    expect(r.failures).toEqual([]);
  });
});

describe('one loss (cpu)', () => {
  it('epoch loss, batch loss, valLoss and evaluate() include λ/(2m)·ΣW² and agree on the same weights', async () => {
    const r = await oneLoss(MLP, 'cpu', 1e-12);
    console.log(JSON.stringify(r.report));
    expect(r.failures).toEqual([]);
  });
});

describe('messages and config', () => {
  it('model.config is a frozen copy', async () => {
    expect((await frozenConfig(MLP, 'cpu')).failures).toEqual([]);
  });
  it('a getter on a number of a data row runs at most once, and what it returned is what trains', async () => {
    let calls = 0;
    const row = [0, 1];
    Object.defineProperty(row, 0, { get: () => (calls++, 0.5), enumerable: true });
    const m = await MLP.create({ inputSize: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' });
    await m.fit([row, [1, 0]], [0, 1], { epochs: 1 });
    expect(calls).toBe(1);
  });
});

describe('refused before allocating (cpu)', () => {
  it('a 2^20 × 512 layer and a 2^20 × 2^20 layer are refused in milliseconds', async () => {
    for (const units of [512, 2 ** 20]) {
      const t0 = performance.now();
      const err = await MLP.create({ inputSize: 2 ** 20, layers: [{ units, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' }).catch((e: Error) => e);
      const ms = performance.now() - t0;
      console.log(`2^20 × ${units}: refused in ${ms.toFixed(2)} ms: ${(err as Error).message}`);
      expect(err).toBeInstanceOf(RangeError);
      expect(ms).toBeLessThan(100);
    }
  });
  it('a batch whose activations exceed the CPU cap is refused before training', async () => {
    const m = await MLP.create({ inputSize: 16, layers: [{ units: 65536, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' });
    const before = await stateBytes(m);
    const x = { data: new Float32Array(2100 * 16), shape: [2100, 16] as [number, number] };
    await expect(m.fit(x, new Array(2100).fill(0), { batchSize: 2100 })).rejects.toThrow(/batchSize 2100 × 65554 units .* more than the 134217728 \(1 GiB\) the CPU backend allocates for one batch; use a batchSize of at most 2047/);
    expect(await stateBytes(m)).toBe(before);
    m.dispose();
  });
  it('predict splits wide inputs into blocks and gives the same outputs', async () => {
    const m = await MLP.create({ inputSize: 4096, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' });
    const rows = 2500;
    const data = Float64Array.from({ length: rows * 4096 }, (_, i) => Math.sin(i));
    const all = (await m.predictMatrix({ data, shape: [rows, 4096] })).data;
    const last = (await m.predictMatrix({ data: data.subarray(2400 * 4096), shape: [100, 4096] })).data;
    expect(Array.from(all.subarray(2400 * 2))).toEqual(Array.from(last));
    m.dispose();
  });
});

describe('lifetimes (cpu)', () => {
  it('1000 create/fit/predict/dispose cycles keep the heap flat, and a shared signal keeps no listener', async () => {
    const signal = new AbortController().signal;
    const x = Array.from({ length: 32 }, (_, i) => [Math.sin(i), Math.cos(i), i / 32]);
    const y = x.map((_, i) => i % 2);
    const cycle = async (i: number) => {
      const m = await MLP.create({ inputSize: 3, layers: [{ units: 8, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: i, backend: 'cpu' });
      await m.fit(x, y, { epochs: 2, batchSize: 8, optimizer: i % 2 ? 'adam' : 'sgd', signal, onEpochEnd: () => {} });
      await m.predict(x.slice(0, 4));
      m.dispose();
    };
    for (let i = 0; i < 100; i++) await cycle(i);
    const h0 = heapUsed();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await cycle(i);
    const h1 = heapUsed();
    console.log(`1000 cycles in ${((performance.now() - t0) / 1000).toFixed(1)} s; heap ${(h0 / 1e6).toFixed(2)} MB → ${(h1 / 1e6).toFixed(2)} MB`);
    expect(h1 - h0).toBeLessThan(1e6);
    expect(getEventListeners(signal, 'abort').length).toBe(0);
  });
  it('dispose() during onEpochEnd: fit rejects once, clearly', async () => {
    const m = await MLP.create({ inputSize: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' });
    await expect(m.fit([[0, 1], [1, 0]], [0, 1], { epochs: 5, onEpochEnd: () => m.dispose() })).rejects.toThrow(/^fit\(\) did not finish: dispose\(\) was called while it ran/);
    await expect(m.getWeights()).rejects.toThrow(/getWeights\(\) called after dispose\(\)/);
  });
});
