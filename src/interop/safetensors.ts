// Models as safetensors files named like a PyTorch nn.Sequential of Linear + activation modules:
// '0.weight' [out, in], '0.bias' [out], '2.weight', … (module 2l+1 is layer l's activation; a
// layer with norm has an nn.LayerNorm between the two, so the modules after it move up by one),
// with the architecture (the model file's config, as JSON) in __metadata__['webgpu-mlp'].
import type { MLP } from '../index';
import { type DenseTensors, type RawTensor, buildModel } from './build';
import { type Bytes, type ImportOptions, asBytes, modelFile, parseArchitecture, show } from './common';
import { encodeSafetensors, parseSafetensors } from './safetensors-format';

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
 * (its forward is x + act(Linear(x))). A layer with `norm: 'layer'` adds `nn.LayerNorm(units, eps)`
 * after its Linear (γ as '<k>.weight', β as '<k>.bias'); every later module index moves up by one.
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
    const out = [{ name: `${k}.weight`, shape: [layer.units, fanIn], values: weight }];
    if (file.config.useBias !== false) out.push({ name: `${k}.bias`, shape: [layer.units], values: Float64Array.from(file.biases[l]) });
    const norm = file.norms?.[l];
    if (norm) out.push({ name: `${k + 1}.weight`, shape: [layer.units], values: Float64Array.from(norm.scale) }, { name: `${k + 1}.bias`, shape: [layer.units], values: Float64Array.from(norm.shift) });
    k += norm ? 3 : 2;
    return out;
  });
  return encodeSafetensors(tensors, { format: 'pt', [SAFETENSORS_CONFIG_KEY]: JSON.stringify(file.config) });
}

/**
 * Groups '<index>.weight' / '<index>.bias' tensors into dense layers, ordered by module index; a
 * module with a 1-D weight is an nn.LayerNorm, the normalization of the Linear before it.
 */
function sequentialLayers(tensors: RawTensor[]): DenseTensors[] {
  const byIndex = new Map<number, { weight?: RawTensor; bias?: RawTensor }>();
  for (const t of tensors) {
    const m = /^(\d{1,6})\.(weight|bias)$/.exec(t.name);
    if (!m) {
      throw new RangeError(`safetensors tensor '${t.name}' is not a Linear parameter of an nn.Sequential (expected names like '0.weight' and '0.bias')`);
    }
    const index = Number(m[1]);
    const slot = byIndex.get(index) ?? {};
    slot[m[2] as 'weight' | 'bias'] = t;
    byIndex.set(index, slot);
  }
  const layers: DenseTensors[] = [];
  for (const [index, { weight, bias }] of [...byIndex.entries()].sort(([a], [b]) => a - b)) {
    if (!weight) throw new RangeError(`safetensors tensor '${index}.bias' has no matching '${index}.weight'`);
    if (weight.shape.length !== 1) {
      layers.push({ kernel: weight, bias, layout: 'out,in' });
      continue;
    }
    const before = layers.at(-1);
    if (!before || before.norm) throw new RangeError(`safetensors tensor '${index}.weight' ${show(weight.shape)} is 1-D (an nn.LayerNorm's) but follows no Linear layer`);
    if (!bias) throw new RangeError(`safetensors tensor '${index}.weight' (an nn.LayerNorm's γ) has no matching '${index}.bias' (β)`);
    before.norm = { scale: weight, shift: bias };
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
