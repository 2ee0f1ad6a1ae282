// Layer normalization (norm: 'layer') on the CPU path: the forward against the formula, the
// gradient of W, b, γ, β against central differences (directly and through gradientCheck),
// traceStep, the config's refusals, an Adam step through the CPU trainer, and γ/β through the
// weights I/O (getWeights/setWeights, toJSON/fromJSON, early stopping's restore).
import { describe, expect, it } from 'vitest';
import { type ModelConfig, type Weights, MLP, Rng, gradientCheck, traceStep } from '../src';
import { resolveConfig } from '../src/core/config';
import { type Params, allArrays, initParams, parameterCount, paramsToArrays } from '../src/core/params';
import { forward, lossAndGradients } from '../src/cpu/network';
import { CpuBackend } from '../src/cpu/backend';

/** 3 → 5 (layer norm, tanh) → 4 (layer norm, relu, ε 1e-3) → 2 linear, mse. */
const config: ModelConfig = {
  inputSize: 3, loss: 'mse', seed: 4, initializer: { type: 'normal', scale: 0.8 },
  layers: [{ units: 5, activation: 'tanh', norm: 'layer' }, { units: 4, activation: 'sigmoid', norm: 'layer', normEpsilon: 1e-3 }, { units: 2, activation: 'linear' }],
};

/** Parameters with every γ, β and b drawn in [−2, 2] (so none sits at its initial value). */
function drawnParams(rng: Rng): Params {
  const p = initParams(resolveConfig(config));
  for (const a of [...p.biases, ...p.norms!.filter((n) => n !== null)]) for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-2, 2);
  return p;
}

const rowsOf = (data: Float64Array, cols: number) => Array.from({ length: data.length / cols }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));

