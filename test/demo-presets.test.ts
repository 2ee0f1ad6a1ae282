// The demo's presets in Node: the deep residual MNIST preset is found again from its settings
// (the editor's round trip goes through matchingPreset), its model config carries the residual
// flags, and the library builds that config; an edit that drops a flag leaves the preset.
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';
import { oneRowBatchNorm } from '../demo/layer-extras';
import { DEEP_NORM_BLOCKS, DEEP_RESIDUAL_BLOCKS, MNIST_DEEP_NORM, MNIST_DEEP_RESIDUAL, PRESET_LIST, matchingPreset, modelConfig } from '../demo/presets';

describe('demo presets', () => {
  it('finds the deep residual MNIST preset from a copy of its settings, whatever the backend', () => {
    const copy = structuredClone({ ...MNIST_DEEP_RESIDUAL, backend: 'cpu' as const });
    expect(matchingPreset('mnist', copy)?.id).toBe('mnist-deep-residual');
    expect(PRESET_LIST.filter((p) => p.id === 'mnist-deep-residual')).toHaveLength(1);
  });

  it('leaves the preset when a residual flag is dropped or added', () => {
    const dropped = structuredClone(MNIST_DEEP_RESIDUAL);
    delete dropped.layers[2].residual;
    expect(matchingPreset('mnist', dropped)).toBeNull();
    const added = structuredClone(MNIST_DEEP_RESIDUAL);
    added.layers[0].residual = true;
    expect(matchingPreset('mnist', added)).toBeNull();
  });

  it('gives a model config with the residual flags, which the library builds', async () => {
    const config = modelConfig('mnist', { ...MNIST_DEEP_RESIDUAL, backend: 'cpu' }, 784);
    const flags = config.layers.map((l) => l.residual ?? false);
    expect(flags, JSON.stringify(config.layers)).toEqual([false, ...Array<boolean>(DEEP_RESIDUAL_BLOCKS).fill(true), false]);
    const model = await MLP.create(config);
    const out = await model.predict([Array.from({ length: 784 }, (_, i) => ((i * 37) % 401) / 100 - 2)]);
    expect(out[0]).toHaveLength(10);
    expect(Math.abs(out[0].reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
  });

  it('carries norm and alpha per layer into the model config, which the library builds; either leaves the preset', async () => {
    const edited = structuredClone({ ...MNIST_DEEP_RESIDUAL, backend: 'cpu' as const });
    edited.layers[1] = { ...edited.layers[1], norm: 'layer' };
    edited.layers[2] = { ...edited.layers[2], activation: 'leakyRelu', alpha: 0.2 };
    expect(matchingPreset('mnist', edited)).toBeNull();
    const config = modelConfig('mnist', edited, 784);
    expect(config.layers.map((l) => [l.norm ?? null, l.alpha ?? null]).slice(0, 4)).toEqual([[null, null], ['layer', null], [null, 0.2], [null, null]]);
    const model = await MLP.create(config);
    const w = await model.getWeights();
    expect(w.norms?.map((n) => n?.scale.length ?? null).slice(0, 3)).toEqual([null, 256, null]);
    model.dispose();
  });

  it('the LayerNorm preset: found from its settings; residual and norm on each of its blocks; the library builds and trains it', async () => {
    const copy = structuredClone({ ...MNIST_DEEP_NORM, backend: 'wasm' as const });
    expect(matchingPreset('mnist', copy)?.id).toBe('mnist-deep-norm');
    const config = modelConfig('mnist', copy, 784);
    const blocks = config.layers.map((l) => `${l.residual ? 'r' : ''}${l.norm ? 'n' : ''}`);
    expect(blocks, JSON.stringify(config.layers)).toEqual(['', ...Array<string>(DEEP_NORM_BLOCKS).fill('rn'), '']);
    const model = await MLP.create(config);
    const x = [Array.from({ length: 784 }, (_, i) => ((i * 37) % 401) / 400), Array.from({ length: 784 }, (_, i) => ((i * 11) % 97) / 96)];
    const before = (await model.evaluate(x, [3, 7])).loss;
    await model.fit(x, [3, 7], { epochs: 5, batchSize: 2, learningRate: 0.001, optimizer: 'adam' });
    expect((await model.evaluate(x, [3, 7])).loss, `784-256-${DEEP_NORM_BLOCKS}×256rn-10 on wasm`).toBeLessThan(before);
    model.dispose();
  });

  it("carries norm 'batch' into the model config, which the library builds on the CPU; a batch size of 1 with it is refused, as fit refuses it", async () => {
    const edited = structuredClone({ ...MNIST_DEEP_RESIDUAL, backend: 'cpu' as const });
    edited.layers[1] = { ...edited.layers[1], norm: 'batch' };
    expect(matchingPreset('mnist', edited)).toBeNull();
    const config = modelConfig('mnist', edited, 784);
    expect(config.layers.map((l) => l.norm ?? null).slice(0, 3)).toEqual([null, 'batch', null]);
    const model = await MLP.create(config);
    const w = await model.getWeights();
    expect(w.norms?.map((n) => n?.runningVar?.length ?? null).slice(0, 3)).toEqual([null, 256, null]);
    const x = [Array.from({ length: 784 }, (_, i) => ((i * 37) % 401) / 400 - 0.5)];
    await expect(model.fit(x, [3], { epochs: 1, batchSize: 1 })).rejects.toThrow(/needs at least 2 rows in every training batch/);
    expect(oneRowBatchNorm(edited.layers, 1)).toBe('batch size 1: hidden layer 2 has batch norm, which needs at least 2 rows in every training batch (its variance over one row is 0); use a batch size ≥ 2');
    expect(oneRowBatchNorm(edited.layers, 2)).toBeNull();
    expect(oneRowBatchNorm(MNIST_DEEP_RESIDUAL.layers, 1)).toBeNull();
    model.dispose();
  });
});
