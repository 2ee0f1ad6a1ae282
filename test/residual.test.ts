// Residual blocks (layers with `residual: true`) on the CPU path: the forward pass against the
// formula a_l = f(z_l) + a_{l−1}, the gradient against central differences, and the refusals.
import { describe, expect, it } from 'vitest';
import { type Activation, type ModelConfig, MLP, Rng, gradientCheck } from '../src';

const rows = (rng: Rng, n: number, cols: number) => Array.from({ length: n }, () => Array.from({ length: cols }, () => rng.uniform(-2, 2)));

/** 3 → 5 → [5 residual] → [5 residual] → 2, hidden activation `act`. */
const config = (act: Activation, l2 = 0): ModelConfig => ({
  inputSize: 3,
  layers: [
    { units: 5, activation: act },
    { units: 5, activation: act, residual: true },
    { units: 5, activation: act, residual: true },
    { units: 2, activation: 'linear' },
  ],
  loss: 'mse', l2, seed: 3, initializer: { type: 'normal', scale: 0.7 }, backend: 'cpu',
});

describe('residual layers on the CPU path', () => {
  it('forward: a_l = f(a_{l−1}·W_l + b_l) + a_{l−1}', async () => {
    const rng = new Rng(4, 'residual forward');
    const model = await MLP.create({
      inputSize: 3, layers: [{ units: 3, activation: 'tanh', residual: true }, { units: 1, activation: 'linear' }], loss: 'mse', backend: 'cpu', seed: 9,
    });
    const { weights: W, biases: B } = await model.getWeights();
    const x = rows(rng, 7, 3);
    const got = (await model.predict(x)) as number[][];
    x.forEach((row, r) => {
      const h = [0, 1, 2].map((j) => Math.tanh(row.reduce((s, v, i) => s + v * W[0][i][j], B[0][j])) + row[j]);
      const out = h.reduce((s, v, i) => s + v * W[1][i][0], B[1][0]);
      expect(got[r][0], `row ${r} of [7, 3]`).toBeCloseTo(out, 10);
    });
    model.dispose();
  });

  // gelu, silu and mish read z in f' (not f(z)): the skip's gradient must meet f'(z), not f'(a)
  for (const act of ['sigmoid', 'tanh', 'relu', 'linear', 'gelu', 'silu', 'mish'] as const) {
    for (const l2 of [0, 0.4]) {
      it(`gradient: ${act} residual blocks, λ = ${l2}, relative difference < 1e-7`, async () => {
        const rng = new Rng(12, `residual ${act} ${l2}`);
        const c = config(act, l2);
        const model = await MLP.create(c);
        const weights = await model.getWeights();
        weights.biases = weights.biases.map((b) => b.map(() => rng.uniform(-0.5, 0.5)));
        const r = gradientCheck({ config: c, weights }, rows(rng, 5, 3), rows(rng, 5, 2));
        expect(r.relativeDifference, `[5, 3] → 5 → 5r → 5r → 2: ${JSON.stringify(r)}`).toBeLessThan(1e-7);
        model.dispose();
      });
    }
  }

  it('a residual block on the first layer adds the input itself', async () => {
    const rng = new Rng(5, 'residual first');
    const c: ModelConfig = { inputSize: 4, layers: [{ units: 4, activation: 'sigmoid', residual: true }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' };
    const model = await MLP.create(c);
    const y = Array.from({ length: 6 }, (_, r) => [0, 1, 2].map((j) => (j === r % 3 ? 1 : 0)));
    const r = gradientCheck({ config: c, weights: await model.getWeights() }, rows(rng, 6, 4), y);
    expect(r.relativeDifference, `[6, 4] → 4r → 3: ${JSON.stringify(r)}`).toBeLessThan(1e-7);
    model.dispose();
  });

  const base = { inputSize: 4, loss: 'mse' as const, backend: 'cpu' as const };
  const refusals: [string, ModelConfig, RegExp][] = [
    ['widths differ', { ...base, layers: [{ units: 5, activation: 'relu', residual: true }, { units: 1, activation: 'linear' }] }, /layers\[0\]\.residual.*input has 4 values and it has 5 units/],
    ['on the output layer', { ...base, layers: [{ units: 4, activation: 'relu' }, { units: 4, activation: 'linear', residual: true }] }, /layers\[1\]\.residual is for hidden layers only/],
    ['not a boolean', { ...base, layers: [{ units: 4, activation: 'relu', residual: JSON.parse('1') }, { units: 1, activation: 'linear' }] }, /layers\[0\]\.residual must be a boolean/],
  ];
  for (const [what, c, message] of refusals) {
    it(`refuses residual ${what}, naming the layer`, async () => {
      await expect(MLP.create(c)).rejects.toThrow(message);
    });
  }

  it("wasm: fitDataset over streamed blocks (byte rows, chunks of 23, 40, 14) gives the CPU path's weights", async () => {
    const c: ModelConfig = {
      inputSize: 6, seed: 8, loss: 'categoricalCrossEntropy',
      layers: [{ units: 6, activation: 'relu', residual: true }, { units: 6, activation: 'tanh', residual: true, dropout: 0.2 }, { units: 3, activation: 'softmax' }],
    };
    const bytes = Uint8Array.from({ length: 77 * 6 }, (_, i) => (i * 53 + (i >> 2) * 7) % 256);
    const labels = Array.from({ length: 77 }, (_, i) => (bytes[i * 6] + bytes[i * 6 + 2]) % 3);
    const chunk = (a: number, b: number) => ({ x: { data: bytes.slice(a * 6, b * 6), shape: [b - a, 6] as [number, number], scale: 4 / 255, offset: -2 }, y: labels.slice(a, b) });
    const source = () => [chunk(0, 23), chunk(23, 63), chunk(63, 77)];
    const opts = { epochs: 2, batchSize: 8, learningRate: 0.01, optimizer: 'adam' as const, shuffle: false };
    const [cpu, wasm] = [await MLP.create({ ...c, backend: 'cpu' }), await MLP.create({ ...c, backend: 'wasm' })];
    await cpu.fitDataset(source, opts);
    await wasm.fitDataset(source, opts);
    const [a, b] = [await cpu.getWeights(), await wasm.getWeights()];
    const flat = (w: typeof a) => [...w.weights.flat(2), ...w.biases.flat()];
    const worst = Math.max(...flat(a).map((v, i) => Math.abs(v - flat(b)[i])));
    expect(worst, `6 → 6r → 6r (dropout) → 3, 77 rows, 20 steps: max |Δw| ${worst}`).toBeLessThan(2e-5);
    cpu.dispose();
    wasm.dispose();
  });

  it('models keep the flag through toJSON and fromJSON', async () => {
    const model = await MLP.create({ ...config('tanh'), backend: 'cpu' });
    const json = await model.toJSON();
    expect(json.config.layers.map((l) => l.residual ?? false)).toEqual([false, true, true, false]);
    const back = await MLP.fromJSON(json, { backend: 'cpu' });
    const x = rows(new Rng(2, 'json'), 3, 3);
    const [a, b] = [(await model.predict(x)) as number[][], (await back.predict(x)) as number[][]];
    a.forEach((row, r) => row.forEach((v, j) => expect(b[r][j], `[${r}, ${j}] of [3, 2]`).toBeCloseTo(v, 12)));
    model.dispose();
    back.dispose();
  });
});
