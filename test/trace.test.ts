// traceStep against the 2-2-2 worked example's printed intermediate values, and against fit().
import { describe, expect, it } from 'vitest';
import { MLP, type ModelConfig, Rng, type Weights, traceStep } from '../src';
import { batchDropKey, dropoutFactors, epochDropKey } from '../src/core/dropout-mask';

const config002: ModelConfig = {
  inputSize: 2,
  layers: [
    { units: 2, activation: 'sigmoid' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'sse',
  freezeBias: true,
  backend: 'cpu',
};
// weights[l][input][unit]: h1 = w1·i1 + w2·i2, h2 = w3·i1 + w4·i2, o1 = w5·h1 + w6·h2, o2 = w7·h1 + w8·h2
const params002: Weights = {
  weights: [
    [[0.15, 0.25], [0.2, 0.3]],
    [[0.4, 0.5], [0.45, 0.55]],
  ],
  biases: [[0.35, 0.35], [0.6, 0.6]],
};
const flat = (w: number[][][]) => [w[0][0][0], w[0][1][0], w[0][0][1], w[0][1][1], w[1][0][0], w[1][1][0], w[1][0][1], w[1][1][1]];
const r9 = (v: number) => Number(v.toFixed(9));

describe('traceStep on the 2-2-2 worked example (η = 0.5)', () => {
  const t = traceStep(config002, params002, [[0.05, 0.1]], [[0.01, 0.99]], 0.5);
  const [hidden, output] = t.layers;

  it('forward: net and out of h1, h2, o1, o2 as printed', () => {
    expect(r9(hidden.z[0][0])).toBe(0.3775);
    expect(r9(hidden.a[0][0])).toBe(0.593269992);
    expect(r9(hidden.a[0][1])).toBe(0.596884378);
    expect(r9(output.z[0][0])).toBe(1.105905967);
    expect(r9(output.a[0][0])).toBe(0.75136507);
    expect(r9(output.a[0][1])).toBe(0.772928465);
    expect(r9(t.loss)).toBe(0.298371109);
  });

  it('backward: output and hidden deltas and the printed gradients', () => {
    // δ_o1 = (out_o1 − target_o1)·out_o1(1 − out_o1) = 0.74136507 · 0.186815602
    expect(r9(output.delta[0][0])).toBe(0.138498562);
    // ∂E/∂w5 = δ_o1 · out_h1 = 0.082167041
    expect(r9(output.gradWeights[0][0])).toBe(0.082167041);
    // δ_h1 = ∂E/∂out_h1 · out_h1(1 − out_h1) = 0.036350306 · 0.241300709
    expect(hidden.delta[0][0]).toBeCloseTo(0.036350306 * 0.241300709, 9);
    // ∂E/∂w1 = δ_h1 · i1 = 0.000438568
    expect(r9(hidden.gradWeights[0][0])).toBe(0.000438568);
  });

  it('update: w1..w8 after one step as printed, frozen biases unchanged, E1 = 0.291027774', () => {
    expect(flat(t.after.weights).map(r9)).toEqual([0.149780716, 0.199561432, 0.249751144, 0.299502287, 0.35891648, 0.408666186, 0.51130127, 0.561370121]);
    expect(t.after.biases).toEqual([[0.35, 0.35], [0.6, 0.6]]);
    expect(flat(t.before.weights)).toEqual([0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]);
    expect(r9(t.lossAfter)).toBe(0.291027774);
  });

  it('matches what MLP.fit does for the same step', async () => {
    const m = await MLP.create({ ...config002, ...params002 });
    await m.fit([[0.05, 0.1]], [[0.01, 0.99]], { epochs: 1, batchSize: 1, learningRate: 0.5, shuffle: false });
    expect((await m.getWeights()).weights).toEqual(t.after.weights);
  });
});

describe('traceStep on a batch with softmax, cross-entropy, L2 and trainable biases', () => {
  const config: ModelConfig = {
    inputSize: 3,
    layers: [
      { units: 4, activation: 'tanh' },
      { units: 3, activation: 'relu' },
      { units: 3, activation: 'softmax' },
    ],
    loss: 'categoricalCrossEntropy',
    l2: 0.05,
    seed: 11,
    backend: 'cpu',
  };
  const x = [[0.2, -1, 0.5], [1.5, 0.3, -0.7], [-0.4, 0.9, 1.1], [0.05, 0.6, -1.2], [1, 1, 1]];
  const y = [0, 2, 1, 2, 0];

  it('after equals one full-batch SGD step of fit(), loss equals evaluate()', async () => {
    const m = await MLP.create(config);
    const start = await m.getWeights();
    const t = traceStep(config, start, x, y, 0.3);
    expect(t.loss).toBeCloseTo((await m.evaluate(x, y)).loss, 12);
    await m.fit(x, y, { epochs: 1, batchSize: x.length, learningRate: 0.3, shuffle: false });
    const after = await m.getWeights();
    after.weights.flat(2).forEach((w, i) => expect(t.after.weights.flat(2)[i]).toBeCloseTo(w, 12));
    after.biases.flat().forEach((b, i) => expect(t.after.biases.flat()[i]).toBeCloseTo(b, 12));
    expect(t.after.biases.flat().some((b) => b !== 0)).toBe(true);
    expect(t.lossAfter).toBeCloseTo((await m.evaluate(x, y)).loss, 12);
    expect(t.target[1]).toEqual([0, 0, 1]);
  });

  it('each gradient is (a_prevᵀ·δ + λW)/m of the traced deltas', async () => {
    const m = await MLP.create(config);
    const p = await m.getWeights();
    const t = traceStep(config, p, x, y, 0.3);
    t.layers.forEach((layer, l) => {
      const prev = l === 0 ? t.input : t.layers[l - 1].a;
      layer.gradWeights.forEach((row, i) =>
        row.forEach((g, j) => {
          let s = 0;
          for (let r = 0; r < x.length; r++) s += prev[r][i] * layer.delta[r][j];
          expect(g, `layer ${l} ∂W[${i}][${j}]`).toBeCloseTo((s + 0.05 * p.weights[l][i][j]) / x.length, 12);
        }),
      );
      layer.gradBiases.forEach((g, j) => expect(g).toBeCloseTo(layer.delta.reduce((s, d) => s + d[j], 0) / x.length, 12));
    });
  });

  it('names bad arguments', () => {
    expect(() => traceStep(config002, params002, [[0.05, 0.1]], [[0.01, 0.99]], 0)).toThrow(/learningRate must be a finite number > 0, got 0/);
    expect(() => traceStep(config002, { weights: [[[0.15, 0.25]], params002.weights[1]], biases: params002.biases }, [[0.05, 0.1]], [[0.01, 0.99]], 0.5)).toThrow(/weights\[0\] must have 2 rows/);
    expect(() => traceStep(config002, params002, [[0.05, 0.1, 3]], [[0.01, 0.99]], 0.5)).toThrow(/x/);
    expect(() => traceStep(config002, null as unknown as Weights, [[0.05, 0.1]], [[0.01, 0.99]], 0.5)).toThrow(/params must be \{weights, biases\}/);
  });
});

describe('traceStep with a fixed dropout mask and sample weights (3 → 5 → 4 → 3, 7 rows)', () => {
  const config: ModelConfig = {
    inputSize: 3,
    layers: [
      { units: 5, activation: 'tanh', dropout: 0.4 },
      { units: 4, activation: 'sigmoid', dropout: 0.3 },
      { units: 3, activation: 'softmax' },
    ],
    loss: 'categoricalCrossEntropy',
    l2: 0.02,
    seed: 23,
    backend: 'cpu',
  };
  const rng = new Rng(31, 'trace dropout');
  const x = Array.from({ length: 7 }, () => Array.from({ length: 3 }, () => rng.uniform(-2, 2)));
  const y = Array.from({ length: 7 }, () => rng.int(3));
  const sampleWeight = Array.from({ length: 7 }, () => rng.uniform(0, 2));
  const shape = 'shape 3 → 5 → 4 → 3, 7 rows';

  it('forward: each mask is the trainers\' dropoutFactors at (seed, epoch 0, batch 0), and the next layer reads a ⊙ mask', async () => {
    const m = await MLP.create(config);
    const t = traceStep(config, await m.getWeights(), x, y, 0.2, { dropout: { seed: 23 }, sampleWeight });
    const key = batchDropKey(epochDropKey(23, 0), 0);
    [0.4, 0.3].forEach((p, l) => {
      const want = dropoutFactors(key, l, p, 7, t.layers[l].z[0].length);
      expect(t.layers[l].mask!.flat(), `${shape}, layer ${l}`).toEqual(Array.from(want));
      expect(want.some((f) => f === 0) && want.some((f) => f > 1), `${shape}: layer ${l} drops some units, keeps others`).toBe(true);
    });
    expect(t.layers[2].mask).toBeUndefined();
    // z of layer 1 from layer 0's a ⊙ mask
    const w = (await m.getWeights()).weights[1];
    const b = (await m.getWeights()).biases[1];
    t.layers[1].z.forEach((row, r) =>
      row.forEach((z, j) => {
        let s = b[j];
        for (let i = 0; i < 5; i++) s += t.layers[0].a[r][i] * t.layers[0].mask![r][i] * w[i][j];
        expect(z, `${shape}: z1[${r}][${j}]`).toBeCloseTo(s, 12);
      }),
    );
    expect(t.sampleWeights).toEqual(sampleWeight);
  });

  it('update: after equals fit() with that mask and sampleWeight (one full batch, no shuffle)', async () => {
    const m = await MLP.create(config);
    const t = traceStep(config, await m.getWeights(), x, y, 0.2, { dropout: { seed: 23, epoch: 0, batch: 0 }, sampleWeight });
    const h = await m.fit(x, y, { epochs: 1, batchSize: 7, learningRate: 0.2, shuffle: false, sampleWeight });
    expect(h.epochs[0].loss, shape).toBeCloseTo(t.loss, 12);
    const after = await m.getWeights();
    after.weights.flat(2).forEach((v, i) => expect(t.after.weights.flat(2)[i], `${shape}: weight ${i}`).toBeCloseTo(v, 12));
    after.biases.flat().forEach((v, i) => expect(t.after.biases.flat()[i], `${shape}: bias ${i}`).toBeCloseTo(v, 12));
    // without the options the step differs (no mask, unweighted)
    const plain = traceStep(config, t.before, x, y, 0.2);
    expect(Math.abs(plain.loss - t.loss), shape).toBeGreaterThan(1e-3);
  });

  it('names bad options', () => {
    const p = { weights: [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]], biases: [[0.35, 0.35], [0.6, 0.6]] };
    expect(() => traceStep(config002, p, [[0.05, 0.1]], [[0.01, 0.99]], 0.5, { dropout: { seed: 1 } })).toThrow(/traceStep options.dropout fixes a dropout mask, but no layer of this model has dropout > 0/);
    expect(() => traceStep(config002, p, [[0.05, 0.1]], [[0.01, 0.99]], 0.5, { sampleWeight: [1, 2] })).toThrow(/traceStep options.sampleWeight must have one weight per row of x \(1\), got 2/);
    expect(() => traceStep(config002, p, [[0.05, 0.1]], [[0.01, 0.99]], 0.5, { sampleWeight: [-1] })).toThrow(/sampleWeight\[0\] must be a finite number >= 0, got -1/);
    expect(() => traceStep(config002, p, [[0.05, 0.1]], [[0.01, 0.99]], 0.5, { dropot: {} } as never)).toThrow(/dropot/);
  });
});

describe('traceStep on a batch-normed network (3 → 5b tanh → 4b sigmoid (ε 1e-3, m 0.3) → 2 linear, 9 rows)', () => {
  const config: ModelConfig = {
    inputSize: 3,
    layers: [
      { units: 5, activation: 'tanh', norm: 'batch' },
      { units: 4, activation: 'sigmoid', norm: 'batch', normEpsilon: 1e-3, normMomentum: 0.3 },
      { units: 2, activation: 'linear' },
    ],
    loss: 'mse',
    seed: 29,
    backend: 'cpu',
  };
  const rng = new Rng(37, 'trace batch norm');
  const x = Array.from({ length: 9 }, () => Array.from({ length: 3 }, () => rng.uniform(-2, 2)));
  const y = Array.from({ length: 9 }, () => Array.from({ length: 2 }, () => rng.uniform(-2, 2)));
  const shape = 'shape 3 → 5b → 4b → 2, 9 rows';
  // running estimates that are not the initial 0 and 1, so that the update's (1 − m)·old term shows
  const start = async () => {
    const m = await MLP.create(config);
    const w = await m.getWeights();
    const norms = w.norms!.map((n, l) => n && { ...n, runningMean: n.scale.map((_, j) => 0.1 * (j - l)), runningVar: n.scale.map((_, j) => 0.5 + 0.25 * j) });
    await m.setWeights({ ...w, norms });
    return { m, w: await m.getWeights() };
  };

  it('forward: the batch moments are each unit’s mean and biased variance of z over the rows; y normalizes with them', async () => {
    const { w } = await start();
    const t = traceStep(config, w, x, y, 0.1);
    t.layers.slice(0, 2).forEach((layer, l) => {
      const b = layer.norm!.batch!;
      const eps = config.layers[l].normEpsilon ?? 1e-5;
      b.mean.forEach((mu, j) => {
        const col = layer.z.map((row) => row[j]);
        const mean = col.reduce((s, v) => s + v, 0) / col.length;
        const variance = col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length;
        expect(mu, `${shape}: layer ${l} unit ${j} mean`).toBeCloseTo(mean, 12);
        expect(b.variance[j], `${shape}: layer ${l} unit ${j} variance`).toBeCloseTo(variance, 12);
        col.forEach((z, r) => expect(layer.norm!.y[r][j], `${shape}: y${l}[${r}][${j}]`).toBeCloseTo(w.norms![l]!.scale[j] * (z - mean) / Math.sqrt(variance + eps) + w.norms![l]!.shift[j], 12));
      });
      expect(b.runningMean, `${shape}: layer ${l}`).toEqual(w.norms![l]!.runningMean);
      expect(b.runningVar, `${shape}: layer ${l}`).toEqual(w.norms![l]!.runningVar);
    });
    expect(t.layers[2].norm).toBeUndefined();
  });

  it('update: after (W, b, γ, β and the running estimates) equals one full-batch SGD step of fit()', async () => {
    const { m, w } = await start();
    const t = traceStep(config, w, x, y, 0.1);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 9, learningRate: 0.1, optimizer: 'sgd', shuffle: false });
    expect(h.epochs[0].loss, shape).toBeCloseTo(t.loss, 12);
    const after = await m.getWeights();
    const flatAll = (v: Weights) => [...v.weights.flat(2), ...v.biases.flat(), ...v.norms!.flatMap((n) => (n ? [...n.scale, ...n.shift, ...n.runningMean!, ...n.runningVar!] : []))];
    const [want, got] = [flatAll(after), flatAll(t.after)];
    expect(got.length, shape).toBe(want.length);
    want.forEach((v, i) => expect(got[i], `${shape}: value ${i} of W, b, γ, β, running mean, running var`).toBeCloseTo(v, 12));
    const b = t.layers[1].norm!.batch!;
    expect(b.runningMeanAfter, shape).toEqual(t.after.norms![1]!.runningMean);
    // the update by hand: momentum 0.3, the unbiased variance σ²·9/8
    b.runningVarAfter.forEach((v, j) => expect(v, `${shape}: layer 1 unit ${j} running var`).toBeCloseTo(0.7 * b.runningVar[j] + 0.3 * b.variance[j] * 9 / 8, 12));
    expect(Math.max(...b.runningVarAfter.map((v, j) => Math.abs(v - b.runningVar[j]))), 'the running variance must move').toBeGreaterThan(1e-3);
  });

  it('refuses a single row, as fit does', () => {
    expect(() => traceStep(config, { weights: [[[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [[0, 0], [0, 0], [0, 0], [0, 0]]], biases: [[0, 0, 0, 0, 0], [0, 0, 0, 0], [0, 0]] }, [x[0]], [y[0]], 0.1))
      .toThrow(/traceStep: layers\[0\]\.norm 'batch' needs at least 2 rows in every training batch .* batchSize 1 over 1 rows gives batches of 1 row/);
  });
});
