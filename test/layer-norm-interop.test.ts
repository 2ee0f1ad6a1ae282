// Layer normalization in the formats: safetensors with nn.Sequential names PyTorch loads (Linear,
// LayerNorm, activation), the TF.js layers format (Dense, LayerNormalization, Activation) loaded by
// TF.js 4.22, ONNX LayerNormalization (opset 17) run by onnxruntime-web in Node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLP, type ModelConfig } from '../src';
import { ONNX_NORM_OPSET, type TfjsModelJson, fromSafetensors, fromTfjsLayers, toOnnx, toSafetensors, toTfjsLayers } from '../src/interop';
import { maxDiff, removeTempDirs, requireTorch, runPython, seededRows, tempDir, toRows, trainedModel, writeJson } from './interop/helpers';
import { ort } from './interop/ort-node';

/** 5 → 6n tanh → 6n gelu residual (ε 1e-3) → 4 relu → 3 softmax: a normed layer, a normed residual block, a plain one. */
const config: ModelConfig = {
  inputSize: 5, loss: 'categoricalCrossEntropy', seed: 17,
  layers: [
    { units: 6, activation: 'tanh', norm: 'layer' },
    { units: 6, activation: 'gelu', norm: 'layer', normEpsilon: 1e-3, residual: true },
    { units: 4, activation: 'relu' },
    { units: 3, activation: 'softmax' },
  ],
};
const shape = '5 → 6n tanh → 6nr gelu (ε 1e-3) → 4 relu → 3 softmax';

afterAll(removeTempDirs);
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => tf.disposeVariables());

/** The same network without the residual flag (a Sequential of Dense layers cannot add a layer's input). */
const plain: ModelConfig = { ...config, loss: 'mse', layers: config.layers.map(({ residual: _, ...l }) => (l.activation === 'softmax' ? { ...l, activation: 'linear' as const } : l)) };
const plainShape = '5 → 6n tanh → 6n gelu (ε 1e-3) → 4 relu → 3 linear';

/** TF.js's own loader over our model.json and weights.bin, from memory. */
const loadInTfjs = (modelJson: TfjsModelJson, weightsBin: Uint8Array) =>
  tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weightsBin.slice().buffer }));
const tfPredict = (m: tf.LayersModel, x: number[][]) => tf.tidy(() => (m.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][]);

