// Turns the dense layers an importer found in a file into a model: the architecture is merged
// from the file and the caller's options, checked against every tensor shape, every value is
// checked to be finite, and only then are the parameters copied out and the model created.
import { type Activation, MLP, type ModelConfig } from '../index';
import { ACTIVATIONS, LOSSES } from '../internal';
import { type ArchitectureConfig, type ImportOptions, MAX_IMPORT_PARAMETERS, defaultLoss, isObject, show } from './common';

/**
 * A tensor found in a file: its name, shape, element type and exactly its little-endian bytes.
 *
 * @example
 * const t: RawTensor = { name: '0.bias', shape: [2], dtype: 'float32', view: new DataView(new ArrayBuffer(8)) };
 */
export interface RawTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'float64' | 'int64';
  view: DataView;
}

/**
 * One dense layer's tensors as stored: the kernel is `[in, out]` (TF.js) or `[out, in]` (PyTorch).
 *
 * @example
 * const layer: DenseTensors = { kernel: weight, bias, layout: 'out,in' };
 */
export interface DenseTensors {
  kernel: RawTensor;
  bias?: RawTensor;
  layout: 'in,out' | 'out,in';
  /** The activation the file itself states for this layer, if it does, and its alpha. */
  activation?: Activation;
  alpha?: number;
  /**
   * The normalization after this layer's linear part, if the file has one: γ and β, `[units]` each,
   * and ε when the file states it; `batch` for a batch normalization (its running mean and variance).
   */
  norm?: { scale: RawTensor; shift: RawTensor; epsilon?: number; batch?: BatchNormTensors };
}

/**
 * A batch normalization's state in a file: running mean and variance (`[units]` each), and its
 * momentum as the library counts it (PyTorch's convention) when the file states it.
 *
 * @example
 * const batch: BatchNormTensors = { mean: runningMean, variance: runningVar, momentum: 0.1 };
 */
export interface BatchNormTensors {
  mean: RawTensor;
  variance: RawTensor;
  momentum?: number;
}

/** The tensors of a layer's normalization (γ, β, and a batch normalization's running mean and variance). */
const normTensors = (norm: DenseTensors['norm']): RawTensor[] => (norm ? [norm.scale, norm.shift, ...(norm.batch ? [norm.batch.mean, norm.batch.variance] : [])] : []);

const valueAt = (t: RawTensor, k: number): number =>
  t.dtype === 'float32' ? t.view.getFloat32(4 * k, true) : t.dtype === 'float64' ? t.view.getFloat64(8 * k, true) : Number(t.view.getBigInt64(8 * k, true));

function checkFinite(format: string, t: RawTensor): void {
  const n = t.view.byteLength / (t.dtype === 'float32' ? 4 : 8);
  for (let k = 0; k < n; k++) {
    const v = valueAt(t, k);
    if (!Number.isFinite(v)) {
      const index = t.shape.length === 2 ? `[${Math.floor(k / t.shape[1])}, ${k % t.shape[1]}]` : `[${k}]`;
      throw new RangeError(`${format} tensor '${t.name}' holds ${v} at ${index}; weights must be finite numbers`);
    }
  }
}

interface LayerShape {
  inputs: number;
  units: number;
}

function layerShapes(format: string, layers: DenseTensors[]): LayerShape[] {
  if (layers.length === 0) throw new RangeError(`${format} file holds no dense layers`);
  let total = 0;
  return layers.map((layer, l) => {
    const { kernel, bias } = layer;
    if (kernel.shape.length !== 2) throw new RangeError(`${format} tensor '${kernel.name}' must be 2-D (${layer.layout === 'in,out' ? '[in, out]' : '[out, in]'}), got shape ${show(kernel.shape)}`);
    const [inputs, units] = layer.layout === 'in,out' ? kernel.shape : [kernel.shape[1], kernel.shape[0]];
    if (inputs === 0 || units === 0) throw new RangeError(`${format} tensor '${kernel.name}' is empty (shape ${show(kernel.shape)})`);
    if (l > 0) {
      const prev = layers[l - 1].kernel;
      const prevUnits = layers[l - 1].layout === 'in,out' ? prev.shape[1] : prev.shape[0];
      if (prevUnits !== inputs) throw new RangeError(`${format} tensor '${kernel.name}' ${show(kernel.shape)} takes ${inputs} inputs but '${prev.name}' ${show(prev.shape)} gives ${prevUnits} outputs`);
    }
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== units)) {
      throw new RangeError(`${format} tensor '${bias.name}' must have shape [${units}] to match '${kernel.name}' ${show(kernel.shape)}, got ${show(bias.shape)}`);
    }
    for (const t of normTensors(layer.norm)) {
      if (t.shape.length !== 1 || t.shape[0] !== units) throw new RangeError(`${format} tensor '${t.name}' (layer ${l}'s normalization) must have shape [${units}] to match '${kernel.name}' ${show(kernel.shape)}, got ${show(t.shape)}`);
    }
    total += (inputs + 1 + normTensors(layer.norm).length) * units;
    if (total > MAX_IMPORT_PARAMETERS) throw new RangeError(`${format} file declares more than the ${MAX_IMPORT_PARAMETERS} parameters an import accepts`);
    return { inputs, units };
  });
}

