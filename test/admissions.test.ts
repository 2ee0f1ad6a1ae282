// The admissions tutorial (seed 000): a two-layer sigmoid net trained on the 400 UCLA
// graduate-admission records with the accumulate-over-the-dataset-then-divide-by-m update.
//
// Data: test/fixtures/admissions.csv (admit, gre, gpa, rank). Its fourth data row reads admit 1, as
// in the published data set; an older copy had 0 there. numpy's seed-21 draws (which rows are held
// out, in what order the rest are visited, the initial weights) are replayed by
// test/fixtures/admissions-seed21.py into test/fixtures/admissions-seed21.json, so no Python runs
// here. That row (index 3) is in the training split, not the test split, so with the corrected row:
// - the ten printed training losses changed (the old copy gives 0.25137711219982123 … 0.24011623283638736);
// - the test accuracy (0.725) and the test split's majority class (0.65) did not.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';

const fixtures = resolve(import.meta.dirname, 'fixtures');

/** numpy's draws, as test/fixtures/admissions-seed21.py wrote them. */
interface Seed21 {
  /** The 360 training rows, in the order the tutorial visits them. */
  trainIndices: number[];
  /** The 40 held-out rows, in file order. */
  testIndices: number[];
  /** The initial input→hidden weights, `[6 features][2 hidden]` (the library's `[fanIn][units]` layout). */
  weightsInputHidden: number[][];
  /** The initial hidden→output weights, `[2]`. */
  weightsHiddenOutput: number[];
}
const seed21: Seed21 = JSON.parse(readFileSync(resolve(fixtures, 'admissions-seed21.json'), 'utf8'));

