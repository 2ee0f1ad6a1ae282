// fitDataset takes every fit feature through the one option resolver fit uses: the option table
// is iterated (each option accepted by the calls that take it, refused with a reason by the other),
// and fit and fitDataset over the same rows in the same order give the same weights and logs for
// each feature (schedules, early stopping with restored weights, clipping, sample weights in the
// chunks, class weights, dropout, regression metrics) on the CPU path and on wasm.
import { describe, expect, it } from 'vitest';
import { MLP } from '../src/model/model';
import { resolveFitPlan } from '../src/fit/options';
import { resolveStreamPlan } from '../src/fit/stream';
import { TRAINING_OPTIONS, optionNames } from '../src/fit/training-options';
import { FIT_KEYS } from '../src/fit/options';
import { FIT_DATASET_KEYS } from '../src/fit/stream';
import { Rng } from '../src/core/random';
import type { DatasetChunk } from '../src/streams/chunk';
import type { FitDatasetOptions, FitOptions, ModelConfig } from '../src/core/types';

// the option table and the public option types name the same options
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Takes<C> = { [K in keyof typeof TRAINING_OPTIONS]: (typeof TRAINING_OPTIONS)[K] extends 'both' | C ? K : never }[keyof typeof TRAINING_OPTIONS];
const fitTypesMatch: Same<keyof FitOptions, Takes<'fit'>> = true;
const streamTypesMatch: Same<keyof FitDatasetOptions, Takes<'fitDataset'>> = true;

const N = 97;
const rng = new Rng(41, 'fit-dataset features');
const X = Array.from({ length: N }, () => Array.from({ length: 5 }, () => rng.uniform(-2, 2)));
const labels = X.map((r) => (r[0] + r[1] * r[2] > 0.3 ? 0 : r[3] > 0 ? 1 : 2));
const targets = X.map((r) => [Math.sin(r[0]) + 0.5 * r[1] * r[4], r[2] - r[3] ** 2 / 4]);
const weights = Array.from({ length: N }, () => rng.uniform(0, 2));
const cuts = [0, 23, 40, 81, 97];
const VX = X.slice(0, 19).map((r) => r.map((v) => -v));
const shape = 'shape 5 → 7 → 3 (softmax) or 5 → 6 → 2 (linear), 97 rows in chunks of 23, 17, 41, 16, batch 8';

