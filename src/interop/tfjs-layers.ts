// TensorFlow.js layers format: model.json (a Keras Sequential topology of Dense layers, with a
// LayerNormalization or BatchNormalization and an Activation layer after a normed layer's linear Dense, plus the weights
// manifest) and weights.bin (the float32 tensors in manifest order).
import type { LossName, MLP, ModelJSON } from '../index';
import { parseJsonText } from '../internal';
import { type DenseTensors, type RawTensor, buildModel } from './build';
import { type ArchitectureConfig, type Bytes, type ImportOptions, asBytes, elementCount, isObject, modelFile, parseArchitecture, show } from './common';
import { tfjsActivation } from './tfjs-activations';
import { type DenseSpec, parseTopology } from './tfjs-topology';

/**
 * One entry of a TF.js weights manifest.
 *
 * @example
 * const spec: TfjsWeightSpec = { name: 'dense_1/kernel', shape: [2, 8], dtype: 'float32' };
 */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/**
 * The contents of a TF.js `model.json` in the layers format, as {@link toTfjsLayers} writes it.
 *
 * @example
 * const { modelJson } = await toTfjsLayers(model);
 * const text = JSON.stringify(modelJson); // save as model.json
 */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  userDefinedMetadata: Record<string, unknown>;
}

/** The metadata key holding the model's config. */
const CONFIG_KEY = 'webgpu-mlp';

/**
 * The model in the TensorFlow.js layers format: `modelJson` is the content of `model.json` (a
 * `Sequential` of `Dense` layers, a layer with `norm` as linear `Dense` → `LayerNormalization` (or
 * `BatchNormalization`, momentum 1 − ours) → `Activation`, the weights manifest pointing at `weightsPath`, and the config in
 * `userDefinedMetadata`), `weightsBin` the float32 weights. `tf.loadLayersModel` reads them.
 *
 * @example
 * import { toTfjsLayers } from 'webgpu-mlp/interop';
 * const { modelJson, weightsBin } = await toTfjsLayers(model);
 * // save JSON.stringify(modelJson) as model.json and weightsBin as weights.bin, then in TF.js:
 * // const tfModel = await tf.loadLayersModel('https://example.com/model.json');
 */
export async function toTfjsLayers(model: MLP, options: { weightsPath?: string } = {}): Promise<{ modelJson: TfjsModelJson; weightsBin: Uint8Array }> {
  const weightsPath = options.weightsPath ?? 'weights.bin';
  if (typeof weightsPath !== 'string' || weightsPath === '') throw new TypeError(`weightsPath must be a non-empty string, got ${show(weightsPath)}`);
  const file = await modelFile(model);
  const residual = file.config.layers.findIndex((layer) => layer.residual);
  if (residual >= 0) {
    throw new RangeError(
      `layer ${residual} is residual (it adds its input to its output), which a Sequential of Dense layers cannot express; ` +
        'export it with toOnnx or toSafetensors instead',
    );
  }
  const useBias = file.config.useBias !== false;
  const specs: TfjsWeightSpec[] = [];
  const values: number[][] = [];
  const layers = file.config.layers.map((layer, l) => {
    const name = `dense_${l + 1}`;
    specs.push({ name: `${name}/kernel`, shape: [file.weights[l].length, layer.units], dtype: 'float32' });
    values.push(file.weights[l].flat());
    if (useBias) {
      specs.push({ name: `${name}/bias`, shape: [layer.units], dtype: 'float32' });
      values.push(file.biases[l]);
    }
    const act = tfjsActivation(layer, name);
    const norm = file.norms?.[l];
    const config: Record<string, unknown> = { name, units: layer.units, activation: norm ? 'linear' : act.dense, use_bias: useBias, trainable: true, dtype: 'float32' };
    if (l === 0) config.batch_input_shape = [null, file.config.inputSize];
    const out: Record<string, unknown>[] = [{ class_name: 'Dense', config }];
    if (norm) {
      // Keras order: Dense (linear) → LayerNormalization or BatchNormalization over the units → the activation
      out.push(normLayer(name, layer, norm, specs, values));
      if (!act.after && act.dense !== 'linear') out.push({ class_name: 'Activation', config: { name: `${name}_activation`, activation: act.dense, trainable: true, dtype: 'float32' } });
    }
    if (act.after) out.push(act.after);
    return out;
  }).flat();
  const weightsBin = Float32Array.from(values.flat());
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'webgpu-mlp',
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: [weightsPath], weights: specs }],
      userDefinedMetadata: { [CONFIG_KEY]: file.config },
    },
    weightsBin: new Uint8Array(weightsBin.buffer),
  };
}

