// L1 regularization and the Huber loss on the CPU path (float64): the values they add to the
// objective, what fit and evaluate report, their refusals, and their round trip through the
// model file. Gradients are in test/gradient-check.test.ts, the other backends in the parity
// matrices, PyTorch in test/features-torch.test.ts.
import { describe, expect, it } from 'vitest';
import { MLP, type ModelConfig, Rng } from '../src';
import { huber, lossSum } from '../src/cpu/losses';
import { sumAbsWeights, weightPenalty } from '../src/core/params';
import { checkFloat32Settings } from '../src/core/config';
import { fromSafetensors, fromTfjsLayers, toSafetensors, toTfjsLayers } from '../src/interop';

const config: ModelConfig = {
  inputSize: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'linear' }], loss: 'huber', huberDelta: 0.4, l1: 0.03, l2: 0.02, seed: 4, backend: 'cpu',
};

function data(rows: number) {
  const rng = new Rng(8, 'regularization');
  const x = Array.from({ length: rows }, () => Array.from({ length: 3 }, () => rng.uniform(-2, 2)));
  return { x, y: x.map((r) => [Math.sin(r[0]) + r[1], r[2] * r[0] - 0.5]) };
}

/** Our objective from first principles: mean over rows of the mean over outputs of the Huber loss, plus λ/(2m)·ΣW² + λ₁/m·Σ|W|. */
function expectedObjective(out: number[][], y: number[][], w: number[][][], delta: number, l1: number, l2: number): number {
  const m = out.length;
  let loss = 0;
  out.forEach((row, r) => row.forEach((o, j) => {
    const d = Math.abs(o - y[r][j]);
    loss += (d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta)) / row.length;
  }));
  const flat = w.flat(2);
  return loss / m + (l2 / (2 * m)) * flat.reduce((s, v) => s + v * v, 0) + (l1 / m) * flat.reduce((s, v) => s + Math.abs(v), 0);
}

describe('the Huber loss and the L1 term', () => {
  it('huber: ½d² up to δ, δ(|d| − ½δ) past it; lossSum averages over a row\'s outputs', () => {
    expect(huber(0.3, 1)).toBeCloseTo(0.045, 15);
    expect(huber(-3, 1)).toBeCloseTo(2.5, 15);
    expect(huber(2, 2)).toBeCloseTo(2, 15);
    // 1 row × 2 outputs, d = −0.5 and 3 (δ = 1): (0.125 + 2.5) / 2
    expect(lossSum('huber', Float64Array.of(0.5, 4), [1, 1], 1, 2, null, 1)).toBeCloseTo(1.3125, 14);
  });

  it('weightPenalty: λ/(2m)·ΣW² + λ₁/m·Σ|W|, biases excluded', () => {
    const p = { weights: [Float64Array.of(1, -2), Float64Array.of(-0.5)], biases: [Float64Array.of(100), Float64Array.of(-100)] };
    expect(sumAbsWeights(p)).toBeCloseTo(3.5, 15);
    expect(weightPenalty({ l2: 0.1, l1: 0.4 }, p, 2)).toBeCloseTo((0.1 / 4) * 5.25 + (0.4 / 2) * 3.5, 14);
    expect(weightPenalty({ l2: 0, l1: 0 }, p, 2)).toBe(0);
  });

  it('evaluate and fit report the Huber loss plus both terms', async () => {
    const model = await MLP.create(config);
    const { x, y } = data(9);
    const before = await model.evaluate(x, y);
    const out = (await model.predict(x)) as number[][];
    const w = (await model.getWeights()).weights;
    const expected = expectedObjective(out, y, w, 0.4, 0.03, 0.02);
    expect(Math.abs(before.loss - expected), `3-5-2 on 9 rows: evaluate ${before.loss}, expected ${expected}`).toBeLessThan(1e-12);
    // full batch, one epoch: the reported loss is the objective at the weights the step started from
    const h = await model.fit(x, y, { epochs: 1, batchSize: 9, learningRate: 0.1, shuffle: false });
    expect(Math.abs(h.epochs[0].loss - expected), `fit's loss ${h.epochs[0].loss}, expected ${expected}`).toBeLessThan(1e-12);
  });

  it('L1 shrinks the weights: Σ|W| after training with λ₁ is below Σ|W| without', async () => {
    const { x, y } = data(20);
    const sums: number[] = [];
    for (const l1 of [0, 0.5]) {
      const model = await MLP.create({ ...config, l2: 0, l1 });
      await model.fit(x, y, { epochs: 30, batchSize: 20, learningRate: 0.1, shuffle: false });
      sums.push((await model.getWeights()).weights.flat(2).reduce((s, v) => s + Math.abs(v), 0));
    }
    expect(sums[1], `Σ|W| with λ₁ 0.5: ${sums[1]}, without: ${sums[0]}`).toBeLessThan(sums[0] - 0.1);
  });

  it('toJSON carries l1 and huberDelta, and fromJSON restores them; a model without them writes neither', async () => {
    const model = await MLP.create(config);
    const json = await model.toJSON();
    expect(json.config).toMatchObject({ loss: 'huber', huberDelta: 0.4, l1: 0.03, l2: 0.02 });
    const back = await MLP.fromJSON(JSON.parse(JSON.stringify(json)), { backend: 'cpu' });
    expect(back.config).toMatchObject({ loss: 'huber', huberDelta: 0.4, l1: 0.03, l2: 0.02 });
    const plain = await (await MLP.create({ ...config, loss: 'mse', huberDelta: undefined, l1: 0 })).toJSON();
    expect('l1' in plain.config || 'huberDelta' in plain.config, JSON.stringify(plain.config)).toBe(false);
    expect((await MLP.create({ ...config, huberDelta: undefined })).config.huberDelta).toBe(1);
  });

  it('safetensors and the TF.js layers format carry l1 and huberDelta in their metadata', async () => {
    const model = await MLP.create(config);
    const fromST = await fromSafetensors(await toSafetensors(model), { config: { backend: 'cpu' } });
    expect(fromST.config).toMatchObject({ loss: 'huber', huberDelta: 0.4, l1: 0.03, l2: 0.02 });
    const tf = await toTfjsLayers(model);
    const fromTF = await fromTfjsLayers(tf.modelJson, tf.weightsBin, { config: { backend: 'cpu' } });
    expect(fromTF.config).toMatchObject({ loss: 'huber', huberDelta: 0.4, l1: 0.03, l2: 0.02 });
    // a loss given in the options replaces the file's, and its huberDelta with it
    const asMse = await fromSafetensors(await toSafetensors(model), { config: { backend: 'cpu', loss: 'mse' } });
    expect([asMse.config.loss, asMse.config.huberDelta, asMse.config.l1]).toEqual(['mse', undefined, 0.03]);
  });
});

