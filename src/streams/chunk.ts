import type { Inputs, Targets } from '../core/types';

/**
 * One piece of a streamed training set: rows of inputs and their targets, in any form `fit`
 * takes (byte matrices with `scale`/`offset` included), and optionally one weight per row.
 *
 * @example
 * const chunk: DatasetChunk = { x: { data: pixels, shape: [4096, 784], scale: 1 / 255 }, y: labels };
 */
export interface DatasetChunk {
  x: Inputs;
  y: Targets;
  /** One weight ≥ 0 per row, multiplying its loss and gradient as `fit`'s `sampleWeight` does (rows of chunks without one weigh 1). */
  sampleWeight?: ArrayLike<number>;
}

/**
 * What `fitDataset` trains on: chunks from an async iterable or an iterable, or a function that
 * returns a fresh one (needed for more than one epoch: each epoch replays the source).
 *
 * @example
 * const source: DatasetSource = () => idxDataset({ images: () => fs.createReadStream(imagesPath), labels: () => fs.createReadStream(labelsPath) })();
 */
export type DatasetSource =
  | AsyncIterable<DatasetChunk>
  | Iterable<DatasetChunk>
  | (() => AsyncIterable<DatasetChunk> | Iterable<DatasetChunk>);

/**
 * Bytes arriving in pieces: a `fetch` body (`ReadableStream`), a Node stream
 * (`fs.createReadStream(path)`, an async iterable of Buffers), any (async) iterable of
 * `Uint8Array`s, or the bytes whole.
 *
 * @example
 * const source: ByteSource = (await fetch('/data.csv')).body!;
 */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array | ArrayBuffer;

/**
 * Opens a {@link ByteSource} afresh (called once per epoch, so a stream can be read again).
 *
 * @example
 * const open: ByteSourceFactory = () => fetch('/mnist/train-images-idx3-ubyte.gz').then((r) => r.body!);
 */
export type ByteSourceFactory = () => ByteSource | Promise<ByteSource>;

/**
 * Refuses a `chunkRows` option that is not a positive integer, naming it.
 *
 * @example
 * checkChunkRows(0); // RangeError: chunkRows must be a positive integer, got 0
 */
export function checkChunkRows(chunkRows: unknown): asserts chunkRows is number {
  if (typeof chunkRows !== 'number' || !Number.isInteger(chunkRows) || chunkRows < 1) throw new RangeError(`chunkRows must be a positive integer, got ${String(chunkRows)}`);
}
