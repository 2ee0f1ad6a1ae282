// The IDX header (the format MNIST ships in), parsed in one place for the whole-file reader
// (parseIdx) and the streaming one (idxDataset): a 4-byte magic number whose third byte is the
// element type and whose fourth is the number of dimensions, then one big-endian uint32 per
// dimension. Only unsigned bytes (type 0x08) are supported, which is what MNIST uses.

/**
 * Bytes in an IDX magic number.
 *
 * @example
 * const magic = await reader.read(IDX_MAGIC_BYTES);
 */
export const IDX_MAGIC_BYTES = 4;

/**
 * Checks an IDX magic number (`file` names the file in messages) and returns the number of
 * dimensions it declares; the header is then `4 + 4·dimensions` bytes long.
 *
 * @example
 * idxDimensions(Uint8Array.of(0, 0, 8, 3), 'IDX images'); // 3
 */
export function idxDimensions(magic: Uint8Array, file: string): number {
  if (magic[0] !== 0 || magic[1] !== 0) throw new RangeError(`${file} magic must start with two zero bytes, got ${magic[0]}, ${magic[1]}`);
  if (magic[2] !== 0x08) {
    throw new RangeError(`${file} element type 0x${magic[2].toString(16).padStart(2, '0')} is not supported (only 0x08, unsigned bytes)`);
  }
  const dims = magic[3];
  if (dims < 1) throw new RangeError(`${file} header declares ${dims} dimensions (at least 1 needed)`);
  return dims;
}

/**
 * The shape that follows the magic number: `dims` big-endian uint32 sizes in `sizes`.
 *
 * @example
 * idxShape(Uint8Array.of(0, 0, 0x27, 0x10), 1); // [10000]
 */
export function idxShape(sizes: Uint8Array, dims: number): number[] {
  const view = new DataView(sizes.buffer, sizes.byteOffset, sizes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 * i, false));
  return shape;
}
