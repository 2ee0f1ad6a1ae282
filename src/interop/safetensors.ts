// Models as safetensors files named like a PyTorch nn.Sequential of Linear + activation modules:
// '0.weight' [out, in], '0.bias' [out], '2.weight', … (module 2l+1 is layer l's activation; a
// layer with norm has an nn.LayerNorm or nn.BatchNorm1d between the two, so the modules after it
// move up by one),
// with the architecture (the model file's config, as JSON) in __metadata__['webgpu-mlp'].
import type { MLP } from '../index';
import { type DenseTensors, type RawTensor, buildModel } from './build';
import { type Bytes, type ImportOptions, asBytes, modelFile, parseArchitecture, show } from './common';
import { type TensorToWrite, encodeSafetensors, parseSafetensors } from './safetensors-format';

/**
 * The safetensors `__metadata__` key holding the model's config as JSON (in Python:
 * `json.loads(header["__metadata__"]["webgpu-mlp"])`).
 *
 * @example
 * import { SAFETENSORS_CONFIG_KEY } from 'webgpu-mlp/interop';
 * console.log(SAFETENSORS_CONFIG_KEY); // 'webgpu-mlp'
 */
export const SAFETENSORS_CONFIG_KEY = 'webgpu-mlp';

/**
 * The model as a safetensors file, float32 little-endian, named as the `state_dict` of
 * `nn.Sequential(Linear, act, Linear, act, …)` (no bias tensors when `useBias` is false), with
 * the config as JSON in `__metadata__['webgpu-mlp']`; a residual layer's flag travels there only
 * (its forward is x + act(Linear(x))). A layer with `norm` adds `nn.LayerNorm(units, eps)` or
 * `nn.BatchNorm1d(units, eps, momentum)` after its Linear (γ '<k>.weight', β '<k>.bias'; batch norm
 * also '<k>.running_mean', '<k>.running_var' and an int64 '<k>.num_batches_tracked', written as 0:
 * the library counts no batches, and PyTorch reads it only with momentum None); later indices move up by one.
 *
 * @example
 * import { MLP } from 'webgpu-mlp';
 * import { toSafetensors } from 'webgpu-mlp/interop';
 * const model = await MLP.create({ inputSize: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy' });
 * const bytes = await toSafetensors(model); // write to model.safetensors
 */
export async function toSafetensors(model: MLP): Promise<Uint8Array> {
  const file = await modelFile(model);
  let k = 0;
  const tensors = file.config.layers.flatMap((layer, l) => {
    const w = file.weights[l];
    const fanIn = w.length;
    const weight = new Float64Array(layer.units * fanIn);
    for (let i = 0; i < fanIn; i++) for (let j = 0; j < layer.units; j++) weight[j * fanIn + i] = w[i][j];
    const out: TensorToWrite[] = [{ name: `${k}.weight`, shape: [layer.units, fanIn], values: weight }];
    if (file.config.useBias !== false) out.push({ name: `${k}.bias`, shape: [layer.units], values: Float64Array.from(file.biases[l]) });
    const norm = file.norms?.[l];
    if (norm) out.push({ name: `${k + 1}.weight`, shape: [layer.units], values: Float64Array.from(norm.scale) }, { name: `${k + 1}.bias`, shape: [layer.units], values: Float64Array.from(norm.shift) });
    if (norm && layer.norm === 'batch') {
      if (!norm.runningMean || !norm.runningVar) throw new RangeError(`layer ${l} has norm 'batch' but the model file holds no running mean and variance for it`);
      out.push({ name: `${k + 1}.running_mean`, shape: [layer.units], values: norm.runningMean }, { name: `${k + 1}.running_var`, shape: [layer.units], values: norm.runningVar });
      out.push({ name: `${k + 1}.num_batches_tracked`, shape: [], values: [0], dtype: 'I64' });
    }
    k += norm ? 3 : 2;
    return out;
  });
  return encodeSafetensors(tensors, { format: 'pt', [SAFETENSORS_CONFIG_KEY]: JSON.stringify(file.config) });
}

