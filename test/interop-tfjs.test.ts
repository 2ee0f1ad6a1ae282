// TensorFlow.js layers format: our model.json + weights.bin loaded by tf.loadLayersModel (over its
// HTTP loader, served by a custom fetch) with the same predictions; models built and saved by
// TF.js imported here with the same predictions; bad files refused before anything is allocated.
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MLP } from '../src';
import { fromTfjsLayers, toTfjsLayers } from '../src/interop';
import { architectures, maxDiff, seededRows, trainedModel } from './interop/helpers';

const TOL = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => tf.disposeVariables());

/** tf.loadLayersModel through its HTTP loader, with model.json and weights.bin served from memory. */
async function loadOverHttp(files: Record<string, string | Uint8Array>): Promise<tf.LayersModel> {
  const fetchFunc = async (url: RequestInfo | URL) => {
    const name = new URL(String(url)).pathname.slice(1);
    if (!(name in files)) return new Response('not found', { status: 404 });
    return new Response(files[name] as BodyInit, { status: 200 });
  };
  return tf.loadLayersModel(tf.io.http('http://models.test/model.json', { fetchFunc }));
}

/** A TF.js model's artifacts as model.json + weights.bin, the way tfjs writes them to disk. */
async function savedByTfjs(model: tf.LayersModel): Promise<{ modelJson: Record<string, unknown>; weightsBin: Uint8Array }> {
  let out: { modelJson: Record<string, unknown>; weightsBin: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const bin = a.weightData as ArrayBuffer;
      out = {
        modelJson: { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] },
        weightsBin: new Uint8Array(bin),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

const tfPredict = (m: tf.LayersModel, x: number[][]) => tf.tidy(() => (m.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][]);

describe('TensorFlow.js layers format with TensorFlow.js', () => {
  // geluTanh: TF.js 4.22 cannot load its own 'gelu_new' (refused below); these runs use gelu there
  for (const { name, config: given } of architectures) {
    const config = { ...given, layers: given.layers.map((l) => (l.activation === 'geluTanh' ? { ...l, activation: 'gelu' as const } : l)) };
    it(`tf.loadLayersModel reads our export with the same predictions, and it round-trips: ${name}`, async () => {
      const model = await trainedModel(config);
      const { modelJson, weightsBin } = await toTfjsLayers(model);
      const tfModel = await loadOverHttp({ 'model.json': JSON.stringify(modelJson), 'weights.bin': weightsBin });
      const x = seededRows(42, 20, config.inputSize);
      const diff = maxDiff(await model.predict(x), tfPredict(tfModel, x));
      console.log(`tfjs-layers export -> tf.loadLayersModel (${name}): max |prediction difference| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOL);
      tfModel.dispose();
      const back = await fromTfjsLayers(JSON.stringify(modelJson), weightsBin.slice().buffer);
      const roundTrip = maxDiff(await model.predict(x), await back.predict(x));
      console.log(`tfjs-layers round trip here (${name}): max |prediction difference| = ${roundTrip.toExponential(2)}`);
      expect(roundTrip).toBeLessThanOrEqual(TOL);
      expect(back.config).toMatchObject({ ...config, backend: 'auto' });
    });
  }

  it('imports models built and saved by TF.js (Activation, Dropout, a layer without bias) with the same predictions', async () => {
    const tfModel = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 7, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4 }) }),
        tf.layers.activation({ activation: 'tanh' }),
        tf.layers.dense({ units: 3, activation: 'softmax', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    const { modelJson, weightsBin } = await savedByTfjs(tfModel);
    const model = await fromTfjsLayers(modelJson, weightsBin, { config: { backend: 'cpu' } });
    expect(model.config.layers).toEqual([{ units: 7, activation: 'relu' }, { units: 4, activation: 'tanh' }, { units: 3, activation: 'softmax' }]);
    expect(model.config.loss).toBe('categoricalCrossEntropy');
    expect(model.config.useBias).toBe(true);
    const x = seededRows(8, 20, 5);
    const diff = maxDiff(await model.predict(x), tfPredict(tfModel, x));
    console.log(`tfjs-layers saved by TF.js -> here: max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL);
    // the same weights split over two shards
    const cut = 4 * 5 * 7;
    const sharded = await fromTfjsLayers(modelJson, [weightsBin.slice(0, cut), weightsBin.slice(cut)], { config: { backend: 'cpu' } });
    expect(maxDiff(await sharded.predict(x), await model.predict(x))).toBeLessThanOrEqual(0);
    tfModel.dispose();
  });
});

describe('TensorFlow.js layers format: the newer activations', () => {
  it('imports a TF.js model with swish, gelu, gelu_new, mish, selu, softplus and LeakyReLU / ELU layers, with the same predictions', async () => {
    const dense = (units: number, seed: number, activation?: 'swish' | 'gelu' | 'gelu_new' | 'mish' | 'selu' | 'softplus', inputShape?: number[]) =>
      tf.layers.dense({ units, activation, inputShape, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 50 }) });
    const tfModel = tf.sequential({
      layers: [
        dense(6, 1, undefined, [3]), tf.layers.leakyReLU({ alpha: 0.15 }), dense(6, 2), tf.layers.elu(), dense(5, 3, 'swish'), dense(5, 4, 'gelu'),
        dense(5, 5, 'gelu_new'), dense(4, 6, 'mish'), dense(4, 7, 'selu'), dense(2, 8, 'softplus'),
      ],
    });
    const { modelJson, weightsBin } = await savedByTfjs(tfModel);
    const model = await fromTfjsLayers(modelJson, weightsBin, { config: { backend: 'cpu' } });
    expect(model.config.layers.map((l) => [l.activation, l.alpha])).toEqual([
      ['leakyRelu', 0.15], ['elu', 1], ['silu', undefined], ['gelu', undefined], ['geluTanh', undefined], ['mish', undefined], ['selu', undefined], ['softplus', undefined],
    ]);
    const x = seededRows(9, 20, 3);
    const diff = maxDiff(await model.predict(x), tfPredict(tfModel, x));
    console.log(`tfjs-layers with the newer activations saved by TF.js -> here: max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL);
    tfModel.dispose();
  });

  it("refuses to write elu with alpha ≠ 1 (TF.js 4.22's ELU runs alpha 1 only) and geluTanh (TF.js 4.22 cannot load 'gelu_new')", async () => {
    const model = await MLP.create({ inputSize: 2, layers: [{ units: 3, activation: 'elu', alpha: 0.5 }, { units: 1, activation: 'linear' }], loss: 'mse', backend: 'cpu' });
    await expect(toTfjsLayers(model)).rejects.toThrow(/layer 'dense_1' is 'elu' with alpha 0\.5: TF\.js 4\.22 runs ELU with alpha 1 only/);
    const tanh = await MLP.create({ inputSize: 2, layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'geluTanh' }], loss: 'mse', backend: 'cpu' });
    await expect(toTfjsLayers(tanh)).rejects.toThrow(/layer 'dense_2' is 'geluTanh': TF\.js 4\.22 writes it as 'gelu_new' but cannot load that name back/);
  });
});

describe('TF.js layers files refused before anything is allocated', () => {
  afterEach(() => vi.restoreAllMocks());
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the cases reach into and break arbitrary model.json fields
  type Files = { modelJson: any; weightsBin: Uint8Array };
  const cases: [string, (f: Files) => void, RegExp][] = [
    ['a truncated weights.bin', (f) => { f.weightsBin = f.weightsBin.slice(0, f.weightsBin.length - 4); }, /weightsManifest describes \d+ bytes of weights but \d+ bytes were given/],
    ['a NaN weight', (f) => { new DataView(f.weightsBin.buffer).setFloat32(4 * 5, NaN, true); }, /tfjs-layers tensor 'dense_1\/kernel' holds NaN at \[0, 5\]/],
    ['a kernel shape disagreeing with the layer', (f) => { f.modelJson.weightsManifest[0].weights[2].shape = [6, 8]; }, /Dense layer 'dense_2' has 6 units but 'dense_2\/kernel' has shape \[6,8\]/],
    ['units disagreeing with the kernel', (f) => { f.modelJson.modelTopology.config.layers[0].config.units = 9; }, /Dense layer 'dense_1' has 9 units but 'dense_1\/kernel' has shape \[3,8\]/],
    ['an input shape disagreeing with the kernel', (f) => { f.modelJson.modelTopology.config.layers[0].config.batch_input_shape = [null, 4]; }, /config\.inputSize is 4 but tfjs-layers tensor 'dense_1\/kernel' \[3,8\] takes 3 inputs/],
    ['an int32 weight', (f) => { f.modelJson.weightsManifest[0].weights[1].dtype = 'int32'; }, /\('dense_1\/bias'\) has dtype "int32"; this importer reads 'float32'/],
    ['quantized weights', (f) => { f.modelJson.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }, /\('dense_1\/kernel'\) is quantized/],
    ['a hostile shape', (f) => { f.modelJson.weightsManifest[0].weights[0].shape = [2 ** 30, 2 ** 30]; }, /holds more than the 134217728 values an import accepts/],
    ['a convolution', (f) => { f.modelJson.modelTopology.config.layers[1].class_name = 'Conv2D'; }, /model\.json layer 1 is a "Conv2D" layer; this importer reads Dense, Activation, Dropout and InputLayer layers/],
    ['a functional model', (f) => { f.modelJson.modelTopology.class_name = 'Model'; }, /modelTopology class_name must be 'Sequential', got "Model"/],
    ['an unknown activation', (f) => { f.modelJson.modelTopology.config.layers[0].config.activation = 'relu6'; }, /model\.json layer 0 \('dense_1'\) has activation "relu6", which this library has no activation for/],
    ['a weight no layer uses', (f) => { f.modelJson.weightsManifest[0].weights.push({ name: 'dense_9/kernel', shape: [0], dtype: 'float32' }); }, /weightsManifest lists weights no Dense layer uses: 'dense_9\/kernel'/],
    ['a missing bias', (f) => { f.modelJson.weightsManifest[0].weights[1].name = 'dense_1/gamma'; }, /Dense layer 'dense_1' has use_bias true but weightsManifest has no 'dense_1\/bias'/],
    ['a graph model', (f) => { f.modelJson.format = 'graph-model'; }, /format must be 'layers-model', got "graph-model"/],
  ];
  for (const [name, damage, message] of cases) {
    it(`refuses ${name}`, async () => {
      const { modelJson, weightsBin } = await toTfjsLayers(await MLP.create({ ...architectures[0].config, backend: 'cpu' }));
      const files = { modelJson: structuredClone(modelJson), weightsBin: weightsBin.slice() };
      damage(files);
      const create = vi.spyOn(MLP, 'create');
      await expect(fromTfjsLayers(files.modelJson, files.weightsBin)).rejects.toThrow(message);
      expect(create).not.toHaveBeenCalled();
    });
  }
});