/** The tutorial's data preparation: rank one-hot, gre and gpa standardized (ddof 1), numpy's 10% split. */
function prepare() {
  const rows = readFileSync(resolve(fixtures, 'admissions.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const mean = (k: number) => rows.reduce((a, r) => a + r[k], 0) / rows.length;
  const std = (k: number) => Math.sqrt(rows.reduce((a, r) => a + (r[k] - mean(k)) ** 2, 0) / (rows.length - 1));
  const [mg, sg, mp, sp] = [mean(1), std(1), mean(2), std(2)];
  const x = rows.map((r) => [(r[1] - mg) / sg, (r[2] - mp) / sp, ...[1, 2, 3, 4].map((k) => (r[3] === k ? 1 : 0))]);
  const y = rows.map((r) => r[0]);
  const pick = <T,>(a: T[], idx: number[]) => idx.map((i) => a[i]);
  return {
    rows: rows.length,
    xTrain: pick(x, seed21.trainIndices), yTrain: pick(y, seed21.trainIndices),
    xTest: pick(x, seed21.testIndices), yTest: pick(y, seed21.testIndices),
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('admissions tutorial (test/fixtures/admissions.csv)', () => {
  const config = {
    inputSize: 6,
    layers: [{ units: 2, activation: 'sigmoid' as const }, { units: 1, activation: 'sigmoid' as const }],
    loss: 'sse' as const, // δ = (y − ŷ)·f'(h): the tutorial's error term
    useBias: false,
    // the tutorial's np.random.normal(scale=1/√n_features) draws after np.random.seed(21)
    weights: [seed21.weightsInputHidden, seed21.weightsHiddenOutput.map((w) => [w])],
    backend: 'cpu' as const,
  };
  const epochs = 900;
  const eta = 0.005;

  it('the fixture holds numpy\'s split: 360 training rows and 40 held out, each row once', () => {
    const { rows } = prepare();
    const all = [...seed21.trainIndices, ...seed21.testIndices].sort((a, b) => a - b);
    expect(rows).toBe(400);
    expect(seed21.trainIndices.length).toBe(360);
    expect(all).toEqual(Array.from({ length: rows }, (_, i) => i));
  });

  it('one full-batch step equals the tutorial loop: Δw accumulated record by record, then w += η·Δw/m', async () => {
    const { xTrain, yTrain } = prepare();
    const model = await MLP.create(config);
    // the tutorial's algorithm, written out independently of the library
    const W1 = seed21.weightsInputHidden.map((r) => r.slice()); // [6][2]
    const W2 = seed21.weightsHiddenOutput.slice(); // [2]
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
    const m = xTrain.length;
    const expected1 = W1.map((r, i) => r.map((w, j) => w + (eta * dW1[i][j]) / m));
    const expected2 = W2.map((w, j) => w + (eta * dW2[j]) / m);

    await model.fit(xTrain, yTrain, { epochs: 1, batchSize: m, learningRate: eta, shuffle: false });
    const after = (await model.getWeights()).weights;
    after[0].forEach((r, i) => r.forEach((w, j) => expect(w).toBeCloseTo(expected1[i][j], 14)));
    after[1].forEach((r, j) => expect(r[0]).toBeCloseTo(expected2[j], 14));
  });

  it('reproduces the published run: the ten printed training losses and test accuracy 0.725', async () => {
    const { xTrain, yTrain, xTest, yTest } = prepare();
    const model = await MLP.create(config);
    // What the tutorial prints as "Train loss" after epoch e (0-based) when e % 90 == 0. Its print
    // block reuses `x`, the loop's last record, so it is mean((ŷ(last record) − y)²) over the
    // training targets, not the training set's MSE. Figures as numpy prints them (see the generator).
    const printed = [
      0.2513572524259881, 0.24996540718842905, 0.24862005218904504, 0.2473199321717981, 0.24606380465584854,
      0.24485044179257037, 0.243678632018683, 0.24254718151769472, 0.24145491550165454, 0.24040067932493334,
    ];
    // The training set's MSE after the same epochs, mean((ŷ − y)²), from the same numpy run. The
    // library's loss is the mean of ½(y − ŷ)² ('sse'), so MSE = 2 · loss.
    const trainMse = [
      0.268560154404101, 0.26681028268607343, 0.26510696358868235, 0.263449343284774, 0.26183655010275364,
      0.2602676976797933, 0.25874188793271247, 0.2572582138472964, 0.2558157620879725, 0.25441361543077645,
    ];
    const lastRecord = xTrain[xTrain.length - 1];
    const seen: { printed: number; mse: number }[] = [];
    await model.fit(xTrain, yTrain, {
      epochs, batchSize: xTrain.length, learningRate: eta, shuffle: false,
      // onEpochEnd runs after the epoch's update, like the tutorial's print block
      onEpochEnd: async (log) => {
        if ((log.epoch - 1) % (epochs / 10) !== 0) return;
        const [[out]] = await model.predict([lastRecord]);
        const mse = 2 * (await model.evaluate(xTrain, yTrain)).loss; // ½(y − ŷ)² → (y − ŷ)²
        seen.push({ printed: yTrain.reduce((s, y) => s + (out - y) ** 2, 0) / yTrain.length, mse });
      },
    });
    expect(seen.length).toBe(10);
    // numpy sums record by record, the library as one matrix product: they agree to ~2e-15, so
    // 14 decimals (numpy prints 16 to 17 digits; its last one or two depend on summation order)
    seen.forEach((s, i) => {
      expect(s.printed, `printed loss ${i}`).toBeCloseTo(printed[i], 14);
      expect(s.mse, `training MSE ${i}`).toBeCloseTo(trainMse[i], 14);
    });
    // accuracy as the tutorial computes it: mean(ŷ > 0.5 == y) on the held-out rows
    const out = await model.predict(xTest);
    const accuracy = out.filter(([p], i) => (p > 0.5 ? 1 : 0) === yTest[i]).length / yTest.length;
    expect(accuracy).toBe(0.725);
    expect((await model.evaluate(xTest, yTest)).accuracy).toBe(0.725);
  });

  it('900 full-batch epochs at η = 0.005 lower the training loss every time it is printed, as in the tutorial', async () => {
    const { xTrain, yTrain } = prepare();
    const model = await MLP.create(config);
    const logged: number[] = [];
    await model.fit(xTrain, yTrain, {
      epochs, batchSize: xTrain.length, learningRate: eta, shuffle: false,
      onEpochEnd: async (log) => {
        if ((log.epoch - 1) % (epochs / 10) === 0) logged.push(log.loss);
      },
    });
    expect(logged.length).toBe(10);
    for (let i = 1; i < logged.length; i++) expect(logged[i]).toBeLessThan(logged[i - 1]);
  });

  it('with a larger step (η = 1) the same 900 epochs beat the majority class on the held-out 10%', async () => {
    const { xTrain, yTrain, xTest, yTest } = prepare();
    const model = await MLP.create(config);
    await model.fit(xTrain, yTrain, { epochs, batchSize: xTrain.length, learningRate: 1, shuffle: false });
    const { accuracy } = await model.evaluate(xTest, yTest);
    const majority = Math.max(...[0, 1].map((c) => yTest.filter((v) => v === c).length)) / yTest.length;
    expect(majority).toBe(0.65);
    console.log(`admissions, η = 1: test accuracy ${accuracy.toFixed(3)} (majority class ${majority.toFixed(3)})`);
    expect(accuracy).toBeGreaterThan(majority);
  });
});