describe('bad l1 and huberDelta: refused at create, naming the value', () => {
  const cases: [string, Partial<ModelConfig>, RegExp][] = [
    ['l1 negative', { l1: -0.1 }, /^l1 must be a finite number >= 0, got -0\.1$/],
    ['l1 NaN', { l1: NaN }, /^l1 must be a finite number >= 0, got NaN$/],
    ['l1 Infinity', { l1: Infinity }, /^l1 must be a finite number >= 0, got Infinity$/],
    ['l1 a string', { l1: '0.1' as never }, /^l1 must be a finite number >= 0, got "0\.1" \(a string\)$/],
    ['huberDelta 0', { huberDelta: 0 }, /^huberDelta must be a finite number > 0, got 0$/],
    ['huberDelta negative', { huberDelta: -1 }, /^huberDelta must be a finite number > 0, got -1$/],
    ['huberDelta NaN', { huberDelta: NaN }, /^huberDelta must be a finite number > 0, got NaN$/],
    ['huberDelta with mse', { loss: 'mse', huberDelta: 1 }, /^huberDelta applies to loss 'huber' only, got it with loss 'mse'$/],
  ];
  for (const [name, change, message] of cases) {
    it(name, async () => {
      await expect(MLP.create({ ...config, ...change })).rejects.toThrow(message);
    });
  }

  it('float32 backends: λ₁ and δ beyond float32 refused, naming them', () => {
    expect(() => checkFloat32Settings({ type: 'sgd' }, 0.1, 0, 1e39)).toThrow(/^l1 1e\+39 is beyond float32's range/);
    expect(() => checkFloat32Settings({ type: 'sgd' }, 0.1, 0, 1e-40)).toThrow(/^l1 1e-40 is below float32's smallest normal number/);
    expect(() => checkFloat32Settings({ type: 'sgd' }, 0.1, 0, 0, 1e-45)).toThrow(/^huberDelta 1e-45 is below float32's smallest normal number/);
    expect(() => checkFloat32Settings({ type: 'sgd' }, 0.1, 0, 0.5, 2)).not.toThrow();
  });
});
