// Layer normalization (norm: 'layer') on the CPU path, below the public API (create refuses it on
// wasm): the forward against the formula, the gradient of W, b, γ, β against central differences,
// the config's refusals, and an Adam step through the CPU trainer.
import { describe, expect, it } from 'vitest';
import { type ModelConfig, MLP, Rng, gradientCheck, traceStep } from '../src';
import { resolveConfig } from '../src/core/config';
import { type Params, allArrays, initParams } from '../src/core/params';
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
    ["'batch'", layers({ norm: 'batch' }), /layers\[0\]\.norm 'batch' is not yet supported/],
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

  it("create takes norm on backends 'cpu' and 'webgpu' and refuses it, naming the backend, where the kernels lack it", async () => {
    const model = await MLP.create({ ...config, backend: 'cpu' });
    const before = await model.predict([[0.5, -1, 2]]);
    await model.fit([[0.5, -1, 2], [1, 0, -1]], [[1, 0], [0, 1]], { epochs: 3, batchSize: 2, learningRate: 0.1 });
    expect(await model.predict([[0.5, -1, 2]])).not.toEqual(before);
    model.dispose();
    for (const backend of ['wasm', 'auto'] as const) {
      await expect(MLP.create({ ...config, backend })).rejects.toThrow(new RegExp(`layers\\[0\\]\\.norm 'layer' is not yet available on wasm \\(backend '${backend}'\\)`));
    }
    // webgpu trains it (test/trainer.browser.test.ts): here, without a device, only the device is missing
    await expect(MLP.create({ ...config, backend: 'webgpu' })).rejects.toThrow(/^backend 'webgpu' was requested but no WebGPU device is available/);
  });

  it('gradientCheck and traceStep refuse norm too (they would leave γ and β out)', () => {
    // refused before the weights are read
    const weights = { weights: [], biases: [] };
    expect(() => gradientCheck({ config, weights }, [[0, 0, 0]], [[0, 0]])).toThrow(/layers\[0\]\.norm 'layer' is not yet available/);
    expect(() => traceStep(config, weights, [[0, 0, 0]], [[0, 0]], 0.1)).toThrow(/layers\[0\]\.norm 'layer' is not yet available/);
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
