// The worked examples of the tutorials the library's users learned from (their numbers are
// written out in this file), reproduced on the CPU path to the printed digit.
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';

const round9 = (v: number) => Number(v.toFixed(9));

/** The 2-2-2 sigmoid example (seed 002): w1..w8, one frozen bias per layer. */
async function tutorial002() {
  return MLP.create({
    inputSize: 2,
    layers: [
      { units: 2, activation: 'sigmoid' },
      { units: 2, activation: 'sigmoid' },
    ],
    loss: 'sse',
    backend: 'cpu',
    freezeBias: true,
    // weights[l][input][unit]: h1 = w1·i1 + w2·i2, h2 = w3·i1 + w4·i2, o1 = w5·h1 + w6·h2, o2 = w7·h1 + w8·h2
    weights: [
      [[0.15, 0.25], [0.2, 0.3]],
      [[0.4, 0.5], [0.45, 0.55]],
    ],
    biases: [[0.35, 0.35], [0.6, 0.6]],
  });
}
const x002 = [[0.05, 0.1]];
const y002 = [[0.01, 0.99]];
const flat002 = (w: number[][][]) => [w[0][0][0], w[0][1][0], w[0][0][1], w[0][1][1], w[1][0][0], w[1][1][0], w[1][0][1], w[1][1][1]];

describe('tutorial 002: 2-2-2 sigmoid network, squared error, one sample', () => {
  it('forward pass gives out_o1 = 0.75136507, out_o2 = 0.772928465 and E0 = 0.298371109', async () => {
    const m = await tutorial002();
    const [[o1, o2]] = await m.predict(x002);
    expect(o1).toBeCloseTo(0.75136507, 8);
    expect(o2).toBeCloseTo(0.772928465, 9);
    const { loss } = await m.evaluate(x002, y002);
    expect(round9(loss)).toBe(0.298371109);
  });

  it('one step with η = 0.5 gives the printed w1..w8 to 9 decimals', async () => {
    const m = await tutorial002();
    await m.fit(x002, y002, { epochs: 1, batchSize: 1, learningRate: 0.5, shuffle: false });
    const w = flat002((await m.getWeights()).weights).map(round9);
    expect(w).toEqual([0.149780716, 0.199561432, 0.249751144, 0.299502287, 0.35891648, 0.408666186, 0.51130127, 0.561370121]);
    // the biases were frozen, as in the tutorial
    expect((await m.getWeights()).biases).toEqual([[0.35, 0.35], [0.6, 0.6]]);
  });

  it('E1 after one step is 0.291027774 (the tutorial prints 0.291027924, a rounding slip in its hand arithmetic)', async () => {
    const m = await tutorial002();
    await m.fit(x002, y002, { epochs: 1, batchSize: 1, learningRate: 0.5, shuffle: false });
    const { loss } = await m.evaluate(x002, y002);
    expect(round9(loss)).toBe(0.291027774);
  });

  it('after 10 000 steps the error is ≈ 3.51e-5', async () => {
    const m = await tutorial002();
    await m.fit(x002, y002, { epochs: 10000, batchSize: 1, learningRate: 0.5, shuffle: false });
    const { loss } = await m.evaluate(x002, y002);
    expect(Number(loss.toPrecision(3))).toBe(3.51e-5);
  });
});

describe('tutorial 001: 2-2-1 linear network without biases', () => {
  const make = () =>
    MLP.create({
      inputSize: 2,
      layers: [
        { units: 2, activation: 'linear' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'sse', // ½(o − y)²
      useBias: false,
      backend: 'cpu',
      weights: [
        [[0.11, 0.12], [0.21, 0.08]],
        [[0.14], [0.15]],
      ],
    });

  it('predicts 0.191 for x = [2, 3]', async () => {
    const m = await make();
    expect((await m.predict([[2, 3]]))[0][0]).toBeCloseTo(0.191, 12);
  });

  it('one step with η = 0.05 gives the printed weights and prediction 0.25575 (printed as 0.26)', async () => {
    const m = await make();
    await m.fit([[2, 3]], [1], { epochs: 1, batchSize: 1, learningRate: 0.05 });
    const w = (await m.getWeights()).weights;
    const flat = [w[0][0][0], w[0][1][0], w[0][0][1], w[0][1][1], w[1][0][0], w[1][1][0]];
    const expected = [0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416];
    flat.forEach((v, i) => expect(v, `w${i + 1}`).toBeCloseTo(expected[i], 12));
    const p = (await m.predict([[2, 3]]))[0][0];
    expect(p).toBeCloseTo(0.25575, 5);
    expect(p.toFixed(2)).toBe('0.26');
  });
});

describe('XOR', () => {
  it('a 2-4-1 sigmoid net learns all four cases from a fixed seed', async () => {
    const m = await MLP.create({
      inputSize: 2,
      layers: [
        { units: 4, activation: 'sigmoid' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossEntropy',
      initializer: 'xavier',
      seed: 3,
      backend: 'cpu',
    });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const h = await m.fit(x, [0, 1, 1, 0], { epochs: 2000, batchSize: 4, learningRate: 0.1, optimizer: 'adam' });
    expect(h.epochs.at(-1)!.accuracy).toBe(1);
    const p = (await m.predict(x)).map((r) => r[0]);
    expect(p[0]).toBeLessThan(0.1);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(p[2]).toBeGreaterThan(0.9);
    expect(p[3]).toBeLessThan(0.1);
  });
});
