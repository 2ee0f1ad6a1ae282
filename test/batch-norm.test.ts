// Batch normalization (norm: 'batch') on the CPU path: the training forward against the formula
// (each unit over the batch's rows), the inference forward with the running estimates, the
// gradient of W, b, γ, β against central differences (directly and through gradientCheck), the
// running update, the refusals (config, one-row batches, the backends without kernels), and the
// running estimates through getWeights/setWeights and toJSON/fromJSON.
import { describe, expect, it } from 'vitest';
import { type ModelConfig, MLP, Rng, gradientCheck } from '../src';
import { resolveConfig } from '../src/core/config';
import { type Params, allArrays, initParams, paramsToArrays } from '../src/core/params';
import { forward, lossAndGradients } from '../src/cpu/network';

/** 3 → 5 (batch norm, tanh) → 4 (batch norm, sigmoid, ε 1e-3, momentum 0.3) → 2 linear, mse. */
const config: ModelConfig = {
  inputSize: 3, loss: 'mse', seed: 4, initializer: { type: 'normal', scale: 0.8 },
  layers: [{ units: 5, activation: 'tanh', norm: 'batch' }, { units: 4, activation: 'sigmoid', norm: 'batch', normEpsilon: 1e-3, normMomentum: 0.3 }, { units: 2, activation: 'linear' }],
};
const net = resolveConfig(config);

/** Parameters with every γ, β, b and running estimate drawn (so none sits at its initial value). */
function drawnParams(rng: Rng): Params {
  const p = initParams(net);
  for (const a of [...p.biases, ...p.norms!.filter((n) => n !== null)]) for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-2, 2);
  for (const s of p.normStats!.filter((n) => n !== null)) for (let i = 0; i < s.length; i++) s[i] = i < s.length / 2 ? rng.uniform(-2, 2) : rng.uniform(0.1, 2);
  return p;
}