const classifier: ModelConfig = { inputSize: 5, layers: [{ units: 7, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 3, l2: 0.01 };
const regressor: ModelConfig = { inputSize: 5, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 5 };

/** The rows cut at `cuts` as chunks, with their weights when `weighted`. */
const chunksOf = (y: unknown[], weighted: boolean): DatasetChunk[] =>
  cuts.slice(0, -1).map((c, i) => {
    const chunk: DatasetChunk = { x: X.slice(c, cuts[i + 1]), y: y.slice(c, cuts[i + 1]) as number[] };
    if (weighted) chunk.sampleWeight = weights.slice(c, cuts[i + 1]);
    return chunk;
  });

const flat = (w: { weights: number[][][]; biases: number[][] }) => [...w.weights.flat(2), ...w.biases.flat()];

describe('one option resolver: every option of the table, on both calls', () => {
  const config = { ...classifier, backend: 'cpu' as const };
  const samples: Record<keyof typeof TRAINING_OPTIONS, unknown> = {
    epochs: 2, batchSize: 8, learningRate: { type: 'cosine', initial: 0.1, warmupSteps: 2 }, optimizer: 'adam', shuffle: false,
    validationData: [VX, labels.slice(0, 19)], onEpochEnd: () => {}, onBatchEnd: () => {}, signal: new AbortController().signal,
    earlyStopping: { monitor: 'valLoss', patience: 2, restoreBestWeights: true }, clipNorm: 1, clipValue: 0.5, classWeight: { 0: 2 },
    sampleWeight: weights, validationSplit: 0.2, shuffleWindow: 2,
  };
  it('the public key lists are the table\'s', () => {
    expect(fitTypesMatch && streamTypesMatch).toBe(true);
    expect([...FIT_KEYS].sort()).toEqual(Object.keys(TRAINING_OPTIONS).filter((k) => TRAINING_OPTIONS[k as keyof typeof TRAINING_OPTIONS] !== 'fitDataset').sort());
    expect([...FIT_DATASET_KEYS].sort()).toEqual(optionNames('fitDataset').sort());
  });
  for (const [name, takes] of Object.entries(TRAINING_OPTIONS)) {
    it(`${name} (${takes})`, async () => {
      const net = (await MLP.create(config)).config;
      const options = { [name]: samples[name as keyof typeof TRAINING_OPTIONS] };
      if (name === 'earlyStopping') options.validationData = samples.validationData;
      const fit = () => resolveFitPlan(options as FitOptions, X, labels, net, 'cpu');
      const stream = () => resolveStreamPlan(options as FitDatasetOptions, net, 'cpu', () => chunksOf(labels, false));
      if (takes === 'fitDataset') expect(fit).toThrow(new RegExp(`^fit does not take ${name}: \\S`));
      else expect(fit).not.toThrow();
      if (takes === 'fit') expect(stream).toThrow(new RegExp(`^fitDataset does not take ${name}: \\S`));
      else expect(stream).not.toThrow();
      // a bad value is refused by both calls with the same message
      if (takes === 'both' && !['onEpochEnd', 'onBatchEnd', 'signal', 'validationData'].includes(name)) {
        const bad = { ...options, [name]: name === 'shuffle' ? 'yes' : name === 'optimizer' ? 'adamx' : -3 };
        const fitError = (() => { try { resolveFitPlan(bad as FitOptions, X, labels, net, 'cpu'); } catch (e) { return (e as Error).message; } return 'accepted'; })();
        const streamError = (() => { try { resolveStreamPlan(bad as FitDatasetOptions, net, 'cpu', () => chunksOf(labels, false)); } catch (e) { return (e as Error).message; } return 'accepted'; })();
        expect(fitError).not.toBe('accepted');
        expect(streamError).toBe(fitError);
      }
    });
  }
  it('what cannot apply to a stream is refused saying why; a one-shot source cannot be counted for cosine', async () => {
    const m = await MLP.create(config);
    await expect(m.fitDataset(chunksOf(labels, false), { validationSplit: 0.2 } as never)).rejects.toThrow(/fitDataset does not take validationSplit: a stream is not held in memory, so no fraction of it can be held out: pass validationData/);
    await expect(m.fitDataset(chunksOf(labels, false), { sampleWeight: weights } as never)).rejects.toThrow(/fitDataset does not take sampleWeight: .* give each chunk its rows' weights as a sampleWeight field/);
    await expect(m.fit(X, labels, { shuffleWindow: 2 } as never)).rejects.toThrow(/fit does not take shuffleWindow/);
    const once = (function* () { yield* chunksOf(labels, false); })();
    await expect(m.fitDataset(once, { learningRate: { type: 'cosine', initial: 0.1 } })).rejects.toThrow(/a 'cosine' schedule needs the stream's length/);
    await expect(m.fitDataset([{ x: X.slice(0, 3), y: labels.slice(0, 3), sampleWeight: [1, 2] }])).rejects.toThrow(/chunk 0 sampleWeight must have one weight per row of chunk 0 x \(3\), got 2/);
    await expect(m.fitDataset([{ x: X.slice(0, 2), y: labels.slice(0, 2), sampleWeight: [1, -2] }])).rejects.toThrow(/chunk 0 sampleWeight\[1\] must be a finite number >= 0, got -2/);
    await expect(m.fitDataset(chunksOf(labels, false), { earlyStopping: { monitor: 'valLoss' } })).rejects.toThrow(/earlyStopping.monitor 'valLoss' needs validation data/);
    expect(flat(await m.getWeights())).toEqual(flat(await (await MLP.create(config)).getWeights()));
  });
});

interface Feature {
  name: string;
  regression?: boolean;
  /** Hidden units dropped with this probability (the masks of later blocks continue the epoch's). */
  dropout?: number;
  weighted?: boolean;
  options: FitOptions & FitDatasetOptions;
  /** What the feature must visibly do in fit's history (so that the parity is not vacuous). */
  check?: (h: Awaited<ReturnType<MLP['fit']>>) => void;
}
const val = { validationData: [VX, labels.slice(0, 19)] as [number[][], number[]] };
const features: Feature[] = [
  { name: "'step' schedule", options: { learningRate: { type: 'step', initial: 0.3, every: 2, factor: 0.5 } }, check: (h) => expect(h.epochs[3].learningRate).toBeCloseTo(0.15, 12) },
  { name: "'exponential' schedule", options: { learningRate: { type: 'exponential', initial: 0.3, decay: 0.7 } } },
  { name: "'cosine' schedule with warmup", options: { learningRate: { type: 'cosine', initial: 0.3, warmupSteps: 5, minLearningRate: 0.01 } }, check: (h) => expect(h.epochs[3].learningRate).toBeLessThan(0.02) },
  { name: "'reduceOnPlateau' on valLoss", options: { ...val, learningRate: { type: 'reduceOnPlateau', initial: 0.5, monitor: 'valLoss', patience: 0, factor: 0.5, minDelta: 0.05 } }, check: (h) => expect(h.epochs[3].learningRate).toBeLessThan(0.5) },
  {
    name: 'early stopping on valLoss, restoring the best weights', options: { ...val, learningRate: 0.2, earlyStopping: { monitor: 'valLoss', patience: 1, minDelta: 10, restoreBestWeights: true } },
    check: (h) => expect([h.stopReason, h.epochs.length, h.bestEpoch, h.restoredBestWeights]).toEqual(['earlyStopping', 2, 1, true]),
  },
  { name: 'dropout 0.3 (the same masks across blocks), Adam', dropout: 0.3, options: { learningRate: 0.02, optimizer: 'adam' } },
  { name: 'clipNorm and clipValue', options: { learningRate: 0.5, optimizer: 'momentum', clipNorm: 0.05, clipValue: 0.01 } },
  { name: 'sample weights (fit: sampleWeight; fitDataset: in the chunks)', weighted: true, options: { learningRate: 0.2 } },
  { name: 'class weights', options: { learningRate: 0.2, classWeight: { 0: 3, 2: 0.25 } } },
  { name: 'class × sample weights, Adam, cosine', weighted: true, options: { optimizer: 'adam', learningRate: { type: 'cosine', initial: 0.05 }, classWeight: [0.5, 2, 1] } },
  {
    name: 'regression: mae and r2 logged, early stopping on valMae', regression: true,
    options: { validationData: [VX, targets.slice(0, 19)], learningRate: 0.1, earlyStopping: { monitor: 'valMae', patience: 3 } },
    check: (h) => expect(h.epochs.every((e) => typeof e.mae === 'number' && typeof e.r2 === 'number' && typeof e.valMae === 'number')).toBe(true),
  },
];

for (const backend of ['cpu', 'wasm'] as const) {
  // float64 on the CPU path; float32 on wasm (the same operations in the same order: close, not equal)
  const tol = backend === 'cpu' ? 1e-9 : 2e-5;
  describe(`fit and fitDataset over the same rows in the same order give the same weights (${backend})`, () => {
    for (const f of features) {
      it(f.name, async () => {
        const base = f.regression ? regressor : classifier;
        const config = { ...base, layers: base.layers.map((l, i) => (i === 0 && f.dropout ? { ...l, dropout: f.dropout } : l)), backend };
        const y = f.regression ? targets : labels;
        const common = { epochs: 4, batchSize: 8, shuffle: false, ...f.options };
        const a = await MLP.create(config);
        const ha = await a.fit(X, y as number[], f.weighted ? { ...common, sampleWeight: weights } : common);
        const b = await MLP.create(config);
        const hb = await b.fitDataset(() => chunksOf(y, f.weighted === true), common);
        f.check?.(ha);
        const wa = flat(await a.getWeights());
        const wb = flat(await b.getWeights());
        const worst = Math.max(...wa.map((v, i) => Math.abs(v - wb[i])));
        expect(worst, `${shape}: max |Δw| ${worst}`).toBeLessThan(tol);
        expect(hb.epochs.length, shape).toBe(ha.epochs.length);
        expect([hb.stopReason, hb.bestEpoch, hb.restoredBestWeights], shape).toEqual([ha.stopReason, ha.bestEpoch, ha.restoredBestWeights]);
        ha.epochs.forEach((ea, e) => {
          for (const key of ['loss', 'learningRate', 'valLoss', 'mae', 'r2', 'valMae'] as const) {
            if (ea[key] === undefined) continue;
            expect(hb.epochs[e][key], `${shape}: epoch ${e + 1} ${key}`).toBeCloseTo(ea[key]!, backend === 'cpu' ? 9 : 4);
          }
        });
      });
    }
  });
}
