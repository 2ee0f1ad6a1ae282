// Bytes from any source, piece by piece as they arrive (gzip undone on the fly with the
// platform's DecompressionStream), and a reader that hands them out in the sizes asked for.
import type { ByteSource } from './chunk';

const EMPTY = new Uint8Array(0);

/** What a source's pieces may be; anything else (a string from a stream opened with an encoding, say) is an error. */
function toPiece(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const kind = value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  const hint = typeof value === 'string' ? ' (a Node stream opened with an encoding? open it without one)' : '';
  throw new TypeError(`ByteSource pieces must be Uint8Array, got ${kind}${hint}`);
}

function describe(source: unknown): string {
  if (source === null) return 'null';
  if (typeof source !== 'object') return typeof source;
  return source.constructor?.name ?? 'object';
}

/**
 * The source's own pieces (its buffers, not copies), empty ones left out: a `ReadableStream`
 * read with `getReader()` (unlocked on exit, and cancelled when left early), a Node stream or any
 * other (async) iterable of `Uint8Array`s, or the bytes whole as one piece.
 */
async function* rawPieces(source: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = toPiece(source);
    if (bytes.length > 0) yield bytes;
    return;
  }
  if (typeof source !== 'object' || source === null) {
    throw new TypeError(`ByteSource must be a ReadableStream, an (async) iterable of Uint8Array, a Uint8Array or an ArrayBuffer, got ${describe(source)}`);
  }
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        const piece = toPiece(value);
        if (piece.length > 0) yield piece;
      }
    } finally {
      // Left early (a consumer's break, or an error): stop the stream so its producer stops too.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  if (Symbol.asyncIterator in source) {
    for await (const value of source as AsyncIterable<unknown>) {
      const piece = toPiece(value);
      if (piece.length > 0) yield piece;
    }
    return;
  }
  if (Symbol.iterator in source) {
    for (const value of source as Iterable<unknown>) {
      const piece = toPiece(value);
      if (piece.length > 0) yield piece;
    }
    return;
  }
  throw new TypeError(`ByteSource must be a ReadableStream, an (async) iterable of Uint8Array, a Uint8Array or an ArrayBuffer, got ${describe(source)}`);
}

/** Stops a source that was opened but never read: cancels a stream, ends an iterator (which destroys a Node stream). */
async function discard(source: ByteSource): Promise<void> {
  if (typeof source !== 'object' || source === null || source instanceof Uint8Array || source instanceof ArrayBuffer) return;
  try {
    const stream = source as ReadableStream<Uint8Array>;
    if (typeof stream.getReader === 'function') {
      if (!stream.locked) await stream.cancel();
    } else if (Symbol.asyncIterator in source) {
      await (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]().return?.();
    } else if (Symbol.iterator in source) {
      (source as Iterable<Uint8Array>)[Symbol.iterator]().return?.();
    }
  } catch {
    // already failed or closed: nothing left to stop
  }
}

/**
 * `piece` as a view of an ArrayBuffer: DecompressionStream takes only those (a BufferSource), so
 * a view of a SharedArrayBuffer is copied; any other is viewed again, without a copy.
 */
function unshared(piece: Uint8Array): Uint8Array<ArrayBuffer> {
  return piece.buffer instanceof ArrayBuffer ? new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength) : piece.slice();
}

