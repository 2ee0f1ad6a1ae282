// Whole IDX files (the format MNIST ships in) in memory, and MNIST as model inputs.
import { IDX_MAGIC_BYTES, idxDimensions, idxShape } from './idx-header';

/**
 * Reads a whole IDX file: its shape and its data (a view, no copy). Only unsigned-byte data
 * (type 0x08, what MNIST uses) is supported (see src/streams/idx-header.ts).
 *
 * @example
 * const images = parseIdx(await (await fetch('train-images-idx3-ubyte')).arrayBuffer());
 * images.shape; // [60000, 28, 28]
 */
export function parseIdx(buffer: ArrayBuffer | Uint8Array): { shape: number[]; data: Uint8Array } {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < IDX_MAGIC_BYTES) throw new RangeError(`IDX data must be at least ${IDX_MAGIC_BYTES} bytes, got ${bytes.length}`);
  const dims = idxDimensions(bytes, 'IDX');
  const offset = IDX_MAGIC_BYTES + 4 * dims;
  if (bytes.length < offset) throw new RangeError(`IDX header declares ${dims} dimensions but the data is ${bytes.length} bytes`);
  const shape = idxShape(bytes.subarray(IDX_MAGIC_BYTES, offset), dims);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - offset < count) throw new RangeError(`IDX shape [${shape.join(', ')}] needs ${count} bytes of data, got ${bytes.length - offset}`);
  return { shape, data: bytes.subarray(offset, offset + count) };
}

/**
 * MNIST images and labels as model inputs: pixels scaled to [0, 1], `count` rows from `start`.
 *
 * @example
 * const { x, labels } = mnistToMatrix(parseIdx(imagesBuf), parseIdx(labelsBuf), 0, 10000);
 * await model.fit(x, labels, { batchSize: 64 });
 */
export function mnistToMatrix(
  images: { shape: number[]; data: Uint8Array },
  labels: { shape: number[]; data: Uint8Array },
  start = 0,
  count = images.shape[0] - start,
): { x: { data: Float32Array; shape: [number, number] }; labels: number[] } {
  const pixels = images.shape.slice(1).reduce((a, b) => a * b, 1);
  if (labels.shape[0] !== images.shape[0]) throw new RangeError(`MNIST images (${images.shape[0]}) and labels (${labels.shape[0]}) differ in count`);
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > images.shape[0]) {
    throw new RangeError(`MNIST rows [${start}, ${start + count}) must lie within [0, ${images.shape[0]})`);
  }
  const data = new Float32Array(count * pixels);
  const src = images.data.subarray(start * pixels, (start + count) * pixels);
  for (let i = 0; i < data.length; i++) data[i] = src[i] / 255;
  return { x: { data, shape: [count, pixels] }, labels: Array.from(labels.data.subarray(start, start + count)) };
}
