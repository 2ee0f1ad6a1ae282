// The wasm backend's side of the trainer contract while training: data kept as bytes or float16,
// the divergence rollback, reporting and aborting, streamed blocks, grouped epochs, and early
// stopping's best parameters — each against the CPU backend where both compute the same.
import { describe, expect, it } from 'vitest';
import { resolveOptimizer } from '../src/core/config';
import { toInputs, toTargets } from '../src/core/data';
import { Rng } from '../src/core/random';
import type { BatchStats, EpochPlan } from '../src/core/trainer';
import type { Matrix, ModelConfig } from '../src/core/types';
import { caseData, differences, fitHost, fitOn, flatParams, stepTolerance, twins } from './wasm-twins';

const softmaxNet: ModelConfig = { inputSize: 7, layers: [{ units: 9, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 2 };
const linearNet: ModelConfig = { inputSize: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 9 };
const plan = (n: number, batchSize: number, learningRate: number, optimizer = 'sgd', stepsBefore = 0): EpochPlan => ({
  order: Uint32Array.from({ length: n }, (_, i) => i), batchSize, learningRate, optimizer: resolveOptimizer(optimizer as 'sgd'), stepsBefore,
});

describe('wasm: training data kept as stored', () => {
  const rng = new Rng(5, 'bytes');
  const rows = 29;
  const labels = Array.from({ length: rows }, (_, i) => i % 3);
  const cases: [string, Matrix][] = [
    ['bytes with scale and offset (7 columns: a partial vector per row)', { data: Uint8Array.from({ length: rows * 7 }, () => rng.int(256)), shape: [rows, 7], scale: 1 / 255, offset: -0.5 }],
    ['float16 storage', { data: Float32Array.from({ length: rows * 7 }, () => rng.uniform(-3, 3)), shape: [rows, 7], storage: 'float16' }],
    ['float32', { data: Float32Array.from({ length: rows * 7 }, () => rng.uniform(-3, 3)), shape: [rows, 7] }],
  ];
  for (const [name, x] of cases) {
    it(`${name}, with one-hot byte targets: the same training as on the CPU`, async () => {
      const t = await twins(softmaxNet);
      const fit = { epochs: 3, batchSize: 8, learningRate: 0.05, optimizer: 'momentum' as const };
      await fitOn(fitHost(t.cpu, t.net), x, labels, fit);
      await fitOn(fitHost(t.wasm, t.net), x, labels, fit);
      const failures = differences(name, flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(12));
      const xd = toInputs(x, t.net);
      failures.push(...differences(`${name}: predictions`, await t.cpu.predict(xd), await t.wasm.predict(xd), stepTolerance(12)));
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }
});

describe('wasm: divergence (src/core/trainer.ts Divergence: the model only ever holds finite state)', () => {
  // the loss sums in float64 as on the CPU: it is not finite only when a float32 output overflows
  const data = caseData(linearNet, 8, 'diverge');
  async function diverge(learningRate: number, overflowingOutput = false) {
    const t = await twins(linearNet);
    if (overflowingOutput) {
      // every hidden unit the same tanh of the row's sum, times 3e38 four times: beyond float32 for most rows
      await t.wasm.writeParams({ weights: [new Float64Array(12).fill(1), new Float64Array(4).fill(3e38)], biases: t.params.biases });
    }
    const before = flatParams(await t.wasm.readParams());
    await t.wasm.setTrainingData(toInputs(data.x, t.net), toTargets(data.y, t.net, 8), 4);
    const out = await t.wasm.trainEpochs([plan(8, 4, learningRate), plan(8, 4, learningRate, 'sgd', 2)], null);
    return { t, out, before, after: flatParams(await t.wasm.readParams()) };
  }
  it('a non-finite objective before any update: nothing kept, nothing changed', async () => {
    const { out, before, after } = await diverge(0.1, true);
    expect(out.divergence).toMatchObject({ epochIndex: 0, batch: 0, kind: 'loss', kept: 0, beforeAnyUpdate: true });
    expect(out.stats[0]).toHaveLength(1);
    expect(after).toEqual(before);
  });
  it('a non-finite objective after an update: that update is undone', async () => {
    // η = 3e38: the first update leaves finite weights whose outputs overflow
    const { out, before, after } = await diverge(3e38);
    expect(out.divergence).toMatchObject({ epochIndex: 0, batch: 1, kind: 'loss', kept: 0, beforeAnyUpdate: false });
    expect(Number.isFinite(out.stats[0][0].lossSum)).toBe(true);
    expect(after).toEqual(before);
  });
  it('an update that makes the state non-finite is not taken; the ones before it are kept', async () => {
    // η = 1e25: the second update overflows (gradients of ~1e25 times 1e25)
    const { t, out, after } = await diverge(1e25);
    expect(out.divergence).toMatchObject({ epochIndex: 0, batch: 1, kind: 'update', kept: 1, beforeAnyUpdate: false });
    expect(after.every(Number.isFinite)).toBe(true);
    // the state is that of exactly one update: the same first batch alone
    const one = await twins(linearNet);
    await one.wasm.setTrainingData(toInputs(data.x.slice(0, 4), t.net), toTargets(data.y.slice(0, 4), t.net, 4), 4);
    await one.wasm.trainEpochs([plan(4, 4, 1e25)], null);
    expect(after).toEqual(flatParams(await one.wasm.readParams()));
  });
  it('after the rollback, training goes on from the state before the undone update, as the CPU trains from it', async () => {
    const t = await twins(linearNet);
    const xd = toInputs(data.x, t.net);
    const yd = toTargets(data.y, t.net, 8);
    await t.wasm.setTrainingData(xd, yd, 4);
    expect((await t.wasm.trainEpochs([plan(8, 4, 3e38)], null)).divergence?.kind).toBe('loss');
    await t.cpu.setTrainingData(xd, yd, 4);
    for (const b of [t.cpu, t.wasm]) await b.trainEpochs([plan(8, 4, 0.05, 'momentum'), plan(8, 4, 0.05, 'momentum', 2)], null);
    const failures = differences('after the rollback and 4 steps', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(4));
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('wasm: reporting, aborting, grouped epochs', () => {
  it('the reporter hears of every batch once, in order, and its throw stops training with every reported batch kept', async () => {
    const t = await twins(softmaxNet);
    const { x, y } = caseData(softmaxNet, 40, 'report');
    await t.wasm.setTrainingData(toInputs(x, t.net), toTargets(y, t.net, 40), 4);
    const seen: number[] = [];
    const out = await t.wasm.trainEpochs([plan(40, 4, 0.1)], (first, stats) => {
      stats.forEach((_, i) => seen.push(first + i));
    });
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(out.stats[0]).toHaveLength(10);
    const thrown = await t.wasm.trainEpochs([plan(40, 4, 0.1)], () => {
      throw new Error('stop here');
    });
    expect(thrown.stopped).toBe(true);
    expect((thrown.callbackError?.error as Error).message).toBe('stop here');
    expect(thrown.stats[0].length).toBeGreaterThan(0);
  });
  it('an aborted signal stops before the next group of batches', async () => {
    const t = await twins(softmaxNet);
    const { x, y } = caseData(softmaxNet, 40, 'abort');
    await t.wasm.setTrainingData(toInputs(x, t.net), toTargets(y, t.net, 40), 4);
    const abort = new AbortController();
    abort.abort();
    const out = await t.wasm.trainEpochs([plan(40, 4, 0.1)], null, abort.signal);
    expect(out.stopped).toBe(true);
    expect(out.stats.flat()).toHaveLength(0);
    expect(flatParams(await t.wasm.readParams())).toEqual(flatParams(t.params).map(Math.fround));
  });
  it('many short epochs in one call (the fit loop groups them) train as the CPU trains them one by one', async () => {
    const t = await twins(linearNet);
    const { x, y } = caseData(linearNet, 5, 'grouped');
    const fit = { epochs: 60, batchSize: 2, learningRate: 0.05, optimizer: 'adam' as const };
    const [hc, hw] = [await fitOn(fitHost(t.cpu, t.net), x, y, fit), await fitOn(fitHost(t.wasm, t.net), x, y, fit)];
    expect(t.wasm.maxEpochsPerCall(3)).toBeGreaterThan(60);
    const failures = differences('after 180 steps', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(180));
    failures.push(...differences('epoch losses', hc.epochs.map((e) => e.loss), hw.epochs.map((e) => e.loss), { atol: 1e-5, rtol: 1e-3 }));
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('wasm: streamed blocks and early stopping', () => {
  it('loadBlock / trainBlock over two slots in turn train as on the CPU', async () => {
    const t = await twins(softmaxNet);
    const { x, y } = caseData(softmaxNet, 30, 'blocks');
    const block = (r0: number, r1: number) => [toInputs(x.slice(r0, r1), t.net), toTargets(y.slice(r0, r1), t.net, r1 - r0)] as const;
    const blocks = [block(0, 12), block(12, 30), block(0, 7)];
    const stats: BatchStats[][] = [];
    for (const b of [t.cpu, t.wasm]) {
      let steps = 0;
      for (let i = 0; i < blocks.length; i++) {
        const [bx, by] = blocks[i];
        await b.loadBlock(i % 2, bx, by, 5);
        const out = await b.trainBlock(i % 2, plan(bx.rows, 5, 0.05, 'adam', steps), null);
        steps += out.stats[0].length;
        stats.push(out.stats[0]);
      }
    }
    await expect(t.wasm.trainBlock(1, plan(4, 2, 0.1), null)).rejects.toThrow(/order has 4 indices, expected one per row of the 18 rows held/);
    t.wasm.releaseBlocks();
    await expect(t.wasm.trainBlock(0, plan(4, 2, 0.1), null)).rejects.toThrow(/block slot 0 holds nothing/);
    const failures = differences('after the blocks', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(10));
    failures.push(...differences('block losses', stats.slice(0, 3).flat().map((s) => s.lossSum), stats.slice(3).flat().map((s) => s.lossSum), { atol: 1e-5, rtol: 1e-4 }));
    expect(failures, failures.join('\n')).toEqual([]);
  });
  it('early stopping with restoreBestWeights ends on the best epoch, as on the CPU', async () => {
    const t = await twins(softmaxNet);
    const { x, y } = caseData(softmaxNet, 30, 'early');
    const val = caseData(softmaxNet, 12, 'early-val');
    const fit = { epochs: 12, batchSize: 6, learningRate: 0.8, validationData: [val.x, val.y] as [number[][], number[][]], earlyStopping: { patience: 2, restoreBestWeights: true } };
    const [hc, hw] = [await fitOn(fitHost(t.cpu, t.net), x, y, fit), await fitOn(fitHost(t.wasm, t.net), x, y, fit)];
    expect(hw.bestEpoch).toBe(hc.bestEpoch);
    expect(hw.epochs.length).toBe(hc.epochs.length);
    const failures = differences('restored parameters', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(60));
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
