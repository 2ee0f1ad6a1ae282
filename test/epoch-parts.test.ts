// An epoch trained in parts (src/fit/epoch-parts.ts, what 'auto' does while its decision is
// pending) against the same epoch trained whole: the part builder on the CPU and wasm trainers
// (Adam, a per-step schedule, dropout, clipping and sample weights), and the fit loop with a host
// that asks for parts: logs, batch indices, divergence, a throwing onBatchEnd and an abort.
import { describe, expect, it } from 'vitest';
import { resolveOptimizer } from '../src/core/config';
import { toInputs, toTargets } from '../src/core/data';
import { epochDropKey } from '../src/core/dropout-mask';
import { Rng } from '../src/core/random';
import type { EpochPlan, TrainerBackend } from '../src/core/trainer';
import type { BatchLog, FitOptions, History, ModelConfig } from '../src/core/types';
import type { FitHost } from '../src/fit/loop';
import { epochPart, trainInParts } from '../src/fit/epoch-parts';
import { caseData, differences, fitHost, fitOn, flatParams, twins } from './wasm-twins';

const net: ModelConfig = { inputSize: 5, layers: [{ units: 9, activation: 'relu', dropout: 0.3 }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 13 };
// 47 rows in batches of 4: 12 batches, the last of 3 rows
const rows = 47;
const data = caseData(net, rows, 'epoch parts');
const weights = Float64Array.from({ length: rows }, (_, i) => 0.25 + ((i * 7) % 5) / 4);
/** Tight enough for "the same operations in the same order" (bit-for-bit is expected on both trainers). */
const same = { atol: 1e-12, rtol: 1e-12 };

/** Epoch plan of 12 batches: a shuffle, Adam after 7 earlier steps, a rate per step, dropout and clipping. */
function epochPlan(): EpochPlan {
  const rates = Float64Array.from({ length: 12 }, (_, b) => 0.05 * (1 + Math.cos((Math.PI * b) / 12)) + 0.001);
  return {
    order: new Rng(3, 'parts order').permutation(rows), batchSize: 4, learningRate: rates[0], learningRates: rates, optimizer: resolveOptimizer('adam'),
    stepsBefore: 7, dropKey: epochDropKey(13, 2), clip: { norm: 0.8, value: 0.05 },
  };
}

/** Caps handed out part by part (then the last one again). */
const caps = (list: number[]) => {
  let k = 0;
  return () => list[Math.min(k++, list.length - 1)];
};

async function loaded(kind: 'cpu' | 'wasm'): Promise<TrainerBackend> {
  const t = await twins(net);
  const b = t[kind];
  await b.setTrainingData(toInputs(data.x, t.net), toTargets(data.y, t.net, rows), 4, weights);
  return b;
}

const flatState = async (b: TrainerBackend) => [...flatParams(await b.readParams()), ...((await b.readOptimizerState())?.layers.flatMap((l) => [...l.w, ...l.b].flatMap((a) => Array.from(a))) ?? [])];

describe('epochPart: the plan of batches [from, to) of an epoch', () => {
  it('cuts the order at batch boundaries and moves the rates, steps and first batch with it', () => {
    const plan = epochPlan();
    const part = epochPart(plan, 4, 12);
    expect(Array.from(part.order)).toEqual(Array.from(plan.order.slice(16)));
    expect(part.stepsBefore).toBe(11);
    expect(part.firstBatch).toBe(4);
    expect(Array.from(part.learningRates!)).toEqual(Array.from(plan.learningRates!).slice(4));
    expect(part.learningRate).toBe(plan.learningRates![4]);
    expect([part.dropKey, part.clip, part.batchSize]).toEqual([plan.dropKey, plan.clip, 4]);
    expect(() => epochPart(plan, 5, 5)).toThrow(/batches \[5, 5\) are not a non-empty range of the epoch's 12 batches/);
    expect(() => epochPart(plan, 0, 13)).toThrow(/\[0, 13\)/);
  });
});

describe('an epoch in parts trains as the whole epoch', () => {
  for (const kind of ['cpu', 'wasm'] as const) {
    it(`${kind}: Adam, a schedule, dropout, clipping and sample weights; parts of 1, 3, 2, 5 and 1 batches`, async () => {
      const [whole, parted] = [await loaded(kind), await loaded(kind)];
      const plan = epochPlan();
      const ref = await whole.trainEpochs([plan], null);
      const between: number[] = [];
      const progress = { steps: 7 };
      const { outcome, last } = await trainInParts(plan, { train: (p) => parted.trainEpochs([p], null), partCap: caps([1, 3, 2, 5]), between: async (b) => void between.push(b), progress });
      expect(between).toEqual([1, 4, 6, 11]);
      expect(progress.steps, 'the loop counts the epoch: the counter is put back').toBe(7);
      expect(last.steps).toBe(1);
      expect(outcome.stats[0].map((s) => s.size)).toEqual(ref.stats[0].map((s) => s.size));
      const failures = differences(`${kind} 5-9-3, 47 rows, batch 4: batch losses`, ref.stats[0].map((s) => s.lossSum), outcome.stats[0].map((s) => s.lossSum), same);
      failures.push(...differences(`${kind}: parameters and Adam state`, await flatState(whole), await flatState(parted), same));
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }

  it('cpu: a divergence at the first batch of a part undoes the previous part\'s last update, as inside a whole epoch', async () => {
    const [whole, parted] = [await loaded('cpu'), await loaded('cpu')];
    const plan = epochPlan();
    // batch 6's rate sends the weights past float64's range at batch 7's loss
    plan.learningRates = Float64Array.from(plan.learningRates!, (r, b) => (b === 6 ? 1e300 : r));
    const ref = await whole.trainEpochs([plan], null);
    const { outcome } = await trainInParts(plan, { train: (p) => parted.trainEpochs([p], null), partCap: caps([3, 4, 8]), between: async () => {}, progress: { steps: 7 } });
    expect(ref.divergence).toMatchObject({ epochIndex: 0, batch: 7, kind: 'loss', kept: 6, beforeAnyUpdate: false });
    expect(outcome.divergence).toEqual(ref.divergence);
    expect(outcome.stats[0].length).toBe(ref.stats[0].length);
    const failures = differences('after the rollback', await flatState(whole), await flatState(parted), same);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('the fit loop with a host that asks for parts (as while auto waits)', () => {
  const options: FitOptions = {
    epochs: 2, batchSize: 4, learningRate: { type: 'cosine', initial: 0.05 }, optimizer: 'adam', clipNorm: 0.8, sampleWeight: Array.from(weights), shuffle: true,
  };
  const regression: ModelConfig = { inputSize: 5, layers: [{ units: 9, activation: 'relu' }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 13 };

  /**
   * The same fit on two CPU trainers: through a plain host, and through one asking for parts of
   * `cap` batches (recording its boundaries). `opts(k)`: run k's options; its batch logs are kept.
   */
  async function pair(config: ModelConfig, opts: (k: number) => FitOptions, cap: number) {
    const [p, q] = [await twins(config), await twins(config)];
    const d = caseData(config, rows, 'epoch parts');
    const seen: string[] = [];
    const hosts: FitHost[] = [fitHost(p.cpu, p.net), { ...fitHost(q.cpu, q.net), partCap: () => cap, atBoundary: async (b) => void seen.push(`${b.epoch}:${b.batch ?? '-'}:${b.steps}`) }];
    const logs = ['', ''];
    const out: { hist: History | null; error: string | null }[] = [];
    for (const k of [0, 1]) {
      const o = opts(k);
      const onBatchEnd = (l: BatchLog) => {
        logs[k] += `${l.epoch}.${l.batch}/${l.batches} `;
        return o.onBatchEnd?.(l);
      };
      try {
        out.push({ hist: await fitOn(hosts[k], d.x, d.y, { ...o, onBatchEnd }), error: null });
      } catch (e) {
        out.push({ hist: null, error: (e as Error).message });
      }
    }
    const failures = differences(`${config.inputSize}-9-${config.layers[1].units}, ${rows} rows, batch 4, parts of ${cap}: parameters`, flatParams(await p.cpu.readParams()), flatParams(await q.cpu.readParams()), same);
    return { plain: out[0], parted: out[1], logs, seen, steps: hosts.map((h) => h.progress.steps), epochs: hosts.map((h) => h.progress.epochsTrained), failures };
  }

  it('logs, batch indices and boundaries: two epochs in parts of 5 train as two whole ones', async () => {
    const r = await pair(net, () => options, 5);
    expect(r.parted.error).toBeNull();
    expect(r.logs[1]).toBe(r.logs[0]);
    expect(r.logs[0]).toMatch(/^1\.1\/12 1\.2\/12 .* 2\.12\/12 $/);
    // parts of 5, 5 and 2 batches: boundaries after batches 5 and 10 of each epoch, and after epoch 1 (its last part's 2 steps)
    expect(r.seen).toEqual(['0:5:5', '0:10:5', '1:-:2', '1:5:5', '1:10:5']);
    expect(r.steps).toEqual([24, 24]);
    expect(r.epochs).toEqual([2, 2]);
    const [a, b] = [r.plain.hist!, r.parted.hist!];
    expect(b.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    r.failures.push(...differences('epoch losses', a.epochs.map((e) => e.loss), b.epochs.map((e) => e.loss), same));
    r.failures.push(...differences('epoch accuracies and rates', a.epochs.flatMap((e) => [e.accuracy, e.learningRate]), b.epochs.flatMap((e) => [e.accuracy, e.learningRate]), same));
    expect(r.failures, r.failures.join('\n')).toEqual([]);
  });

  it('an onBatchEnd that throws in a later part: the same error, steps and parameters', async () => {
    const fail = (l: BatchLog) => {
      if (l.epoch === 1 && l.batch === 8) throw new Error('stop at 1.8');
    };
    const r = await pair(net, () => ({ ...options, onBatchEnd: fail }), 3);
    expect([r.plain.error, r.parted.error]).toEqual(['stop at 1.8', 'stop at 1.8']);
    expect(r.steps).toEqual([8, 8]);
    expect(r.logs[1]).toBe(r.logs[0]);
    expect(r.failures, r.failures.join('\n')).toEqual([]);
  });

  it('a divergence at the first batch of a later part: the same error (epoch, batch, steps kept) and state', async () => {
    // sgd at 1e10 on this regression overflows the loss at epoch 1's batch 4: the first of the second part of 3
    const r = await pair(regression, () => ({ epochs: 2, batchSize: 4, learningRate: 1e10, optimizer: 'sgd' }), 3);
    expect(r.plain.error).toMatch(/^training diverged: the loss became Infinity at epoch 1, batch 4 of 12; .*\(step 2 of this optimizer\)/);
    expect(r.parted.error).toBe(r.plain.error);
    expect(r.steps).toEqual([2, 2]);
    expect(r.failures, r.failures.join('\n')).toEqual([]);
  });

  it('an abort in a later part stops there, the epoch logged as far as it went', async () => {
    const stops = [new AbortController(), new AbortController()];
    const opts = (k: number): FitOptions => ({
      ...options, signal: stops[k].signal,
      onBatchEnd: (l) => {
        if (l.epoch === 2 && l.batch === 7) stops[k].abort();
      },
    });
    const r = await pair(net, opts, 3);
    expect(r.logs[1]).toBe(r.logs[0]);
    expect(r.logs[0]).toMatch(/ 2\.7\/12 $/);
    expect(r.steps).toEqual([19, 19]);
    const [a, b] = [r.plain.hist!, r.parted.hist!];
    expect([a.stopped, b.stopped, a.stopReason, b.stopReason]).toEqual([true, true, 'aborted', 'aborted']);
    expect(b.epochs.length).toBe(a.epochs.length);
    r.failures.push(...differences('epoch losses', a.epochs.map((e) => e.loss), b.epochs.map((e) => e.loss), same));
    expect(r.failures, r.failures.join('\n')).toEqual([]);
  });
});
