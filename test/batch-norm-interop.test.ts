// Batch normalization in the formats: safetensors with nn.Sequential names PyTorch strict-loads
// (Linear, BatchNorm1d with running_mean, running_var and an int64 num_batches_tracked, activation),
// the TF.js layers format (Dense, BatchNormalization, Activation) loaded and trained by TF.js 4.22,
// ONNX BatchNormalization (inference form) run by onnxruntime-web in Node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLP, type ModelConfig, type Weights } from '../src';
import { type TfjsModelJson, fromSafetensors, fromTfjsLayers, toOnnx, toSafetensors, toTfjsLayers } from '../src/interop';
import { maxDiff, removeTempDirs, requireTorch, runPython, seededRows, tempDir, toRows, trainedModel, writeJson } from './interop/helpers';
import { ort } from './interop/ort-node';

/** 5 → 6b tanh → 6b gelu residual (ε 1e-3, momentum 0.3) → 4 relu → 3 softmax. */
const config: ModelConfig = {
  inputSize: 5, loss: 'categoricalCrossEntropy', seed: 23,
  layers: [
    { units: 6, activation: 'tanh', norm: 'batch' },
    { units: 6, activation: 'gelu', norm: 'batch', normEpsilon: 1e-3, normMomentum: 0.3, residual: true },
    { units: 4, activation: 'relu' },
    { units: 3, activation: 'softmax' },
  ],
};
const shape = '5 → 6b tanh → 6br gelu (ε 1e-3, m 0.3) → 4 relu → 3 softmax';

/** The same network without the residual flag (a Sequential of Dense layers cannot add a layer's input). */
const plain: ModelConfig = { ...config, loss: 'mse', layers: config.layers.map(({ residual: _, ...l }) => (l.activation === 'softmax' ? { ...l, activation: 'linear' as const } : l)) };
const plainShape = '5 → 6b tanh → 6b gelu (ε 1e-3, m 0.3) → 4 relu → 3 linear';

afterAll(removeTempDirs);
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => tf.disposeVariables());

const loadInTfjs = (modelJson: TfjsModelJson, weightsBin: Uint8Array) =>
  tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weightsBin.slice().buffer }));