/** The layer list: units from the shapes, activations from the options, else the file's config, else the file's layers. */
function resolveLayers(format: string, layers: DenseTensors[], shapes: LayerShape[], given: unknown, givenBy: string): ArchitectureConfig['layers'] {
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length !== layers.length) {
      throw new RangeError(`${givenBy}.layers must list the ${layers.length} dense layers the ${format} file holds, got ${Array.isArray(given) ? given.length : show(given)}`);
    }
  }
  return shapes.map(({ units }, l) => {
    const spec = (given as unknown[] | undefined)?.[l];
    if (spec !== undefined && !isObject(spec)) throw new TypeError(`${givenBy}.layers[${l}] must be {units, activation}, got ${show(spec)}`);
    if (spec?.units !== undefined && spec.units !== units) {
      throw new RangeError(`${givenBy}.layers[${l}].units is ${show(spec.units)} but ${format} tensor '${layers[l].kernel.name}' ${show(layers[l].kernel.shape)} has ${units} units`);
    }
    const activation = spec?.activation ?? layers[l].activation;
    if (activation === undefined) {
      throw new RangeError(`the ${format} file does not say which activation layer ${l} ('${layers[l].kernel.name}') uses; pass options.config.layers with one {units, activation} per dense layer`);
    }
    if (!ACTIVATIONS.includes(activation as Activation)) {
      throw new RangeError(`${spec?.activation !== undefined ? givenBy : format + ' file'} layer ${l} activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${show(activation)}`);
    }
    // a residual flag (the file's config or the options) is checked by MLP.create against the widths;
    // alpha: the one given with the activation, else the file's for its own activation
    const alpha = spec?.activation !== undefined ? spec.alpha : layers[l].alpha;
    // norm follows the tensors: a layer or batch normalization in the file (running statistics make it batch), or none
    const norm = layers[l].norm;
    const kind = norm && (norm.batch ? 'batch' : 'layer');
    if (spec?.norm !== undefined && spec.norm !== kind) {
      throw new RangeError(`${givenBy}.layers[${l}].norm is ${show(spec.norm)} but the ${format} file has ${norm ? `a ${kind} normalization ('${norm.scale.name}')` : 'no normalization'} after '${layers[l].kernel.name}'`);
    }
    const epsilon = spec?.normEpsilon ?? norm?.epsilon;
    const momentum = kind === 'batch' ? (spec?.normMomentum ?? norm?.batch?.momentum) : undefined;
    return {
      units, activation: activation as Activation,
      ...(spec?.residual !== undefined ? { residual: spec.residual as boolean } : {}), ...(alpha === undefined ? {} : { alpha: alpha as number }),
      ...(kind ? { norm: kind, ...(epsilon === undefined ? {} : { normEpsilon: epsilon as number }), ...(momentum === undefined ? {} : { normMomentum: momentum as number }) } : {}),
    };
  });
}

function resolveUseBias(format: string, layers: DenseTensors[], given: unknown): boolean {
  const hasBias = layers.some((l) => l.bias);
  if (given === undefined) return hasBias;
  if (typeof given !== 'boolean') throw new TypeError(`useBias must be a boolean, got ${show(given)}`);
  if (!given) {
    for (const { bias } of layers) {
      if (!bias) continue;
      for (let k = 0; k < bias.shape[0]; k++) {
        if (valueAt(bias, k) !== 0) throw new RangeError(`useBias is false but ${format} tensor '${bias.name}' holds a non-zero bias at [${k}]`);
      }
    }
  }
  return given;
}