describe("norm: 'batch' on the CPU path", () => {
  const rng = new Rng(7, 'batch norm');
  const rows = 7;
  const x = Float64Array.from({ length: rows * 3 }, () => rng.uniform(-2, 2));
  const y = Float64Array.from({ length: rows * 2 }, () => rng.uniform(-2, 2));

  it('starts with γ = 1, β = 0, running mean 0 and variance 1; the running estimates are not parameters', () => {
    const p = initParams(net);
    expect(Array.from(p.norms![0]!)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(p.normStats![1]!)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(p.normStats![2]).toBeNull();
    expect(allArrays(p)).toHaveLength(3 + 3 + 2);
  });

  it('training forward: f(γ ⊙ (z − μ_B)/√(σ²_B + ε) + β), each unit over the batch; inference: with the running mean and variance', () => {
    const p = drawnParams(new Rng(1, 'forward'));
    const train = forward(net, p, x, rows, { training: true });
    const infer = forward(net, p, x, rows);
    const z = train.zs[0];
    for (let j = 0; j < 5; j++) {
      const col = Array.from({ length: rows }, (_, r) => z[r * 5 + j]);
      const mean = col.reduce((s, v) => s + v, 0) / rows;
      const variance = col.reduce((s, v) => s + (v - mean) ** 2, 0) / rows;
      expect(Math.abs(train.moments![0]!.variance[j] - variance), `unit ${j}: biased variance`).toBeLessThan(1e-12);
      col.forEach((v, r) => {
        const want = Math.tanh(p.norms![0]![j] * ((v - mean) / Math.sqrt(variance + 1e-5)) + p.norms![0]![5 + j]);
        expect(Math.abs(Number(train.acts[1][r * 5 + j]) - want), `[${rows}, 3] → 5b training: row ${r} unit ${j}`).toBeLessThan(1e-12);
        const [m, s2] = [p.normStats![0]![j], p.normStats![0]![5 + j]];
        const inferred = Math.tanh(p.norms![0]![j] * ((v - m) / Math.sqrt(s2 + 1e-5)) + p.norms![0]![5 + j]);
        expect(Math.abs(Number(infer.acts[1][r * 5 + j]) - inferred), `[${rows}, 3] → 5b inference: row ${r} unit ${j}`).toBeLessThan(1e-12);
      });
    }
    expect(infer.moments).toBeUndefined();
  });

  // the biases of a batch-normed layer have a true gradient of 0 (the batch mean takes them out): an absolute floor of 1e-8
  it('gradient of W, b, γ and β: within 1e-8 + 1e-6·(|numeric| + |analytic|) of central differences (the batch statistics differentiated too)', () => {
    const p = drawnParams(new Rng(2, 'gradient'));
    const { grads } = lossAndGradients(net, p, x, y, rows);
    const analytic = [...grads.weights, ...grads.biases, ...grads.norms!.filter((n) => n !== null)];
    const arrays = allArrays(p);
    let worst = 0;
    arrays.forEach((a, k) => {
      for (let i = 0; i < a.length; i++) {
        const keep = a[i];
        a[i] = keep + 1e-6;
        const up = lossAndGradients(net, p, x, y, rows).loss;
        a[i] = keep - 1e-6;
        const down = lossAndGradients(net, p, x, y, rows).loss;
        a[i] = keep;
        const numeric = (up - down) / 2e-6;
        worst = Math.max(worst, Math.abs(numeric - analytic[k][i]) / (1e-8 + 1e-6 * (Math.abs(numeric) + Math.abs(analytic[k][i]))));
      }
    });
    console.log(`batch norm, central differences: worst |numeric − analytic| is ${worst.toFixed(3)} of 1e-8 + 1e-6·(|numeric| + |analytic|) on [${rows}, 3] → 5b → 4b → 2`);
    expect(worst, `[${rows}, 3] → 5b → 4b → 2: worst share of the allowance`).toBeLessThan(1);
  });

  it('gradientCheck takes a batch-normed network', () => {
    const p = drawnParams(new Rng(5, 'gradientCheck'));
    const r = gradientCheck({ config, weights: paramsToArrays(net, p) }, Array.from({ length: rows }, (_, i) => Array.from(x.subarray(i * 3, i * 3 + 3))), Array.from({ length: rows }, (_, i) => Array.from(y.subarray(i * 2, i * 2 + 2))), { epsilon: 1e-6 });
    console.log(`batch norm, gradientCheck (ε 1e-6): relative difference ${r.relativeDifference.toExponential(2)}, max |difference| ${r.maxAbsoluteDifference.toExponential(2)} over ${r.parameters} parameters`);
    expect(r.relativeDifference).toBeLessThan(1e-6);
    expect(r.maxAbsoluteDifference).toBeLessThan(1e-8);
    expect(r.groups.map((g) => g.name)).toContain('norms[1].shift');
  });

  it('a training step moves the running estimates by the momentum (unbiased batch variance), and predict uses them', async () => {
    const model = await MLP.create({ ...config, backend: 'cpu' });
    const xs = Array.from({ length: rows }, (_, i) => Array.from(x.subarray(i * 3, i * 3 + 3)));
    const ys = Array.from({ length: rows }, (_, i) => Array.from(y.subarray(i * 2, i * 2 + 2)));
    const w0 = await model.getWeights();
    const z0 = forward(net, initParams(net), x, rows, { training: true }).moments!;
    await model.fit(xs, ys, { epochs: 1, batchSize: rows, learningRate: 0.1, shuffle: false });
    const w1 = await model.getWeights();
    // the first layer's input does not depend on any norm: its batch moments are those of z0 with the initial weights
    const mean = w1.norms![0]!.runningMean!;
    const variance = w1.norms![0]!.runningVar!;
    expect(w0.norms![0]!.runningMean).toEqual([0, 0, 0, 0, 0]);
    mean.forEach((v, j) => expect(Math.abs(v - 0.1 * z0[0]!.mean[j]), `unit ${j} running mean`).toBeLessThan(1e-12));
    variance.forEach((v, j) => expect(Math.abs(v - (0.9 + 0.1 * z0[0]!.variance[j] * rows / (rows - 1))), `unit ${j} running variance`).toBeLessThan(1e-12));
    model.dispose();
  });

  const layers = (extra: object, at = 0): ModelConfig['layers'] => config.layers.map((l, i) => (i === at ? { ...l, ...extra } : l));
  for (const [what, l, message] of [
    ['normMomentum without batch norm', layers({ norm: 'layer', normMomentum: 0.2 }), /layers\[0\]\.normMomentum is set \(0\.2\) but layers\[0\] has norm 'layer'/],
    ['normMomentum without norm', layers({ norm: undefined, normMomentum: 0.2 }), /layers\[0\]\.normMomentum is set \(0\.2\) but layers\[0\] has no norm/],
    ['normMomentum of 0', layers({ normMomentum: 0 }), /layers\[0\]\.normMomentum must be a finite number > 0, got 0/],
    ['normMomentum above 1', layers({ normMomentum: 1.5 }), /layers\[0\]\.normMomentum must be in \(0, 1\]/],
    ['batch norm on the output layer', layers({ norm: 'batch' }, 2), /layers\[2\]\.norm is for hidden layers only/],
  ] as const) {
    it(`refuses ${what}, naming the layer`, () => {
      expect(() => resolveConfig({ ...config, layers: l })).toThrow(message);
    });
  }

  it('refuses a training batch of one row: at fit before anything changes (a batch of 1, or a last batch of 1), in a stream where it comes', async () => {
    const model = await MLP.create({ ...config, backend: 'cpu' });
    const before = await model.getWeights();
    const xs = Array.from({ length: 9 }, (_, i) => [i / 9, 1 - i / 9, 0.5]);
    const ys = xs.map((r) => [r[0], r[1]]);
    await expect(model.fit(xs, ys, { epochs: 1, batchSize: 1 })).rejects.toThrow(/fit: layers\[0\]\.norm 'batch' needs at least 2 rows in every training batch .* batchSize 1 over 9 rows gives batches of 1 row/);
    await expect(model.fit(xs, ys, { epochs: 1, batchSize: 4 })).rejects.toThrow(/9 rows in batches of 4 leave a last batch of 1 row/);
    expect(await model.getWeights()).toEqual(before);
    // a stream's last batch is known when it comes: the model keeps the steps before it
    await expect(model.fitDataset([{ x: xs.slice(0, 4), y: ys.slice(0, 4) }, { x: xs.slice(4), y: ys.slice(4) }], { epochs: 1, batchSize: 4 })).rejects.toThrow(/fitDataset \(epoch 1, after 2 batches\): layers\[0\]\.norm 'batch' needs at least 2 rows in every training batch/);
    await model.fit(xs, ys, { epochs: 1, batchSize: 3 });
    model.dispose();
  });

  it("create takes batch norm on every backend: 'cpu', 'wasm' and 'auto' (on wasm here: Node has no WebGPU) train it", async () => {
    const xs = Array.from({ length: 8 }, (_, i) => [i / 8, 1 - i / 8, 0.5]);
    const ys = xs.map((r) => [r[0], r[1]]);
    for (const backend of ['cpu', 'wasm', 'auto'] as const) {
      const model = await MLP.create({ ...config, backend });
      const before = await model.predict(xs);
      await model.fit(xs, ys, { epochs: 3, batchSize: 4, learningRate: 0.1 });
      const after = await model.predict(xs);
      expect(Math.max(...after.flatMap((r, i) => r.map((v, j) => Math.abs(v - before[i][j])))), `${backend}: 3 → 5b → 4b → 2, |Δ prediction| after 6 steps`).toBeGreaterThan(1e-4);
      model.dispose();
    }
    // 'webgpu' trains it (test/trainer.browser.test.ts): here, without a device, only the device is missing
    await expect(MLP.create({ ...config, backend: 'webgpu' })).rejects.toThrow(/^backend 'webgpu' was requested but no WebGPU device is available/);
  });
});