/**
 * A normalized layer's Keras layer (LayerNormalization or BatchNormalization), its tensors added to
 * `specs` and `values`: γ, β, and batch normalization's moving mean and variance.
 */
function normLayer(name: string, layer: ModelJSON['config']['layers'][number], norm: NonNullable<NonNullable<ModelJSON['norms']>[number]>, specs: TfjsWeightSpec[], values: number[][]): Record<string, unknown> {
  const batch = layer.norm === 'batch';
  const keras = `${name}_${batch ? 'batch' : 'layer'}_normalization`;
  const add = (tensor: string, v: number[] | undefined) => {
    if (!v) throw new RangeError(`layer '${name}' has norm '${String(layer.norm)}' but the model file holds no ${tensor} for it`);
    specs.push({ name: `${keras}/${tensor}`, shape: [layer.units], dtype: 'float32' });
    values.push(v);
  };
  add('gamma', norm.scale);
  add('beta', norm.shift);
  const common = { name: keras, axis: -1, epsilon: layer.normEpsilon ?? 1e-5, center: true, scale: true, trainable: true, dtype: 'float32' };
  if (!batch) return { class_name: 'LayerNormalization', config: common };
  add('moving_mean', norm.runningMean);
  add('moving_variance', norm.runningVar);
  // Keras's momentum is the old estimate's weight: 1 − ours (PyTorch's convention)
  return { class_name: 'BatchNormalization', config: { ...common, momentum: Number((1 - (layer.normMomentum ?? 0.1)).toPrecision(15)) } };
}

/** The manifest's tensors as views into the weight bytes, after checking dtypes, shapes and sizes. */
function manifestTensors(manifest: unknown, shards: Uint8Array[]): Map<string, RawTensor> {
  if (!Array.isArray(manifest)) throw new TypeError(`model.json weightsManifest must be an array of {paths, weights}, got ${show(manifest)}`);
  const entries: { name: string; shape: number[]; bytes: number }[] = [];
  let total = 0;
  manifest.forEach((group, g) => {
    if (!isObject(group) || !Array.isArray(group.weights)) throw new TypeError(`model.json weightsManifest[${g}] must be {paths, weights: [...]}, got ${show(group)}`);
    group.weights.forEach((w: unknown, i: number) => {
      const where = `model.json weightsManifest[${g}].weights[${i}]`;
      if (!isObject(w) || typeof w.name !== 'string') throw new TypeError(`${where} must be {name, shape, dtype}, got ${show(w)}`);
      if (w.dtype !== 'float32') throw new RangeError(`${where} ('${w.name}') has dtype ${show(w.dtype)}; this importer reads 'float32'`);
      if (w.quantization !== undefined) throw new RangeError(`${where} ('${w.name}') is quantized; this importer reads unquantized float32 weights`);
      const bytes = 4 * elementCount(`${where} ('${w.name}')`, w.shape);
      total += bytes;
      entries.push({ name: w.name, shape: w.shape as number[], bytes });
    });
  });
  const given = shards.reduce((n, s) => n + s.byteLength, 0);
  if (given !== total) throw new RangeError(`weightsManifest describes ${total} bytes of weights but ${given} bytes were given (a truncated or mismatched weights.bin)`);
  const data = shards.length === 1 ? shards[0] : new Uint8Array(total);
  if (shards.length > 1) shards.reduce((at, s) => (data.set(s, at), at + s.byteLength), 0);
  const tensors = new Map<string, RawTensor>();
  let at = 0;
  for (const e of entries) {
    if (tensors.has(e.name)) throw new RangeError(`model.json weightsManifest lists '${e.name}' twice`);
    tensors.set(e.name, { name: e.name, shape: e.shape, dtype: 'float32', view: new DataView(data.buffer, data.byteOffset + at, e.bytes) });
    at += e.bytes;
  }
  return tensors;
}

/** A LayerNormalization's γ and β, or a BatchNormalization's with its moving statistics, from the manifest. */
function normTensors(spec: NonNullable<DenseSpec['norm']>, tensors: Map<string, RawTensor>): NonNullable<DenseTensors['norm']> {
  const get = (tensor: string) => {
    const t = tensors.get(`${spec.name}/${tensor}`);
    if (!t) throw new RangeError(`model.json weightsManifest has no '${spec.name}/${tensor}' for ${spec.batch ? 'BatchNormalization' : 'LayerNormalization'} layer '${spec.name}'`);
    return t;
  };
  const [scale, shift] = [get('gamma'), get('beta')];
  if (!spec.batch) return { scale, shift, epsilon: spec.epsilon };
  return { scale, shift, epsilon: spec.epsilon, batch: { mean: get('moving_mean'), variance: get('moving_variance'), momentum: spec.batch.momentum } };
}

