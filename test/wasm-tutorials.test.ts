// The seed tutorials' worked examples (test/tutorials.test.ts) on the wasm backend: the same
// networks, weights and steps, with the printed numbers matched to float32 precision instead of
// the CPU path's 9 decimals.
import { describe, expect, it } from 'vitest';
import { toInputs, toTargets } from '../src/core/data';
import type { ModelConfig } from '../src/core/types';
import { fitHost, fitOn, twins } from './wasm-twins';

/** float32 rounding of values near 1, carried through a few operations. */
const F32 = 2e-6;

const config002: ModelConfig = {
  inputSize: 2,
  layers: [{ units: 2, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }],
  loss: 'sse', freezeBias: true,
  weights: [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]],
  biases: [[0.35, 0.35], [0.6, 0.6]],
};
const x002 = [[0.05, 0.1]];
const y002 = [[0.01, 0.99]];
const flat002 = (w: Float64Array[]) => [w[0][0], w[0][2], w[0][1], w[0][3], w[1][0], w[1][2], w[1][1], w[1][3]];

/** The tutorial's E: evaluate's mean loss on the one sample. */
async function loss002(t: Awaited<ReturnType<typeof twins>>): Promise<number> {
  return (await t.wasm.evaluate(toInputs(x002, t.net), toTargets(y002, t.net, 1))).lossSum;
}

describe('wasm: tutorial 002, 2-2-2 sigmoid network, squared error, one sample', () => {
  it('forward pass gives out_o1 = 0.75136507, out_o2 = 0.772928465 and E0 = 0.298371109', async () => {
    const t = await twins(config002);
    const [o1, o2] = await t.wasm.predict(toInputs(x002, t.net));
    expect(Math.abs(o1 - 0.75136507)).toBeLessThan(F32);
    expect(Math.abs(o2 - 0.772928465)).toBeLessThan(F32);
    expect(Math.abs((await loss002(t)) - 0.298371109)).toBeLessThan(F32);
  });

  it('one step with η = 0.5 gives the printed w1..w8, the frozen biases unchanged, and E1 = 0.291027774', async () => {
    const t = await twins(config002);
    await fitOn(fitHost(t.wasm, t.net), x002, y002, { epochs: 1, batchSize: 1, learningRate: 0.5, shuffle: false });
    const p = await t.wasm.readParams();
    const expected = [0.149780716, 0.199561432, 0.249751144, 0.299502287, 0.35891648, 0.408666186, 0.51130127, 0.561370121];
    flat002(p.weights).forEach((w, i) => expect(Math.abs(w - expected[i]), `w${i + 1}: ${w}`).toBeLessThan(F32));
    expect(p.biases.map((b) => Array.from(b))).toEqual([[Math.fround(0.35), Math.fround(0.35)], [Math.fround(0.6), Math.fround(0.6)]]);
    expect(Math.abs((await loss002(t)) - 0.291027774)).toBeLessThan(F32);
  });

  it('after 10 000 steps the error is ≈ 3.51e-5', async () => {
    const t = await twins(config002);
    await fitOn(fitHost(t.wasm, t.net), x002, y002, { epochs: 10000, batchSize: 1, learningRate: 0.5, shuffle: false });
    // float32 steps of size ~1e-5 near the minimum: the printed 3 digits to within 1%
    expect(Math.abs((await loss002(t)) / 3.51e-5 - 1)).toBeLessThan(0.01);
  });
});

describe('wasm: tutorial 001, 2-2-1 linear network without biases', () => {
  const config: ModelConfig = {
    inputSize: 2,
    layers: [{ units: 2, activation: 'linear' }, { units: 1, activation: 'linear' }],
    loss: 'sse', useBias: false,
    weights: [[[0.11, 0.12], [0.21, 0.08]], [[0.14], [0.15]]],
  };

  it('predicts 0.191 for x = [2, 3]', async () => {
    const t = await twins(config);
    expect(Math.abs((await t.wasm.predict(toInputs([[2, 3]], t.net)))[0] - 0.191)).toBeLessThan(F32);
  });

  it('one step with η = 0.05 gives the printed weights and prediction 0.25575', async () => {
    const t = await twins(config);
    await fitOn(fitHost(t.wasm, t.net), [[2, 3]], [1], { epochs: 1, batchSize: 1, learningRate: 0.05 });
    const w = (await t.wasm.readParams()).weights;
    const flat = [w[0][0], w[0][2], w[0][1], w[0][3], w[1][0], w[1][1]];
    const expected = [0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416];
    flat.forEach((v, i) => expect(Math.abs(v - expected[i]), `w${i + 1}: ${v}`).toBeLessThan(F32));
    const p = (await t.wasm.predict(toInputs([[2, 3]], t.net)))[0];
    // 0.25575 is printed to 5 decimals (the CPU test checks it as closely)
    expect(p).toBeCloseTo(0.25575, 5);
    expect(p.toFixed(2)).toBe('0.26');
  });
});

describe('wasm: XOR', () => {
  it('a 2-4-1 sigmoid net learns all four cases from a fixed seed', async () => {
    const t = await twins({ inputSize: 2, layers: [{ units: 4, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', initializer: 'xavier', seed: 3 });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const h = await fitOn(fitHost(t.wasm, t.net), x, [0, 1, 1, 0], { epochs: 2000, batchSize: 4, learningRate: 0.1, optimizer: 'adam' });
    expect(h.epochs.at(-1)!.accuracy).toBe(1);
    const p = Array.from(await t.wasm.predict(toInputs(x, t.net)));
    expect(p[0]).toBeLessThan(0.1);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(p[2]).toBeGreaterThan(0.9);
    expect(p[3]).toBeLessThan(0.1);
  });
});
