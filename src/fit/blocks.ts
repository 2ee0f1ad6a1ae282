import type { NetSpec } from '../core/config';
import { type Dense, byteDense, takeRows, toInputs, toTargets } from '../core/data';
import type { DatasetChunk, DatasetSource } from '../streams/chunk';
import { describeValue, readRecord } from '../core/inspect';
import { Rng } from '../core/random';
import { chunkWeights } from './sample-weights';

/**
 * Rows of a stream gathered for one training call: whole batches, except at the end of an epoch.
 *
 * @example
 * for await (const { x, y, w }: Block of streamBlocks(source, options)) await backend.loadBlock(0, x, y, 32, w?.data);
 */
export interface Block {
  x: Dense;
  y: Dense;
  /** One weight per row (the chunks' `sampleWeight` × `classWeight`), `[rows, 1]`, or null when no row has one. */
  w: Dense | null;
}

/**
 * How {@link streamBlocks} cuts a stream into blocks.
 *
 * @example
 * const options: BlockOptions = { net, float32: true, batchSize: 32, window: 1, shuffle: false, seed: 1, epochIndex: 0, classWeights: null };
 */
export interface BlockOptions {
  net: NetSpec;
  /** Refuse values float32 cannot hold (WebGPU). */
  float32: boolean;
  batchSize: number;
  /** Chunks gathered before a block is cut (and shuffled together). */
  window: number;
  shuffle: boolean;
  seed: number;
  /** The model's epoch index (0-based), for the shuffle streams. */
  epochIndex: number;
  /** `classWeight`, one weight per class, or null. */
  classWeights: Float64Array | null;
}

/**
 * The iterator of one pass over `source` (a function is called for a fresh one).
 *
 * @example
 * const it = openSource(() => chunks());
 */