const tfPredict = (m: tf.LayersModel, x: number[][]) => tf.tidy(() => (m.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][]);
/** Layer `l`'s running statistics in getWeights. */
const stats = (w: Weights, l: number) => [...w.norms![l]!.runningMean!, ...w.norms![l]!.runningVar!];
const layersOf = (json: TfjsModelJson) => (json.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;

describe('batch normalization in the formats', () => {
  it('safetensors: Linear, BatchNorm1d (running statistics, int64 num_batches_tracked), activation; PyTorch strict-loads it and predicts as we do in eval mode', async () => {
    requireTorch();
    const model = await trainedModel(config);
    const w = await model.getWeights();
    expect(Math.max(...stats(w, 1).map((v, i) => Math.abs(v - (i < 6 ? 0 : 1)))), 'the running statistics must have moved for the check to mean something').toBeGreaterThan(1e-2);
    const bytes = await toSafetensors(model);
    const x = seededRows(41, 13, 5);
    const ours = await model.predict(x);
    const back = await fromSafetensors(bytes, { config: { backend: 'cpu' } });
    expect(back.config.layers.map((l) => [l.norm ?? null, l.normEpsilon ?? null, l.normMomentum ?? null])).toEqual([['batch', 1e-5, 0.1], ['batch', 1e-3, 0.3], [null, null, null], [null, null, null]]);
    expect(maxDiff([stats(w, 0), stats(w, 1)], [stats(await back.getWeights(), 0), stats(await back.getWeights(), 1)]), `running statistics round trip through ${shape}`).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(ours, await back.predict(x)), `[13, 5] round trip through ${shape}`).toBeLessThanOrEqual(1e-6);
    const dir = tempDir();
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const torch = runPython<{ state: Record<string, number[]>; dtypes: Record<string, string>; modules: string[]; predictions: number[][] }>('torch_check.py', ['predict', join(dir, 'model.safetensors'), writeJson(dir, 'x.json', x)]);
    expect(torch.modules).toEqual(['Linear', 'BatchNorm1d', 'Tanh', 'Linear', 'BatchNorm1d', 'GELU', 'Linear', 'ReLU', 'Linear', 'Softmax']);
    expect(torch.state['4.running_var']).toEqual([6]);
    expect(torch.state['1.num_batches_tracked']).toEqual([]);
    expect(torch.dtypes['4.num_batches_tracked']).toBe('int64');
    const diff = maxDiff(ours, torch.predictions);
    console.log(`safetensors with BatchNorm1d -> PyTorch (strict load, eval mode): max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff, `[13, 5] through ${shape}`).toBeLessThanOrEqual(1e-5);
    model.dispose();
    back.dispose();
  });

  it('TF.js layers format: Dense → BatchNormalization → Activation; TF.js 4.22 loads it and predicts as we do (inference)', async () => {
    const model = await trainedModel(plain);
    const { modelJson, weightsBin } = await toTfjsLayers(model);
    const layers = layersOf(modelJson);
    expect(layers.map((l) => l.class_name)).toEqual(['Dense', 'BatchNormalization', 'Activation', 'Dense', 'BatchNormalization', 'Activation', 'Dense', 'Dense']);
    expect(layers[4].config).toMatchObject({ axis: -1, epsilon: 1e-3, momentum: 0.7, center: true, scale: true });
    expect(modelJson.weightsManifest[0].weights.map((s) => s.name).filter((n) => n.startsWith('dense_1_'))).toEqual(['dense_1_batch_normalization/gamma', 'dense_1_batch_normalization/beta', 'dense_1_batch_normalization/moving_mean', 'dense_1_batch_normalization/moving_variance']);
    const tfModel = await loadInTfjs(modelJson, weightsBin);
    const x = seededRows(42, 17, 5);
    const ours = await model.predict(x);
    const diff = maxDiff(ours, tfPredict(tfModel, x));
    console.log(`tfjs-layers with BatchNormalization -> tf.loadLayersModel: max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff, `[17, 5] through ${plainShape}`).toBeLessThanOrEqual(1e-5);
    tfModel.dispose();
    const back = await fromTfjsLayers(JSON.stringify(modelJson), weightsBin.slice().buffer, { config: { backend: 'cpu' } });
    expect(back.config.layers.map((l) => [l.norm ?? null, l.normEpsilon ?? null, l.normMomentum ?? null])).toEqual([['batch', 1e-5, 0.1], ['batch', 1e-3, 0.3], [null, null, null], [null, null, null]]);
    expect(maxDiff(ours, await back.predict(x)), `[17, 5] round trip through ${plainShape}`).toBeLessThanOrEqual(1e-6);
    model.dispose();
    back.dispose();
  });

  it("TF.js: after 12 SGD steps from the same weights, TF.js's BatchNormalization model's weights, γ/β and moving mean equal ours; its moving variance is the biased estimator's", async () => {
    const model = await MLP.create({ ...plain, backend: 'cpu' });
    const start = await model.getWeights();
    const { modelJson, weightsBin } = await toTfjsLayers(model);
    const tfModel = await loadInTfjs(modelJson, weightsBin);
    const x = seededRows(43, 24, 5);
    const y = seededRows(44, 24, 3);
    const [batch, epochs] = [6, 3];
    await model.fit(x, y, { epochs, batchSize: batch, learningRate: 0.1, optimizer: 'sgd', shuffle: false });
    tfModel.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await tfModel.fit(tf.tensor2d(x), tf.tensor2d(y), { epochs, batchSize: batch, shuffle: false, verbose: 0 });
    const w = await model.getWeights();
    const trained = (v: Weights) => v.weights.flatMap((k, l) => [...k.flat(), ...v.biases[l], ...(v.norms![l] ? [...v.norms![l]!.scale, ...v.norms![l]!.shift] : [])]);
    // TF.js's layers in order: Dense kernel, bias; BatchNormalization γ, β, moving mean, moving variance
    const tfLayers = tfModel.layers.map((layer) => layer.getWeights().map((t) => Array.from(t.dataSync())));
    const theirs = tfLayers.flatMap((ws) => (ws.length === 4 ? ws.slice(0, 2) : ws)).flat();
    const [ours, before] = [trained(w), trained(start)];
    expect(theirs.length, plainShape).toBe(ours.length);
    const diff = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
    const moved = Math.max(...ours.map((v, i) => Math.abs(v - before[i])));
    const gammaMoved = Math.max(...w.norms![1]!.scale.map((v) => Math.abs(v - 1)));
    const bn = tfLayers.filter((ws) => ws.length === 4);
    const meanDiff = Math.max(...[0, 1].flatMap((l) => w.norms![l]!.runningMean!.map((v, j) => Math.abs(v - bn[l][2][j]))));
    // the variance: TF.js keeps the batch's biased σ², we (and PyTorch) σ²·n/(n−1). From var₀ = 1 after N
    // steps of momentum m with batches of n rows, ours − (1−m)^N = n/(n−1)·(theirs − (1−m)^N)
    const steps = epochs * (x.length / batch);
    const rawVarDiff = Math.max(...[0, 1].flatMap((l) => w.norms![l]!.runningVar!.map((v, j) => Math.abs(v - bn[l][3][j]))));
    const scaledVarDiff = Math.max(...[0, 1].flatMap((l) => {
      const decay = (1 - (plain.layers[l].normMomentum ?? 0.1)) ** steps;
      return w.norms![l]!.runningVar!.map((v, j) => Math.abs(v - decay - (batch / (batch - 1)) * (bn[l][3][j] - decay)));
    }));
    console.log(
      `batch norm, ${steps} SGD steps: max |Δ| ours vs TF.js = ${diff.toExponential(2)} (parameters moved up to ${moved.toFixed(3)}, γ of layer 1 by ${gammaMoved.toExponential(2)}); ` +
        `moving mean ${meanDiff.toExponential(2)}; moving variance ${rawVarDiff.toExponential(2)} as stored, ${scaledVarDiff.toExponential(2)} after the n/(n−1) = ${batch}/${batch - 1} correction`,
    );
    expect(gammaMoved, 'γ must have trained for the comparison to mean something').toBeGreaterThan(1e-3);
    expect(diff, `${plainShape}, [24, 5], batch 6, 3 epochs`).toBeLessThanOrEqual(1e-5);
    expect(meanDiff, `moving mean, ${plainShape}`).toBeLessThanOrEqual(1e-5);
    expect(rawVarDiff, 'the two estimators differ, so the raw variances must too').toBeGreaterThan(1e-3);
    expect(scaledVarDiff, `moving variance after the n/(n−1) correction, ${plainShape}`).toBeLessThanOrEqual(1e-5);
    tfModel.dispose();
    model.dispose();
  });

  for (const linear of ['gemm', 'matmul-add'] as const) {
    it(`ONNX (${linear}): BatchNormalization (inference form), onnxruntime-web gives our predictions (${shape})`, async () => {
      const model = await trainedModel(config);
      const bytes = await toOnnx(model, { linear });
      const text = new TextDecoder('latin1').decode(bytes);
      expect(text.match(/layer\d\/BatchNormalization/g)).toEqual(['layer0/BatchNormalization', 'layer1/BatchNormalization']);
      const session = await ort.InferenceSession.create(bytes);
      const x = seededRows(45, 19, 5);
      const out = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [19, 5]) })).output;
      await session.release();
      const diff = maxDiff(await model.predict(x), toRows(out.data as Float32Array, 3));
      console.log(`ONNX (${linear}) with BatchNormalization -> onnxruntime-web: max |prediction difference| = ${diff.toExponential(2)}`);
      expect(diff, `[19, 5] through ${shape}`).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }

  it('imports refuse a batch normalization they cannot read, naming the tensor or layer', async () => {
    const model = await MLP.create({ ...plain, backend: 'cpu' });
    const bytes = await toSafetensors(model);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    // renaming a tensor keeps the data offsets: '1.running_var' becomes a name no module reads
    const renamed = (from: string, to: string) => {
      const h = structuredClone(header) as Record<string, unknown>;
      h[to] = h[from];
      delete h[from];
      const text = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + text.length + bytes.length - 8 - n);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      out.set(bytes.subarray(8 + n), 8 + text.length);
      return out;
    };
    await expect(fromSafetensors(renamed('1.running_var', '1.running_variance'), { config: { backend: 'cpu' } })).rejects.toThrow(/tensor '1\.running_variance' is not a Linear parameter/);
    await expect(fromSafetensors(renamed('1.running_var', '2.running_var'), { config: { backend: 'cpu' } })).rejects.toThrow(/safetensors module 1 \(an nn\.BatchNorm1d\) has '1\.running_mean' but no '1\.running_var'/);
    await expect(fromSafetensors(bytes, { config: { backend: 'cpu', layers: plain.layers.map((l) => (l.norm ? { units: l.units, activation: l.activation, norm: 'layer' as const } : l)) } }))
      .rejects.toThrow(/options\.config\.layers\[0\]\.norm is "layer" but the safetensors file has a batch normalization \('1\.weight'\)/);
    const { modelJson, weightsBin } = await toTfjsLayers(model);
    const edit = (change: (layers: { class_name: string; config: Record<string, unknown> }[]) => void) => {
      const json = structuredClone(modelJson);
      change(layersOf(json));
      return fromTfjsLayers(json, weightsBin.slice().buffer, { config: { backend: 'cpu' } });
    };
    await expect(edit((l) => (l[1].config.momentum = 1))).rejects.toThrow(/layer 1 \('dense_1_batch_normalization'\) momentum must be a number in \[0, 1\), got 1/);
    await expect(edit((l) => (l[1].config.scale = false))).rejects.toThrow(/layer 1 \('dense_1_batch_normalization'\) has center true and scale false/);
    await expect(edit((l) => (l[1].class_name = 'LayerNormalization'))).rejects.toThrow(/weights no Dense layer uses: 'dense_1_batch_normalization\/moving_mean', 'dense_1_batch_normalization\/moving_variance'/);
    model.dispose();
  });
});
