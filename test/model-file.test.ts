// Model files: round trip, and malformed, truncated or hostile files refused with a clear error
// before anything is allocated for them.
import { describe, expect, it } from 'vitest';
import { MLP, Rng } from '../src';

async function trained() {
  const m = await MLP.create({ inputSize: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 9, l2: 0.01, backend: 'cpu' });
  await m.fit([[0, 1, 2], [1, 0, -1], [2, 2, 0]], [0, 1, 1], { epochs: 5, batchSize: 2, learningRate: 0.1 });
  return m;
}

describe('model files', () => {
  it('round-trips through JSON text with identical predictions', async () => {
    const m = await trained();
    const text = JSON.stringify(await m.toJSON());
    const back = await MLP.fromJSON(text, { backend: 'cpu' });
    expect(await back.getWeights()).toEqual(await m.getWeights());
    expect(await back.predict([[0.5, -1, 1]])).toEqual(await m.predict([[0.5, -1, 1]]));
    expect(back.config.l2).toBe(0.01);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the cases reach into and break arbitrary model-file fields
  const malformed: [string, (j: any) => unknown, RegExp][] = [
    ['not JSON', () => '{"format": "webgpu-mlp", ', /model file is not valid JSON/],
    ['wrong format', (j) => ({ ...j, format: 'keras' }), /format must be 'webgpu-mlp', got "keras"/],
    ['future version', (j) => ({ ...j, version: 2 }), /version 2 is not supported/],
    ['missing config', (j) => ({ ...j, config: undefined }), /config must be an object/],
    ['weights missing a layer', (j) => ({ ...j, weights: j.weights.slice(0, 1) }), /weights must list 2 layers, got 1/],
    ['truncated weight row', (j) => ({ ...j, weights: [[...j.weights[0].slice(0, 2), j.weights[0][2].slice(0, 3)], j.weights[1]] }), /weights\[0\]\[2\] must have 4 numbers, got 3/],
    ['NaN weight (as null)', (j) => { j.weights[1][0][1] = null; return j; }, /weights\[1\]\[0\]\[1\] must be a finite number, got null/],
    ['string weight', (j) => { j.weights[0][0][0] = '0.5'; return j; }, /weights\[0\]\[0\]\[0\] must be a finite number, got "0.5"/],
    ['bias count', (j) => { j.biases[1] = [0]; return j; }, /biases\[1\] must have 2 numbers, got 1/],
    ['hostile huge layer', (j) => { j.config.layers[0].units = 1_000_000; return j; }, /declares \d+ parameters, more than the 268435456|weights\[0\]\[0\] must have 1000000 numbers/],
    ['hostile huge input', (j) => { j.config.inputSize = 2 ** 40; return j; }, /inputSize must be an integer in \[1, 1048576\]/],
    ['negative units', (j) => { j.config.layers[1].units = -2; return j; }, /layers\[1\]\.units must be an integer/],
    ['unknown activation', (j) => { j.config.layers[0].activation = 'swish'; return j; }, /layers\[0\]\.activation must be one of/],
  ];
  for (const [name, mutate, message] of malformed) {
    it(`refuses: ${name}`, async () => {
      const json = structuredClone(await (await trained()).toJSON());
      await expect(MLP.fromJSON(mutate(json), { backend: 'cpu' })).rejects.toThrow(message);
    });
  }

  it("a file of a model with norm: 'layer' carries γ/β; one without them, or with a short scale, is refused naming the layer", async () => {
    const m = await MLP.create({ inputSize: 3, layers: [{ units: 4, activation: 'tanh', norm: 'layer' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 9, backend: 'cpu' });
    await m.fit([[0, 1, 2], [1, 0, -1], [2, 2, 0]], [0, 1, 1], { epochs: 5, batchSize: 2, learningRate: 0.1 });
    const json = await m.toJSON();
    expect(json.norms![0]!.scale).toHaveLength(4);
    await expect(MLP.fromJSON({ ...json, norms: undefined }, { backend: 'cpu' })).rejects.toThrow(/model file has no norms: layers\[0\] has norm 'layer'/);
    await expect(MLP.fromJSON({ ...json, norms: [{ scale: [1, 1, 1], shift: [0, 0, 0, 0] }, null] }, { backend: 'cpu' })).rejects.toThrow(/norms\[0\]\.scale/);
    expect(await (await MLP.fromJSON(JSON.stringify(json), { backend: 'cpu' })).getWeights()).toEqual(await m.getWeights());
  });

  it('fuzz: 500 mutated files either load into a usable model or fail with a clear RangeError/TypeError/SyntaxError', async () => {
    const base = JSON.stringify(await (await trained()).toJSON());
    const rng = new Rng(2024, 'fuzz');
    const tokens = ['null', '-1', '1e309', '"x"', '[]', '{}', '0', '1048577', 'true', '3.5'];
    let loaded = 0;
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      let text = base;
      const kind = rng.int(4);
      if (kind === 0) text = text.slice(0, rng.int(text.length)); // truncated
      else if (kind === 1) {
        // replace one number with a token
        const nums = [...text.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)];
        const m = nums[rng.int(nums.length)];
        text = text.slice(0, m.index) + tokens[rng.int(tokens.length)] + text.slice(m.index! + m[0].length);
      } else if (kind === 2) {
        // flip one character
        const at = rng.int(text.length);
        text = text.slice(0, at) + String.fromCharCode(32 + rng.int(90)) + text.slice(at + 1);
      } else {
        // drop a key
        const keys = [...text.matchAll(/"(\w+)":/g)];
        const k = keys[rng.int(keys.length)];
        text = text.replace(`"${k[1]}":`, `"_${k[1]}":`);
      }
      try {
        const m = await MLP.fromJSON(text, { backend: 'cpu' });
        const w = await m.getWeights();
        expect([...w.weights.flat(2), ...w.biases.flat()].every(Number.isFinite)).toBe(true);
        const p = await m.predict([new Array(m.config.inputSize).fill(0.5)]);
        expect(p[0].length).toBe(m.config.layers.at(-1)!.units);
        loaded++;
      } catch (e) {
        expect(e, `mutation ${i} (${kind}): ${String(e)}`).toSatisfy((err: unknown) => err instanceof RangeError || err instanceof TypeError || err instanceof SyntaxError);
        expect((e as Error).message.length).toBeGreaterThan(10);
        refused++;
      }
    }
    console.log(`fuzz: ${loaded} mutated files loaded, ${refused} refused with a clear error`);
    expect(refused).toBeGreaterThan(100);
  });
});
