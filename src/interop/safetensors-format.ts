// The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON ({name: {dtype, shape, data_offsets}, "__metadata__": {..}}),
// then the tensors' raw little-endian bytes, contiguous and without holes.
import { parseJsonText } from '../internal';
import type { RawTensor } from './build';
import { MAX_IMPORT_PARAMETERS, elementCount, isObject, show } from './common';

/**
 * Largest safetensors header accepted, in bytes (the reference implementation's limit, 100 MB);
 * a file claiming more is refused before anything is read.
 *
 * @example
 * import { MAX_HEADER_BYTES } from 'webgpu-mlp/interop';
 * console.log(MAX_HEADER_BYTES); // 100000000
 */
export const MAX_HEADER_BYTES = 100_000_000;

// I64: PyTorch's BatchNorm1d keeps num_batches_tracked as a 0-d int64 tensor
const DTYPES: Record<string, { dtype: RawTensor['dtype']; size: number }> = { F32: { dtype: 'float32', size: 4 }, F64: { dtype: 'float64', size: 8 }, I64: { dtype: 'int64', size: 8 } };

/**
 * A parsed safetensors file: its tensors (views into the file, nothing copied) and its metadata.
 *
 * @example
 * const { tensors, metadata }: SafetensorsContents = parseSafetensors(bytes);
 */
export interface SafetensorsContents {
  tensors: RawTensor[];
  metadata: Record<string, string>;
}

function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.byteLength < 8) throw new RangeError(`safetensors file is ${bytes.byteLength} bytes; it must start with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  const available = bytes.byteLength - 8;
  if (claimed > BigInt(MAX_HEADER_BYTES)) throw new RangeError(`safetensors header length is ${claimed} bytes, more than the ${MAX_HEADER_BYTES} accepted (a damaged or hostile file)`);
  if (claimed > BigInt(available)) throw new RangeError(`safetensors header length is ${claimed} bytes but only ${available} bytes follow it (the file is truncated or not safetensors)`);
  const n = Number(claimed);
  if (n < 2 || bytes[8] !== 0x7b) throw new RangeError(`safetensors header must be a JSON object starting with '{' (header length ${n})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new RangeError('safetensors header is not valid UTF-8');
  }
  const header = parseJsonText(text, 'safetensors header');
  if (!isObject(header)) throw new TypeError(`safetensors header must be a JSON object, got ${show(header)}`);
  return { header, dataStart: 8 + n };
}

function readMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new TypeError(`safetensors __metadata__ must be an object of strings, got ${show(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new TypeError(`safetensors __metadata__[${JSON.stringify(k)}] must be a string, got ${show(v)}`);
  }
  return value as Record<string, string>;
}

/**
 * Parses and checks a safetensors file completely (header length, JSON, each tensor's dtype,
 * shape and byte range, and that the ranges tile the data exactly) before any tensor is read.
 *
 * @example
 * parseSafetensors(bytes).tensors.map((t) => t.name); // ['0.weight', '0.bias', …]
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  const { header, dataStart } = readHeader(bytes);
  const dataLength = bytes.byteLength - dataStart;
  const metadata = readMetadata(header.__metadata__);
  const spans: { name: string; begin: number; end: number; shape: number[]; dtype: RawTensor['dtype'] }[] = [];
  let total = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isObject(entry)) throw new TypeError(`safetensors tensor '${name}' must be {dtype, shape, data_offsets}, got ${show(entry)}`);
    const type = typeof entry.dtype === 'string' ? DTYPES[entry.dtype] : undefined;
    if (!type) throw new RangeError(`safetensors tensor '${name}' has dtype ${show(entry.dtype)}; this importer reads 'F32' and 'F64' (and 'I64' for a BatchNorm1d's num_batches_tracked)`);
    const count = elementCount(`safetensors tensor '${name}'`, entry.shape);
    total += count;
    if (total > MAX_IMPORT_PARAMETERS) throw new RangeError(`safetensors file declares more than the ${MAX_IMPORT_PARAMETERS} values an import accepts`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw new RangeError(`safetensors tensor '${name}' data_offsets must be [begin, end] with 0 <= begin <= end, got ${show(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end - begin !== count * type.size) {
      throw new RangeError(`safetensors tensor '${name}' (${entry.dtype} ${show(entry.shape)}) needs ${count * type.size} bytes but its data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    if (end > dataLength) throw new RangeError(`safetensors tensor '${name}' ends at byte ${end} of the data but the file holds only ${dataLength} data bytes (truncated)`);
    spans.push({ name, begin, end, shape: entry.shape as number[], dtype: type.dtype });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin !== at) throw new RangeError(`safetensors tensor '${s.name}' starts at byte ${s.begin} of the data, expected ${at} (tensors must tile the data without gaps or overlaps)`);
    at = s.end;
  }
  if (at !== dataLength) throw new RangeError(`safetensors data holds ${dataLength - at} bytes after the last tensor (the header does not describe the file)`);
  const tensors = spans.map(({ name, begin, end, shape, dtype }) => ({
    name, shape, dtype, view: new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin),
  }));
  return { tensors, metadata };
}

/**
 * One tensor to write: float32, or int64 (integers) with `dtype: 'I64'`.
 *
 * @example
 * const t: TensorToWrite = { name: '0.bias', shape: [2], values: [0, 0.5] };
 */
export interface TensorToWrite {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
  dtype?: 'F32' | 'I64';
}

/**
 * Writes float32 (and int64) tensors and string metadata as a safetensors file (data aligned to 8 bytes).
 *
 * @example
 * const bytes = encodeSafetensors([{ name: 'x', shape: [1, 2], values: [1, 2] }], { format: 'pt' });
 */
export function encodeSafetensors(tensors: TensorToWrite[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const size = (t: TensorToWrite) => (t.dtype === 'I64' ? 8 : 4);
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + size(t) * t.values.length] };
    offset += size(t) * t.values.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    if (t.dtype === 'I64') for (let i = 0; i < t.values.length; i++, at += 8) view.setBigInt64(at, BigInt(t.values[i]), true);
    else for (let i = 0; i < t.values.length; i++, at += 4) view.setFloat32(at, t.values[i], true);
  }
  return out;
}