describe("norm: 'layer' on the CPU path", () => {
  const net = resolveConfig(config);
  const rng = new Rng(7, 'layer norm');
  const rows = 7;
  const x = Float64Array.from({ length: rows * 3 }, () => rng.uniform(-2, 2));
  const y = Float64Array.from({ length: rows * 2 }, () => rng.uniform(-2, 2));

  it('starts with γ = 1 and β = 0, and counts them as parameters', () => {
    const p = initParams(net);
    expect(Array.from(p.norms![0]!)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(p.norms![2]).toBeNull();
  });

  it('forward: f(γ ⊙ (z − μ)/√(σ² + ε) + β), row by row', () => {
    const p = drawnParams(new Rng(1, 'forward'));
    const pass = forward(net, p, x, rows);
    const [z, a] = [pass.zs[0], pass.acts[1]];
    for (let r = 0; r < rows; r++) {
      const row = Array.from(z.subarray(r * 5, r * 5 + 5));
      const mean = row.reduce((s, v) => s + v, 0) / 5;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 5;
      row.forEach((v, j) => {
        const want = Math.tanh(p.norms![0]![j] * ((v - mean) / Math.sqrt(variance + 1e-5)) + p.norms![0]![5 + j]);
        expect(Math.abs(Number(a[r * 5 + j]) - want), `[${rows}, 3] → 5n: row ${r} unit ${j}`).toBeLessThan(1e-12);
      });
    }
  });

  it('gradient of W, b, γ and β: relative difference to central differences < 1e-6', () => {
    const p = drawnParams(new Rng(2, 'gradient'));
    const { grads } = lossAndGradients(net, p, x, y, rows);
    const analytic = [...grads.weights, ...grads.biases, ...grads.norms!.filter((n) => n !== null)];
    const arrays = allArrays(p);
    let worst = 0;
    arrays.forEach((a, k) => {
      for (let i = 0; i < a.length; i++) {
        const keep = a[i];
        const h = 1e-6;
        a[i] = keep + h;
        const up = lossAndGradients(net, p, x, y, rows).loss;
        a[i] = keep - h;
        const down = lossAndGradients(net, p, x, y, rows).loss;
        a[i] = keep;
        const numeric = (up - down) / (2 * h);
        const g = analytic[k][i];
        worst = Math.max(worst, Math.abs(g - numeric) / Math.max(1e-8, Math.abs(g) + Math.abs(numeric)));
      }
    });
    expect(worst, `[${rows}, 3] → 5n → 4n → 2: worst relative difference`).toBeLessThan(1e-6);
  });

  const layers = (extra: object, at = 0) => [{ units: 4, activation: 'relu', ...(at === 0 ? extra : {}) }, { units: 1, activation: 'linear', ...(at === 1 ? extra : {}) }];
  const refusals: [string, unknown, RegExp][] = [
    ['on the output layer', layers({ norm: 'layer' }, 1), /layers\[1\]\.norm is for hidden layers only/],
    ['an unknown name', layers({ norm: 'group' }), /layers\[0\]\.norm must be one of/],
    ['ε of 0', layers({ norm: 'layer', normEpsilon: 0 }), /layers\[0\]\.normEpsilon must be a finite number > 0, got 0/],
    ['ε of NaN', layers({ norm: 'layer', normEpsilon: NaN }), /layers\[0\]\.normEpsilon must be a finite number > 0/],
    ['ε without norm', layers({ normEpsilon: 1e-3 }), /layers\[0\]\.normEpsilon is set .* has no norm/],
  ];
  for (const [what, l, message] of refusals) {
    it(`refuses norm ${what}, naming the layer`, () => {
      expect(() => resolveConfig({ inputSize: 3, loss: 'mse', layers: l })).toThrow(message);
    });
  }

  it("create takes norm on every backend: 'cpu', 'wasm' and 'auto' (on wasm here: Node has no WebGPU) train it", async () => {
    for (const backend of ['cpu', 'wasm', 'auto'] as const) {
      const model = await MLP.create({ ...config, backend });
      const before = await model.predict([[0.5, -1, 2]]);
      await model.fit([[0.5, -1, 2], [1, 0, -1]], [[1, 0], [0, 1]], { epochs: 3, batchSize: 2, learningRate: 0.1 });
      const after = await model.predict([[0.5, -1, 2]]);
      expect(Math.max(...after[0].map((v, i) => Math.abs(v - before[0][i]))), `${backend}: 3 → 5n → 4n → 2, |Δ prediction| after 3 steps`).toBeGreaterThan(1e-4);
      model.dispose();
    }
    // webgpu trains it (test/trainer.browser.test.ts): here, without a device, only the device is missing
    await expect(MLP.create({ ...config, backend: 'webgpu' })).rejects.toThrow(/^backend 'webgpu' was requested but no WebGPU device is available/);
  });

  it('gradientCheck checks W, b, γ and β of 3 → 5n → 4n → 2, each with relative difference < 1e-6', () => {
    const p = drawnParams(new Rng(5, 'gradientCheck'));
    const weights = paramsToArrays(net, p);
    const r = gradientCheck({ config, weights }, rowsOf(x, 3), rowsOf(y, 2), { epsilon: 1e-6 });
    expect(r.groups.map((g) => g.name)).toEqual(['weights[0]', 'biases[0]', 'norms[0].scale', 'norms[0].shift', 'weights[1]', 'biases[1]', 'norms[1].scale', 'norms[1].shift', 'weights[2]', 'biases[2]']);
    expect(r.parameters).toBe(parameterCount(net));
    for (const g of r.groups) expect(g.relativeDifference, `[${rows}, 3] → 5n → 4n → 2: ${g.name}`).toBeLessThan(1e-6);
    expect(r.relativeDifference).toBeLessThan(1e-6);
    expect(r.groups.find((g) => g.name === 'norms[1].shift')!.parameters).toBe(4);
  });

  it("traceStep shows γ/β before and after, and its update equals one SGD step of the CPU trainer", async () => {
    const p = drawnParams(new Rng(6, 'traceStep'));
    const weights = paramsToArrays(net, p);
    const t = traceStep(config, weights, rowsOf(x, 3), rowsOf(y, 2), 0.3);
    expect(t.before.norms).toEqual(weights.norms);
    expect(t.layers[0].norm!.gradScale).toHaveLength(5);
    expect(t.layers[2].norm).toBeUndefined();
    const model = await MLP.create({ ...config, backend: 'cpu' });
    await model.setWeights(weights);
    await model.fit(rowsOf(x, 3), rowsOf(y, 2), { epochs: 1, batchSize: rows, learningRate: 0.3, optimizer: 'sgd', shuffle: false });
    const fitted = await model.getWeights();
    const flat = (w: typeof fitted) => [w.weights.flat(2), w.biases.flat(), w.norms!.flatMap((n) => (n ? [...n.scale, ...n.shift] : []))].flat();
    const [want, got] = [flat(fitted), flat(t.after)];
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]))), `[${rows}, 3] → 5n → 4n → 2, one SGD step`).toBeLessThan(1e-14);
    // γ/β moved by η·∂J/∂γβ
    const moved = t.after.norms![1]!.scale.map((v, j) => v - t.before.norms![1]!.scale[j] + 0.3 * t.layers[1].norm!.gradScale[j]);
    expect(Math.max(...moved.map(Math.abs))).toBeLessThan(1e-14);
    expect(Math.max(...t.layers[1].norm!.gradScale.map(Math.abs))).toBeGreaterThan(1e-4);
    // the activation reads y: a = f(y)
    expect(Math.abs(t.layers[0].a[2][3] - Math.tanh(t.layers[0].norm!.y[2][3]))).toBeLessThan(1e-15);
    model.dispose();
  });

  it('the CPU trainer updates γ and β with Adam and keeps them finite', async () => {
    const p = drawnParams(new Rng(3, 'adam'));
    const cpu = new CpuBackend(net, p);
    await cpu.setTrainingData({ data: x, rows, cols: 3 }, { data: y, rows, cols: 2 });
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    const optimizer = { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
    const out = await cpu.trainEpochs([{ order, batchSize: 3, learningRate: 0.01, optimizer, stepsBefore: 0 }], null);
    expect(out.divergence).toBeUndefined();
    const after = await cpu.readParams();
    const moved = Math.max(...after.norms![1]!.map((v, i) => Math.abs(v - p.norms![1]![i])));
    // Adam's first steps move each parameter by about the learning rate
    expect(moved, '3 → 5n → 4n → 2, 3 steps of Adam: max |Δγβ| of layer 1').toBeGreaterThan(0.005);
    expect(allArrays(after).every((a) => a.every(Number.isFinite))).toBe(true);
    expect((await cpu.readOptimizerState())!.layers[0].n).toHaveLength(2);
    cpu.dispose();
  });
});