describe('layer normalization in the formats', () => {
  it('safetensors: Linear, LayerNorm, activation modules; PyTorch and our import predict alike', async () => {
    requireTorch();
    const model = await trainedModel(config);
    const bytes = await toSafetensors(model);
    const x = seededRows(31, 13, 5);
    const ours = await model.predict(x);
    const back = await fromSafetensors(bytes, { config: { backend: 'cpu' } });
    expect(back.config.layers.map((l) => [l.norm ?? null, l.normEpsilon ?? null])).toEqual([['layer', 1e-5], ['layer', 1e-3], [null, null], [null, null]]);
    expect(maxDiff(ours, await back.predict(x)), `[13, 5] round trip through ${shape}`).toBeLessThanOrEqual(1e-6);
    const dir = tempDir();
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const torch = runPython<{ state: Record<string, number[]>; modules: string[]; predictions: number[][] }>('torch_check.py', ['predict', join(dir, 'model.safetensors'), writeJson(dir, 'x.json', x)]);
    expect(torch.modules).toEqual(['Linear', 'LayerNorm', 'Tanh', 'Linear', 'LayerNorm', 'GELU', 'Linear', 'ReLU', 'Linear', 'Softmax']);
    expect(torch.state['1.weight']).toEqual([6]);
    expect(torch.state['4.bias']).toEqual([6]);
    const diff = maxDiff(ours, torch.predictions);
    console.log(`safetensors with LayerNorm -> PyTorch: max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff, `[13, 5] through ${shape}`).toBeLessThanOrEqual(1e-5);
    model.dispose();
    back.dispose();
  });

  it('safetensors without our metadata (as PyTorch saves a state_dict): a 1-D weight is read as the LayerNorm of the Linear before it', async () => {
    const model = await trainedModel(config);
    const bytes = await toSafetensors(model);
    // drop __metadata__ and keep the tensors: the header is re-written with the same data offsets
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    delete header.__metadata__;
    const text = new TextEncoder().encode(JSON.stringify(header));
    const bare = new Uint8Array(8 + text.length + bytes.length - 8 - n);
    new DataView(bare.buffer).setBigUint64(0, BigInt(text.length), true);
    bare.set(text, 8);
    bare.set(bytes.subarray(8 + n), 8 + text.length);
    const layers = config.layers.map(({ norm: _, normEpsilon: __, ...l }, i) => (i === 1 ? { ...l, normEpsilon: 1e-3 } : l));
    const back = await fromSafetensors(bare, { config: { layers, loss: 'categoricalCrossEntropy', backend: 'cpu' } });
    expect(back.config.layers.map((l) => [l.norm ?? null, l.normEpsilon ?? null])).toEqual([['layer', 1e-5], ['layer', 1e-3], [null, null], [null, null]]);
    const x = seededRows(36, 9, 5);
    expect(maxDiff(await model.predict(x), await back.predict(x)), `[9, 5] through ${shape}, no metadata`).toBeLessThanOrEqual(1e-6);
    model.dispose();
    back.dispose();
  });

  it('TF.js layers format: Dense → LayerNormalization → Activation; TF.js 4.22 loads it and predicts as we do', async () => {
    const model = await trainedModel(plain);
    const { modelJson, weightsBin } = await toTfjsLayers(model);
    const topology = modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    expect(topology.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'LayerNormalization', 'Activation', 'Dense', 'LayerNormalization', 'Activation', 'Dense', 'Dense']);
    expect(topology.config.layers[4].config).toMatchObject({ axis: -1, epsilon: 1e-3, center: true, scale: true });
    const tfModel = await loadInTfjs(modelJson, weightsBin);
    expect(tfModel.layers.map((l) => l.getClassName())).toEqual(['Dense', 'LayerNormalization', 'Activation', 'Dense', 'LayerNormalization', 'Activation', 'Dense', 'Dense']);
    const x = seededRows(32, 17, 5);
    const ours = await model.predict(x);
    const diff = maxDiff(ours, tfPredict(tfModel, x));
    console.log(`tfjs-layers with LayerNormalization -> tf.loadLayersModel: max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff, `[17, 5] through ${plainShape}`).toBeLessThanOrEqual(1e-5);
    tfModel.dispose();
    const back = await fromTfjsLayers(JSON.stringify(modelJson), weightsBin.slice().buffer, { config: { backend: 'cpu' } });
    expect(back.config.layers.map((l) => l.normEpsilon ?? null)).toEqual([1e-5, 1e-3, null, null]);
    expect(maxDiff(ours, await back.predict(x)), `[17, 5] round trip through ${plainShape}`).toBeLessThanOrEqual(1e-6);
    model.dispose();
    back.dispose();
  });

  it("TF.js: after 12 SGD steps from the same weights, TF.js's LayerNormalization model's weights equal ours (float32 tolerance)", async () => {
    const model = await MLP.create({ ...plain, backend: 'cpu' });
    const start = await model.getWeights();
    const { modelJson, weightsBin } = await toTfjsLayers(model);
    const tfModel = await loadInTfjs(modelJson, weightsBin);
    const x = seededRows(33, 24, 5);
    const y = seededRows(34, 24, 3);
    await model.fit(x, y, { epochs: 3, batchSize: 6, learningRate: 0.1, optimizer: 'sgd', shuffle: false });
    tfModel.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await tfModel.fit(tf.tensor2d(x), tf.tensor2d(y), { epochs: 3, batchSize: 6, shuffle: false, verbose: 0 });
    // TF.js's weights in layer order: kernel, bias, then γ, β of the normalization after it
    const theirs = tfModel.getWeights().flatMap((v) => Array.from(v.dataSync()));
    const w = await model.getWeights();
    const ours = w.weights.flatMap((k, l) => [...k.flat(), ...w.biases[l], ...(w.norms![l] ? [...w.norms![l]!.scale, ...w.norms![l]!.shift] : [])]);
    const before = start.weights.flatMap((k, l) => [...k.flat(), ...start.biases[l], ...(start.norms![l] ? [...start.norms![l]!.scale, ...start.norms![l]!.shift] : [])]);
    expect(theirs.length, plainShape).toBe(ours.length);
    const diff = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
    const moved = Math.max(...ours.map((v, i) => Math.abs(v - before[i])));
    const gammaMoved = Math.max(...w.norms![1]!.scale.map((v) => Math.abs(v - 1)));
    console.log(`layer norm, 12 SGD steps: max |Δ| ours vs TF.js = ${diff.toExponential(2)} (parameters moved up to ${moved.toFixed(3)}, γ of layer 1 by ${gammaMoved.toExponential(2)})`);
    expect(gammaMoved, 'γ must have trained for the comparison to mean something').toBeGreaterThan(1e-3);
    expect(diff, `${plainShape}, [24, 5], batch 6, 3 epochs`).toBeLessThanOrEqual(1e-5);
    tfModel.dispose();
    model.dispose();
  });

  for (const linear of ['gemm', 'matmul-add'] as const) {
    it(`ONNX (${linear}): LayerNormalization at opset ${ONNX_NORM_OPSET}, onnxruntime-web gives our predictions (${shape})`, async () => {
      const model = await trainedModel(config);
      const bytes = await toOnnx(model, { linear });
      const text = new TextDecoder('latin1').decode(bytes);
      expect(text.match(/layer\d\/LayerNormalization/g)).toEqual(['layer0/LayerNormalization', 'layer1/LayerNormalization']);
      // onnxruntime refuses LayerNormalization under an opset before 17, so running it checks the opset written
      const session = await ort.InferenceSession.create(bytes);
      const x = seededRows(35, 19, 5);
      const out = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [19, 5]) })).output;
      await session.release();
      const diff = maxDiff(await model.predict(x), toRows(out.data as Float32Array, 3));
      console.log(`ONNX (${linear}) with LayerNormalization -> onnxruntime-web: max |prediction difference| = ${diff.toExponential(2)}`);
      expect(diff, `[19, 5] through ${shape}`).toBeLessThanOrEqual(1e-5);
      model.dispose();
    });
  }

  it('imports refuse a normalization they cannot read, naming the layer', async () => {
    const model = await MLP.create({ ...plain, backend: 'cpu' });
    const { modelJson, weightsBin } = await toTfjsLayers(model);
    const edit = (change: (layers: { class_name: string; config: Record<string, unknown> }[]) => void) => {
      const json = structuredClone(modelJson);
      change((json.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers);
      return fromTfjsLayers(json, weightsBin.slice().buffer, { config: { backend: 'cpu' } });
    };
    await expect(edit((l) => (l[1].config.center = false))).rejects.toThrow(/layer 1 \('dense_1_layer_normalization'\) has center false .*only center and scale true/);
    await expect(edit((l) => (l[1].config.axis = 0))).rejects.toThrow(/layer 1 \('dense_1_layer_normalization'\) normalizes over axis 0/);
    await expect(edit((l) => (l[0].config.activation = 'tanh'))).rejects.toThrow(/layer 1 is a LayerNormalization layer after Dense 'dense_1' with activation 'tanh'/);
    // norm follows the tensors: layers given without it still get the file's normalization
    const given = await fromTfjsLayers(modelJson, weightsBin.slice().buffer, { config: { backend: 'cpu', layers: plain.layers.map(({ norm: _, normEpsilon: __, ...l }) => l) } });
    expect(given.config.layers.map((l) => l.norm ?? null)).toEqual(['layer', 'layer', null, null]);
    given.dispose();
    await expect(fromTfjsLayers(modelJson, weightsBin.slice().buffer, { config: { backend: 'cpu', layers: plain.layers.map((l) => ({ ...l, norm: 'layer' as const })) } }))
      .rejects.toThrow(/options\.config\.layers\[2\]\.norm is "layer" but the tfjs-layers file has no normalization after 'dense_3\/kernel'/);
    model.dispose();
  });
});
