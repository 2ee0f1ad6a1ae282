// Shared pieces of the format readers and writers: byte inputs, limits, value descriptions, and
// the architecture a file declares (as the model file's config).
import type { Activation, CreateOptions, LossName, MLP, ModelConfig, ModelJSON } from '../index';
import { MAX_PARAMETERS, parseJsonText } from '../internal';

/**
 * Most values an imported file may declare: 2^27, the most parameters a model may have; larger
 * files are refused before anything is allocated.
 *
 * @example
 * import { MAX_IMPORT_PARAMETERS } from 'webgpu-mlp/interop';
 * console.log(MAX_IMPORT_PARAMETERS); // 134217728
 */
export const MAX_IMPORT_PARAMETERS = MAX_PARAMETERS;

/**
 * Raw file contents: bytes, or an `ArrayBuffer` holding them.
 *
 * @example
 * import type { Bytes } from 'webgpu-mlp/interop';
 * const bytes: Bytes = await (await fetch('model.safetensors')).arrayBuffer();
 */
export type Bytes = Uint8Array | ArrayBuffer;

/**
 * The architecture part of a config: everything but the parameters.
 *
 * @example
 * const file: Partial<ArchitectureConfig> = parseArchitecture('metadata', text);
 */
export type ArchitectureConfig = ModelJSON['config'];

/**
 * Options of the importers: `config` completes or overrides the architecture the file declares
 * (activations, loss, `l2`, `seed`, `backend`, …); its layer sizes must agree with the file's
 * tensor shapes. `create` goes to `MLP.create` (e.g. a shared `device`).
 *
 * @example
 * import { type ImportOptions, fromSafetensors } from 'webgpu-mlp/interop';
 * const options: ImportOptions = { config: { loss: 'mse', backend: 'cpu' } };
 * const model = await fromSafetensors(bytes, options);
 */
export interface ImportOptions {
  config?: Partial<Omit<ModelConfig, 'weights' | 'biases'>>;
  create?: CreateOptions;
}

/**
 * A short, safe rendering of a value for error messages.
 *
 * @example
 * show({ a: 1 }); // '{"a":1}'
 */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Views `value` as bytes (no copy), or throws a TypeError naming `name`.
 *
 * @example
 * asBytes('bytes', new ArrayBuffer(4)).length; // 4
 */
export function asBytes(name: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${name} must be a Uint8Array or ArrayBuffer, got ${show(value)}`);
}

/**
 * True when `v` is a plain (non-array, non-null) object.
 *
 * @example
 * isObject([]); // false
 */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks a list of tensor dimensions: non-negative safe integers whose product stays within the
 * import limit. Returns the element count.
 *
 * @example
 * elementCount("tensor '0.weight'", [3, 2]); // 6
 */
export function elementCount(name: string, shape: unknown): number {
  if (!Array.isArray(shape) || shape.length > 8) throw new RangeError(`${name} shape must be an array of at most 8 dimensions, got ${show(shape)}`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new RangeError(`${name} shape must hold non-negative integers, got ${show(shape)}`);
    n *= d;
    if (n > MAX_IMPORT_PARAMETERS) throw new RangeError(`${name} shape ${show(shape)} holds more than the ${MAX_IMPORT_PARAMETERS} values an import accepts`);
  }
  return n;
}

/**
 * The model's architecture and parameters as the library's model file (`toJSON`).
 *
 * @example
 * const { config, weights } = await modelFile(model);
 */
export async function modelFile(model: MLP): Promise<ModelJSON> {
  if (model === null || typeof model !== 'object' || typeof (model as { toJSON?: unknown }).toJSON !== 'function') {
    throw new TypeError(`expected a model created by MLP.create or MLP.fromJSON, got ${show(model)}`);
  }
  return model.toJSON();
}

/**
 * Reads the architecture a file carries as text (the `toJSON` config), or throws naming where it
 * came from. Only its shape is checked here; the tensors' shapes are checked against it later.
 *
 * @example
 * parseArchitecture('metadata', '{"inputSize": 2}'); // { inputSize: 2 }
 */
export function parseArchitecture(where: string, text: unknown): Partial<ArchitectureConfig> {
  const value = typeof text === 'string' ? parseJsonText(text, where) : text;
  if (!isObject(value)) throw new TypeError(`${where} must be an object (the model's config), got ${show(value)}`);
  if (value.layers !== undefined && !Array.isArray(value.layers)) throw new TypeError(`${where}.layers must be an array, got ${show(value.layers)}`);
  return value as Partial<ArchitectureConfig>;
}

/**
 * The loss to use when neither the file nor the options name one: cross-entropy for softmax, else MSE.
 *
 * @example
 * defaultLoss('softmax'); // 'categoricalCrossEntropy'
 */
export const defaultLoss = (outputActivation: Activation): LossName => (outputActivation === 'softmax' ? 'categoricalCrossEntropy' : 'mse');