/** Decompresses gzip pieces (`head`, then the rest of `raw`) with the platform's `DecompressionStream`, pulling input only as output is read. */
async function* gunzip(head: Uint8Array[], raw: AsyncGenerator<Uint8Array, void, undefined>): AsyncGenerator<Uint8Array, void, undefined> {
  if (typeof DecompressionStream !== 'function') {
    throw new TypeError('the data is gzip-compressed but this platform has no DecompressionStream (Node 18+ and current browsers have it)');
  }
  let next = 0;
  const compressed = new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      async pull(controller) {
        if (next < head.length) {
          controller.enqueue(unshared(head[next]));
          head[next++] = EMPTY;
          return;
        }
        const r = await raw.next();
        if (r.done) controller.close();
        else controller.enqueue(unshared(r.value));
      },
      async cancel() {
        await raw.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  const reader = compressed.pipeThrough(new DecompressionStream('gzip')).getReader();
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        finished = true;
        const message = error instanceof Error ? error.message : String(error);
        throw new RangeError(`gzip data could not be decompressed: ${message}`, { cause: error });
      }
      if (result.done) {
        finished = true;
        return;
      }
      if (result.value.length > 0) yield result.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * The bytes of any {@link ByteSource}, piece by piece as they arrive, without gathering or
 * copying them (see `rawPieces`); data that starts with the gzip magic bytes is
 * decompressed on the fly (see `gunzip`).
 *
 * @example
 * // Node
 * for await (const piece of readBytes(fs.createReadStream('train-images-idx3-ubyte.gz'))) total += piece.length;
 * // Browser
 * for await (const piece of readBytes((await fetch('/data.csv')).body!)) total += piece.length;
 */
export async function* readBytes(source: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  const raw = rawPieces(source);
  try {
    // Enough of the start to see the two magic bytes, which may arrive in two pieces.
    const head: Uint8Array[] = [];
    let headBytes = 0;
    while (headBytes < 2) {
      const r = await raw.next();
      if (r.done) break;
      head.push(r.value);
      headBytes += r.value.length;
    }
    const b0 = head[0]?.[0];
    const b1 = head.length === 0 ? undefined : head[0].length > 1 ? head[0][1] : head[1]?.[0];
    if (b0 === 0x1f && b1 === 0x8b) {
      yield* gunzip(head, raw);
      return;
    }
    for (let i = 0; i < head.length; i++) {
      const piece = head[i];
      head[i] = EMPTY;
      yield piece;
    }
    for (;;) {
      const r = await raw.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await raw.return(undefined);
  }
}

/**
 * Reads a {@link ByteSource} (through {@link readBytes}, so gzip is undone) in the sizes its
 * caller asks for, across the source's pieces, holding one piece at a time: a view of it when a
 * request lies within it, else a copy. Call {@link ByteReader.close} when done early.
 *
 * @example
 * const reader = new ByteReader(fs.createReadStream('train-labels-idx1-ubyte'));
 * const header = await reader.read(8); // the magic number and the row count
 * const labels = new Uint8Array(new DataView(header.buffer, header.byteOffset).getUint32(4));
 * const got = await reader.readInto(labels); // < labels.length when the data ends early
 * await reader.close();
 */
export class ByteReader {
  private readonly source: ByteSource;
  private readonly pieces: AsyncGenerator<Uint8Array, void, undefined>;
  private piece: Uint8Array = EMPTY;
  private pos = 0;
  private started = false;
  private ended = false;
  /** Bytes handed out so far (after decompression). */
  bytesRead = 0;

  constructor(source: ByteSource) {
    this.source = source;
    this.pieces = readBytes(source);
  }

  /** Makes unread bytes available in `piece`; false at the end of the data. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.piece.length) {
      if (this.ended) return false;
      this.started = true;
      const r = await this.pieces.next();
      if (r.done) {
        this.ended = true;
        this.piece = EMPTY;
        this.pos = 0;
        return false;
      }
      this.piece = r.value;
      this.pos = 0;
    }
    return true;
  }

  /**
   * The next `n` bytes: fewer only when the data ends first (check `length`). A view of the
   * source's piece when the bytes lie within one, else a new array; don't keep it past the next
   * call if the source reuses its buffers (use {@link ByteReader.readInto} for a copy of your own).
   */
  async read(n: number): Promise<Uint8Array> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`ByteReader.read needs a byte count that is a non-negative integer, got ${n}`);
    if (n === 0 || !(await this.fill())) return EMPTY;
    if (this.piece.length - this.pos >= n) {
      const view = this.piece.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.bytesRead += n;
      return view;
    }
    const out = new Uint8Array(n);
    const got = await this.readInto(out);
    return got < n ? out.subarray(0, got) : out;
  }

  /** Fills `target` with the next bytes; resolves to how many it got (less than `target.length` only at the end of the data). */
  async readInto(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length && (await this.fill())) {
      const take = Math.min(target.length - filled, this.piece.length - this.pos);
      target.set(this.piece.subarray(this.pos, this.pos + take), filled);
      this.pos += take;
      filled += take;
    }
    this.bytesRead += filled;
    return filled;
  }

  /** Whatever bytes are available next, at most `max` (a view, as {@link ByteReader.read} gives), or null at the end of the data. */
  async readSome(max = Infinity): Promise<Uint8Array | null> {
    if (!(max >= 1)) throw new RangeError(`ByteReader.readSome needs a maximum of at least 1 byte, got ${max}`);
    if (!(await this.fill())) return null;
    const end = Math.min(this.piece.length, this.pos + max);
    const view = this.piece.subarray(this.pos, end);
    this.bytesRead += end - this.pos;
    this.pos = end;
    return view;
  }

  /** Stops reading: releases the current piece and closes the source (cancels a stream, ends an iterator). */
  async close(): Promise<void> {
    const wasStarted = this.started;
    this.ended = true;
    this.piece = EMPTY;
    this.pos = 0;
    await this.pieces.return(undefined);
    // A generator never started doesn't run its cleanup: stop a source opened but never read here.
    if (!wasStarted) await discard(this.source);
  }
}