/**
 * Builds a model from the dense layers found in a `format` file and the architecture it declares
 * (`file`), completed or overridden by `options.config`; everything is checked before anything is
 * copied, and `MLP.create` validates the rest as usual.
 *
 * @example
 * const model = await buildModel('safetensors', sequentialLayers(tensors), file, options);
 */
export async function buildModel(format: string, layers: DenseTensors[], file: Partial<ArchitectureConfig>, options: ImportOptions = {}): Promise<MLP> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`options must be an object, got ${show(options)}`);
  if (options.config !== undefined && !isObject(options.config)) throw new TypeError(`options.config must be an object, got ${show(options.config)}`);
  const given = (options.config ?? {}) as Partial<ModelConfig>;
  const shapes = layerShapes(format, layers);
  const fromOptions = given.layers !== undefined;
  const specs = resolveLayers(format, layers, shapes, fromOptions ? given.layers : file.layers, fromOptions ? 'options.config' : `${format} file config`);
  const inputSize = given.inputSize ?? file.inputSize ?? shapes[0].inputs;
  if (inputSize !== shapes[0].inputs) {
    throw new RangeError(`${given.inputSize !== undefined ? 'options.config' : format + ' file config'}.inputSize is ${show(inputSize)} but ${format} tensor '${layers[0].kernel.name}' ${show(layers[0].kernel.shape)} takes ${shapes[0].inputs} inputs`);
  }
  const loss = given.loss ?? file.loss ?? defaultLoss(specs[specs.length - 1].activation);
  if (!LOSSES.includes(loss)) throw new RangeError(`loss must be one of ${LOSSES.map((n) => `'${n}'`).join(', ')}, got ${show(loss)}`);
  const useBias = resolveUseBias(format, layers, given.useBias ?? file.useBias);
  for (const layer of layers) {
    for (const t of [layer.kernel, layer.bias, ...normTensors(layer.norm)]) if (t) checkFinite(format, t);
  }
  const weights = layers.map((layer, l) => {
    const { inputs, units } = shapes[l];
    const at = layer.layout === 'in,out' ? (i: number, j: number) => i * units + j : (i: number, j: number) => j * inputs + i;
    return Array.from({ length: inputs }, (_, i) => Array.from({ length: units }, (_, j) => valueAt(layer.kernel, at(i, j))));
  });
  const biases = layers.map((layer, l) => Array.from({ length: shapes[l].units }, (_, j) => (layer.bias && useBias ? valueAt(layer.bias, j) : 0)));
  const pick = <K extends keyof ModelConfig>(k: K): ModelConfig[K] | undefined => (given[k] !== undefined ? given[k] : (file as Partial<ModelConfig>)[k]);
  const config: ModelConfig = {
    inputSize, layers: specs, loss, useBias, weights, biases,
    freezeBias: pick('freezeBias'), l2: pick('l2'), l1: pick('l1'), initializer: pick('initializer'), seed: pick('seed'), backend: given.backend,
    // the file's huberDelta goes with its huber loss, not with a loss the options put in its place
    huberDelta: loss === 'huber' ? pick('huberDelta') : given.huberDelta,
  };
  for (const k of Object.keys(config) as (keyof ModelConfig)[]) if (config[k] === undefined) delete config[k];
  const model = await MLP.create(config, options.create);
  if (!layers.some((layer) => layer.norm)) return model;
  // γ/β (and running statistics) go in through setWeights: a config carries weights and biases only
  const vector = (t: RawTensor) => Array.from({ length: t.shape[0] }, (_, j) => valueAt(t, j));
  const norms = layers.map(({ norm }) => {
    if (!norm) return null;
    const stats = norm.batch ? { runningMean: vector(norm.batch.mean), runningVar: vector(norm.batch.variance) } : {};
    return { scale: vector(norm.scale), shift: vector(norm.shift), ...stats };
  });
  await model.setWeights({ weights, biases, norms }).catch((e: unknown) => {
    model.dispose();
    throw e;
  });
  return model;
}
