// The admissions tutorial (seed 000): a two-layer sigmoid net trained on 400 graduate-admission
// records with the accumulate-over-the-dataset-then-divide-by-m update. The data lives in
// ../shared/data/admissions.csv beside the checkout.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLP, Rng } from '../src';

const csvPath = resolve(import.meta.dirname, '../../shared/data/admissions.csv');

/** The tutorial's data preparation: rank one-hot, gre and gpa standardized, 10% held out. */
function prepare() {
  const rows = readFileSync(csvPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const mean = (k: number) => rows.reduce((a, r) => a + r[k], 0) / rows.length;
  const std = (k: number) => Math.sqrt(rows.reduce((a, r) => a + (r[k] - mean(k)) ** 2, 0) / (rows.length - 1));
  const [mg, sg, mp, sp] = [mean(1), std(1), mean(2), std(2)];
  const x = rows.map((r) => [(r[1] - mg) / sg, (r[2] - mp) / sp, ...[1, 2, 3, 4].map((k) => (r[3] === k ? 1 : 0))]);
  const y = rows.map((r) => r[0]);
  const perm = new Rng(21, 'admissions split').permutation(rows.length);
  const nTrain = Math.round(rows.length * 0.9);
  const pick = <T,>(a: T[], from: number, to: number) => Array.from(perm.subarray(from, to), (i) => a[i]);
  return { xTrain: pick(x, 0, nTrain), yTrain: pick(y, 0, nTrain), xTest: pick(x, nTrain, rows.length), yTest: pick(y, nTrain, rows.length) };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe.runIf(existsSync(csvPath))('admissions tutorial (../shared/data/admissions.csv)', () => {
  const config = {
    inputSize: 6,
    layers: [{ units: 2, activation: 'sigmoid' as const }, { units: 1, activation: 'sigmoid' as const }],
    loss: 'sse' as const, // δ = (y − ŷ)·f'(h): the tutorial's error term
    useBias: false,
    initializer: { type: 'normal' as const }, // N(0, 1/n_features) as in the tutorial
    seed: 21,
    backend: 'cpu' as const,
  };

  it('one full-batch step equals the tutorial loop: Δw accumulated record by record, then w += η·Δw/m', async () => {
    const { xTrain, yTrain } = prepare();
    const model = await MLP.create(config);
    const { weights } = await model.getWeights();
    // the tutorial's algorithm, written out independently of the library
    const W1 = weights[0].map((r) => r.slice()); // [6][2]
    const W2 = weights[1].map((r) => r[0]); // [2]
    const dW1 = W1.map((r) => r.map(() => 0));
    const dW2 = [0, 0];
    xTrain.forEach((x, n) => {
      const h = [0, 1].map((j) => sigmoid(x.reduce((a, xi, i) => a + xi * W1[i][j], 0)));
      const out = sigmoid(h[0] * W2[0] + h[1] * W2[1]);
      const outputErrorTerm = (yTrain[n] - out) * out * (1 - out);
      const hiddenErrorTerm = [0, 1].map((j) => outputErrorTerm * W2[j] * h[j] * (1 - h[j]));
      for (let j = 0; j < 2; j++) dW2[j] += outputErrorTerm * h[j];
      x.forEach((xi, i) => [0, 1].forEach((j) => (dW1[i][j] += hiddenErrorTerm[j] * xi)));
    });
    const eta = 0.005;
    const m = xTrain.length;
    const expected1 = W1.map((r, i) => r.map((w, j) => w + (eta * dW1[i][j]) / m));
    const expected2 = W2.map((w, j) => w + (eta * dW2[j]) / m);

    await model.fit(xTrain, yTrain, { epochs: 1, batchSize: m, learningRate: eta, shuffle: false });
    const after = (await model.getWeights()).weights;
    after[0].forEach((r, i) => r.forEach((w, j) => expect(w).toBeCloseTo(expected1[i][j], 14)));
    after[1].forEach((r, j) => expect(r[0]).toBeCloseTo(expected2[j], 14));
  });

  it('900 full-batch epochs at η = 0.005 lower the training MSE every time it is printed, as in the tutorial', async () => {
    const { xTrain, yTrain } = prepare();
    const model = await MLP.create(config);
    const printed: number[] = [];
    await model.fit(xTrain, yTrain, {
      epochs: 900, batchSize: xTrain.length, learningRate: 0.005, shuffle: false,
      onEpochEnd: async (log) => {
        if ((log.epoch - 1) % 90 === 0) printed.push(log.loss);
      },
    });
    expect(printed.length).toBe(10);
    for (let i = 1; i < printed.length; i++) expect(printed[i]).toBeLessThan(printed[i - 1]);
    // (the logged loss is the mean of ½(y − ŷ)², half the tutorial's printed mean squared error)
    console.log(`admissions, η = 0.005: train loss ${printed[0].toFixed(4)} → ${printed.at(-1)!.toFixed(4)}`);
  });

  it('with a larger step (η = 1) the same 900 epochs beat the majority class on the held-out 10%', async () => {
    const { xTrain, yTrain, xTest, yTest } = prepare();
    const model = await MLP.create(config);
    await model.fit(xTrain, yTrain, { epochs: 900, batchSize: xTrain.length, learningRate: 1, shuffle: false });
    const { accuracy } = await model.evaluate(xTest, yTest);
    const majority = Math.max(...[0, 1].map((c) => yTest.filter((v) => v === c).length)) / yTest.length;
    console.log(`admissions, η = 1: test accuracy ${accuracy.toFixed(3)} (majority class ${majority.toFixed(3)})`);
    expect(accuracy).toBeGreaterThan(majority);
  });
});