type ModuleTensors = Partial<Record<'weight' | 'bias' | 'running_mean' | 'running_var' | 'num_batches_tracked', RawTensor>>;

/**
 * Groups '<index>.weight' / '<index>.bias' tensors into dense layers, ordered by module index; a
 * module with a 1-D weight is the normalization of the Linear before it: an nn.BatchNorm1d when it
 * has running_mean and running_var (num_batches_tracked is read past), else an nn.LayerNorm.
 */
function sequentialLayers(tensors: RawTensor[]): DenseTensors[] {
  const byIndex = new Map<number, ModuleTensors>();
  for (const t of tensors) {
    const m = /^(\d{1,6})\.(weight|bias|running_mean|running_var|num_batches_tracked)$/.exec(t.name);
    if (!m) {
      throw new RangeError(`safetensors tensor '${t.name}' is not a Linear parameter of an nn.Sequential (expected names like '0.weight' and '0.bias')`);
    }
    const index = Number(m[1]);
    const slot = byIndex.get(index) ?? {};
    slot[m[2] as keyof ModuleTensors] = t;
    byIndex.set(index, slot);
  }
  const layers: DenseTensors[] = [];
  for (const [index, slot] of [...byIndex.entries()].sort(([a], [b]) => a - b)) {
    const { weight, bias, running_mean: mean, running_var: variance } = slot;
    if (!weight) throw new RangeError(`safetensors tensor '${Object.values(slot)[0].name}' has no matching '${index}.weight'`);
    const module = mean || variance ? 'an nn.BatchNorm1d' : 'an nn.LayerNorm';
    if (weight.shape.length !== 1) {
      if (mean || variance) throw new RangeError(`safetensors tensor '${index}.weight' ${show(weight.shape)} is not 1-D but module ${index} has running statistics (an nn.BatchNorm1d's weight is [units])`);
      layers.push({ kernel: weight, bias, layout: 'out,in' });
      continue;
    }
    const before = layers.at(-1);
    if (!before || before.norm) throw new RangeError(`safetensors tensor '${index}.weight' ${show(weight.shape)} is 1-D (${module}'s) but follows no Linear layer`);
    if (!bias) throw new RangeError(`safetensors tensor '${index}.weight' (${module}'s γ) has no matching '${index}.bias' (β)`);
    if (!mean !== !variance) throw new RangeError(`safetensors module ${index} (an nn.BatchNorm1d) has '${index}.${mean ? 'running_mean' : 'running_var'}' but no '${index}.${mean ? 'running_var' : 'running_mean'}'`);
    before.norm = { scale: weight, shift: bias, ...(mean && variance ? { batch: { mean, variance } } : {}) };
  }
  return layers;
}

/**
 * Rebuilds a model from a safetensors file written by {@link toSafetensors}, or a PyTorch
 * `nn.Sequential` `state_dict` of `Linear` layers (F32 or F64; pass `options.config.layers` and
 * `loss` when it has no webgpu-mlp metadata). Everything is checked before anything is allocated.
 *
 * @example
 * import { fromSafetensors } from 'webgpu-mlp/interop';
 * const bytes = new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer());
 * const model = await fromSafetensors(bytes, { config: { backend: 'cpu' } });
 * // a file saved from PyTorch without our metadata:
 * const other = await fromSafetensors(bytes, {
 *   config: { layers: [{ units: 16, activation: 'relu' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy' },
 * });
 */
export async function fromSafetensors(bytes: Bytes, options: ImportOptions = {}): Promise<MLP> {
  const { tensors, metadata } = parseSafetensors(asBytes('bytes', bytes));
  const config = metadata[SAFETENSORS_CONFIG_KEY];
  const file = config === undefined ? {} : parseArchitecture(`safetensors __metadata__['${SAFETENSORS_CONFIG_KEY}']`, config);
  return buildModel('safetensors', sequentialLayers(tensors), file, options);
}