describe("norm: 'layer' through the weights I/O", () => {
  const rng = new Rng(11, 'norm io');
  const x = Array.from({ length: 9 }, () => Array.from({ length: 3 }, () => rng.uniform(-2, 2)));
  const y = x.map(() => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
  const fitted = async () => {
    const m = await MLP.create({ ...config, backend: 'cpu' });
    await m.fit(x, y, { epochs: 4, batchSize: 4, learningRate: 0.1, shuffle: false });
    return m;
  };

  it('getWeights lists γ/β per normed layer; setWeights carries them into another model', async () => {
    const a = await fitted();
    const w = await a.getWeights();
    expect(w.norms!.map((n) => n && [n.scale.length, n.shift.length])).toEqual([[5, 5], [4, 4], null]);
    expect(w.norms![1]!.scale.some((v) => Math.abs(v - 1) > 1e-6), '3 → 5n → 4n → 2: γ of layer 1 moved').toBe(true);
    const b = await MLP.create({ ...config, backend: 'cpu', seed: 99 });
    await b.setWeights(w);
    expect(await b.getWeights()).toEqual(w);
    const [pa, pb] = [await a.predict(x), await b.predict(x)];
    expect(Math.max(...pa.flat().map((v, i) => Math.abs(v - pb.flat()[i]))), `[9, 3] → 2`).toBeLessThan(1e-15);
    // without norms γ and β start over, as the Weights type says
    await b.setWeights({ weights: w.weights, biases: w.biases });
    expect((await b.getWeights()).norms![0]).toEqual({ scale: [1, 1, 1, 1, 1], shift: [0, 0, 0, 0, 0] });
  });

  type Norms = NonNullable<Weights['norms']>;
  const bad: [string, (n: Norms) => unknown, RegExp][] = [
    ['a missing layer', (n) => n.slice(0, 2), /norms must be an array of 3 entries .*got 2 entries/],
    ['a short scale', (n) => [{ ...n[0]!, scale: n[0]!.scale.slice(1) }, n[1], n[2]], /norms\[0\]\.scale must .*5/],
    ['a NaN shift', (n) => [n[0], { ...n[1]!, shift: [0, NaN, 0, 0] }, n[2]], /norms\[1\]\.shift\[1\]/],
    ['γ/β on the layer without norm', (n) => [n[0], n[1], { scale: [1, 1], shift: [0, 0] }], /norms\[2\] must be null: layer 2 has no norm/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`setWeights refuses ${what}, naming the layer, and leaves the model as it was`, async () => {
      const m = await fitted();
      const before = await m.getWeights();
      const norms = mutate(structuredClone(before.norms!)) as Norms;
      await expect(m.setWeights({ ...before, norms })).rejects.toThrow(message);
      expect(await m.getWeights()).toEqual(before);
    });
  }

  it('toJSON carries γ/β and fromJSON gives them back exactly', async () => {
    const a = await fitted();
    const json = await a.toJSON();
    expect(json.norms).toEqual((await a.getWeights()).norms);
    const b = await MLP.fromJSON(JSON.stringify(json), { backend: 'cpu' });
    expect(await b.getWeights()).toEqual(await a.getWeights());
    expect(await b.predict(x)).toEqual(await a.predict(x));
  });

  it("early stopping's restoreBestWeights puts the best epoch's γ/β back", async () => {
    const m = await MLP.create({ ...config, backend: 'cpu' });
    const seen: unknown[] = [];
    const h = await m.fit(x, y, {
      epochs: 200, batchSize: 3, learningRate: 0.4, validationData: [x.slice(0, 4).map((r) => r.map((v) => -v)), y.slice(0, 4)],
      earlyStopping: { patience: 2, restoreBestWeights: true }, onEpochEnd: async () => void seen.push((await m.getWeights()).norms),
    });
    expect(h.restoredBestWeights).toBe(true);
    expect(h.epochs.length).toBeGreaterThan(h.bestEpoch!);
    expect((await m.getWeights()).norms).toEqual(seen[h.bestEpoch! - 1]);
    expect((await m.getWeights()).norms).not.toEqual(seen.at(-1));
  });
});