const KERAS_LOSSES: Record<string, LossName> = {
  categoricalCrossentropy: 'categoricalCrossEntropy', categorical_crossentropy: 'categoricalCrossEntropy',
  binaryCrossentropy: 'binaryCrossEntropy', binary_crossentropy: 'binaryCrossEntropy',
  meanSquaredError: 'mse', mean_squared_error: 'mse', mse: 'mse',
};

/** What the file says about the config besides its layers: our metadata, else a Keras training config's loss. */
function fileArchitecture(json: Record<string, unknown>): Partial<ArchitectureConfig> {
  const meta = json.userDefinedMetadata;
  if (isObject(meta) && meta[CONFIG_KEY] !== undefined) {
    const { layers: _topologyWins, ...rest } = parseArchitecture(`model.json userDefinedMetadata['${CONFIG_KEY}']`, meta[CONFIG_KEY]);
    return rest;
  }
  const training = json.trainingConfig ?? (isObject(json.modelTopology) ? json.modelTopology.training_config : undefined);
  const loss = isObject(training) && typeof training.loss === 'string' ? KERAS_LOSSES[training.loss] : undefined;
  return loss ? { loss } : {};
}

/**
 * Rebuilds a model from the TensorFlow.js layers format: `model.json` (parsed, or its text) and
 * `weights.bin` (or its shards in manifest order), a `Sequential` of float32 `Dense` layers. The
 * loss comes from our metadata, else `options.config` (default: cross-entropy for softmax, else MSE).
 *
 * @example
 * import { fromTfjsLayers } from 'webgpu-mlp/interop';
 * const modelJson = await (await fetch('model.json')).json();
 * const weightsBin = await (await fetch('weights.bin')).arrayBuffer();
 * const model = await fromTfjsLayers(modelJson, weightsBin, { config: { loss: 'mse' } });
 */
export async function fromTfjsLayers(modelJson: unknown, weightsBin: Bytes | Bytes[], options: ImportOptions = {}): Promise<MLP> {
  const json = typeof modelJson === 'string' ? parseJsonText(modelJson, 'model.json') : modelJson;
  if (!isObject(json)) throw new TypeError(`modelJson must be the object in model.json (or its text), got ${show(json)}`);
  if (json.format !== undefined && json.format !== 'layers-model') throw new RangeError(`model.json format must be 'layers-model', got ${show(json.format)}`);
  const shards = (Array.isArray(weightsBin) ? weightsBin : [weightsBin]).map((b, i) => asBytes(Array.isArray(weightsBin) ? `weightsBin[${i}]` : 'weightsBin', b));
  const topology = parseTopology(json.modelTopology);
  const tensors = manifestTensors(json.weightsManifest, shards);
  const used = new Set<string>();
  const layers: DenseTensors[] = topology.dense.map((d) => {
    const kernel = tensors.get(`${d.name}/kernel`);
    const bias = tensors.get(`${d.name}/bias`);
    if (!kernel) throw new RangeError(`model.json weightsManifest has no '${d.name}/kernel' for Dense layer '${d.name}'`);
    if (d.useBias && !bias) throw new RangeError(`Dense layer '${d.name}' has use_bias true but weightsManifest has no '${d.name}/bias'`);
    if (!d.useBias && bias) throw new RangeError(`Dense layer '${d.name}' has use_bias false but weightsManifest lists '${d.name}/bias'`);
    if (kernel.shape.length === 2 && kernel.shape[1] !== d.units) throw new RangeError(`Dense layer '${d.name}' has ${d.units} units but '${kernel.name}' has shape ${show(kernel.shape)}`);
    used.add(kernel.name);
    if (bias) used.add(bias.name);
    const norm = d.norm && normTensors(d.norm, tensors);
    for (const t of [norm?.scale, norm?.shift, norm?.batch?.mean, norm?.batch?.variance]) if (t) used.add(t.name);
    return { kernel, bias, layout: 'in,out', activation: d.activation, ...(d.alpha === undefined ? {} : { alpha: d.alpha }), ...(norm ? { norm } : {}) };
  });
  const unused = [...tensors.keys()].filter((n) => !used.has(n));
  if (unused.length) throw new RangeError(`model.json weightsManifest lists weights no Dense layer uses: ${unused.map((n) => `'${n}'`).join(', ')}`);
  const file = fileArchitecture(json);
  if (topology.inputSize !== undefined) file.inputSize = topology.inputSize;
  return buildModel('tfjs-layers', layers, file, options);
}