export function openSource(source: DatasetSource): AsyncIterator<DatasetChunk> | Iterator<DatasetChunk> {
  let iterable: unknown = source;
  if (typeof source === 'function') {
    try {
      iterable = source();
    } catch (e) {
      throw new Error(`the data source function threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
  const it = iterable as Partial<AsyncIterable<DatasetChunk> & Iterable<DatasetChunk>> | null;
  const open = (it?.[Symbol.asyncIterator] ?? it?.[Symbol.iterator]) as ((this: unknown) => AsyncIterator<DatasetChunk> | Iterator<DatasetChunk>) | undefined;
  if (typeof open !== 'function') {
    throw new TypeError(`the data source must be an async iterable or an iterable of {x, y} chunks, or a function returning one, got ${describeValue(iterable)}`);
  }
  return open.call(it);
}

/**
 * True when iterating `source` again gives its chunks again: a function, or an iterable whose
 * iterator is a new object (an array); false for a one-shot iterator (a generator object).
 *
 * @example
 * isReplayable([chunk]); // true
 */
export function isReplayable(source: DatasetSource): boolean {
  if (typeof source === 'function') return true;
  const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  const open = s[Symbol.asyncIterator] ?? s[Symbol.iterator];
  if (typeof open !== 'function') return false;
  // a generator (or any iterator) returns itself from [Symbol.iterator]()
  return !('next' in (source as object) && typeof (source as { next?: unknown }).next === 'function');
}

/** Rows [from, to) of `d`, as a view where it can (no copy). */
function sliceRows(d: Dense, from: number, to: number): Dense {
  if (from === 0 && to === d.rows) return d;
  if (d.bytes) return byteDense({ ...d.bytes, data: d.bytes.data.subarray(from * d.cols, to * d.cols) }, to - from, d.cols);
  const out: Dense = { data: d.data.subarray(from * d.cols, to * d.cols), rows: to - from, cols: d.cols };
  if (d.half) out.half = d.half.subarray(from * d.cols, to * d.cols);
  return out;
}

/** The rows of `parts` one after another: bytes when all are bytes of one scale and offset, float16 when all are, else float64. */
function concatRows(parts: Dense[]): Dense {
  if (parts.length === 1) return parts[0];
  const cols = parts[0].cols;
  const rows = parts.reduce((a, p) => a + p.rows, 0);
  const b0 = parts[0].bytes;
  if (b0 && parts.every((p) => p.bytes && p.bytes.scale === b0.scale && p.bytes.offset === b0.offset)) {
    const out = new Uint8Array(rows * cols);
    let at = 0;
    for (const p of parts) {
      out.set(p.bytes!.data.subarray(0, p.rows * cols), at);
      at += p.rows * cols;
    }
    return byteDense({ data: out, scale: b0.scale, offset: b0.offset }, rows, cols);
  }
  const out = new Float64Array(rows * cols);
  // float16 parts stay float16 when all are
  const half = parts.every((p) => p.half) ? new Uint16Array(rows * cols) : null;
  let at = 0;
  for (const p of parts) {
    out.set(p.data.subarray(0, p.rows * cols), at);
    half?.set(p.half!.subarray(0, p.rows * cols), at);
    at += p.rows * cols;
  }
  return half ? { data: out, rows, cols, half } : { data: out, rows, cols };
}

/** Chunk `index` checked and converted: `{x, y, sampleWeight?}` with matching rows, as `fit` checks its data. */
function readChunk(value: unknown, index: number, o: Pick<BlockOptions, 'net' | 'float32' | 'classWeights'>): Block {
  const c = readRecord(value, `chunk ${index}`, ['x', 'y', 'sampleWeight'], 'an object {x, y}');
  if (c.x === undefined || c.y === undefined) throw new TypeError(`chunk ${index} must have both x and y, got ${c.x === undefined ? 'no x' : 'no y'}`);
  const x = toInputs(c.x, o.net, `chunk ${index} x`, o.float32);
  const y = toTargets(c.y, o.net, x.rows, `chunk ${index} y`, o.float32);
  const w = chunkWeights(c.sampleWeight, o.classWeights, y, `chunk ${index}`, o.float32);
  return { x, y, w: w ? { data: w, rows: x.rows, cols: 1 } : null };
}

/** The weights of `parts` (chunks without any weigh 1), or null when none has any. */
function concatWeights(parts: (Dense | null)[], rows: Dense[]): Dense | null {
  if (parts.every((p) => p === null)) return null;
  return concatRows(parts.map((p, i) => p ?? { data: new Float64Array(rows[i].rows).fill(1), rows: rows[i].rows, cols: 1 }));
}

/** The source's next chunk; a source that throws is reported naming the chunk it was giving. */
async function nextChunk(it: AsyncIterator<DatasetChunk> | Iterator<DatasetChunk>, index: number): Promise<IteratorResult<DatasetChunk>> {
  try {
    return await it.next();
  } catch (e) {
    throw new Error(`the data source threw while giving chunk ${index}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

/**
 * The rows of one pass over `source`, every chunk read and checked (a cosine schedule's length
 * needs them before training; the data is read once more for this).
 *
 * @example
 * const rows = await countRows(() => chunks(), { net, float32: false, classWeights: null });
 */
export async function countRows(source: DatasetSource, o: Pick<BlockOptions, 'net' | 'float32' | 'classWeights'>): Promise<number> {
  const it = openSource(source);
  let rows = 0;
  let done = false;
  try {
    for (let index = 0; ; index++) {
      const r = await nextChunk(it, index);
      if (r.done) {
        done = true;
        if (index === 0) throw new RangeError('the data source gave no chunks: fitDataset needs at least one row');
        return rows;
      }
      rows += readChunk(r.value, index, o).x.rows;
    }
  } finally {
    if (!done) await (it as AsyncIterator<DatasetChunk>).return?.();
  }
}

/**
 * One epoch of `source` as training blocks of whole batches (the last one ends with the short
 * batch), chunks checked one at a time and shuffled `window` at a time; without shuffling, the
 * batches of `fit` on all the rows in stream order. Errors name the chunk.
 *
 * @example
 * for await (const block of streamBlocks(source, { net, float32: true, batchSize: 32, window: 1, shuffle: false, seed: 1, epochIndex: 0, classWeights: null })) train(block);
 */
export async function* streamBlocks(source: DatasetSource, o: BlockOptions): AsyncGenerator<Block> {
  // Chunks are read and checked one at a time and gathered `window` at a time (shuffled together
  // with the seed when asked); each window is cut into whole batches and the rows left over start
  // the next block. A source that throws is reported as such, naming the chunk it was giving.
  const it = openSource(source);
  const xs: Dense[] = [];
  const ys: Dense[] = [];
  const ws: (Dense | null)[] = [];
  let index = 0;
  let inWindow = 0;
  let blocks = 0;
  let done = false;
  try {
    while (!done) {
      const r = await nextChunk(it, index);
      if (r.done) {
        done = true;
      } else {
        const chunk = readChunk(r.value, index, o);
        xs.push(chunk.x);
        ys.push(chunk.y);
        ws.push(chunk.w);
        index++;
        inWindow++;
      }
      if (!done && inWindow < o.window) continue;
      if (done && index === 0) throw new RangeError('the data source gave no chunks: fitDataset needs at least one row');
      inWindow = 0;
      if (xs.length === 0) continue;
      // the window (after the rows carried over), shuffled together when asked
      let W = concatWeights(ws.splice(0), xs);
      let X = concatRows(xs.splice(0));
      let Y = concatRows(ys.splice(0));
      const n = X.rows;
      if (o.shuffle) {
        const perm = new Rng(o.seed, `stream shuffle ${o.epochIndex} ${blocks}`).permutation(n);
        X = takeRows(X, perm, 0, n);
        Y = takeRows(Y, perm, 0, n);
        if (W) W = takeRows(W, perm, 0, n);
      }
      const trained = done ? n : n - (n % o.batchSize);
      if (trained < n) {
        xs.push(sliceRows(X, trained, n));
        ys.push(sliceRows(Y, trained, n));
        ws.push(W && sliceRows(W, trained, n));
      }
      if (trained === 0) continue;
      blocks++;
      yield { x: sliceRows(X, 0, trained), y: sliceRows(Y, 0, trained), w: W && sliceRows(W, 0, trained) };
    }
  } finally {
    if (!done) await (it as AsyncIterator<DatasetChunk>).return?.();
  }
}
