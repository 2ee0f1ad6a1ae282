/**
 * The byte-level encodings of the WebAssembly binary format (spec §5): LEB128 integers, IEEE
 * floats, names, vectors and sections. Everything the emitter writes goes through these.
 */

/** Bytes of an instruction sequence, a section or a whole module, as they are written. */
export type Bytes = number[];

/**
 * Unsigned LEB128 of a non-negative integer below 2^32.
 *
 * @example
 * uleb(624485); // [0xe5, 0x8e, 0x26]
 */
export function uleb(n: number): Bytes {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`uleb: expected an integer in [0, 2^32), got ${n}`);
  const out: Bytes = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/**
 * Signed LEB128 of an integer in the i64 range that a double holds exactly (|n| < 2^53).
 *
 * @example
 * sleb(-123456); // [0xc0, 0xbb, 0x78]
 */
export function sleb(n: number): Bytes {
  if (!Number.isSafeInteger(n)) throw new RangeError(`sleb: expected a safe integer, got ${n}`);
  const out: Bytes = [];
  for (;;) {
    const byte = ((n % 128) + 128) % 128;
    n = Math.floor(n / 128);
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Signed LEB128 of a 64-bit integer (i64 constants beyond 2^53). */
export function slebBig(n: bigint): Bytes {
  if (n < -(1n << 63n) || n >= 1n << 64n) throw new RangeError(`slebBig: expected a 64-bit integer, got ${n}`);
  if (n >= 1n << 63n) n -= 1n << 64n;
  const out: Bytes = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** The 4 little-endian bytes of `v` rounded to float32. */
export function f32Bytes(v: number): Bytes {
  scratch.setFloat32(0, v, true);
  return [0, 1, 2, 3].map((i) => scratch.getUint8(i));
}

/** The 8 little-endian bytes of `v` as float64. */
export function f64Bytes(v: number): Bytes {
  scratch.setFloat64(0, v, true);
  return [0, 1, 2, 3, 4, 5, 6, 7].map((i) => scratch.getUint8(i));
}

/** A name: its UTF-8 length, then its bytes. */
export function name(s: string): Bytes {
  const utf8 = Array.from(new TextEncoder().encode(s));
  return seq(uleb(utf8.length), utf8);
}

/** A vector: the item count, then the items. */
export function vec(items: Bytes[]): Bytes {
  return seq(uleb(items.length), ...items);
}

/** A section: its id, its byte length, then its payload. */
export function section(id: number, payload: Bytes): Bytes {
  return seq(id, uleb(payload.length), payload);
}

/** Flattens instruction pieces (byte arrays and single bytes) into one sequence. */
export function seq(...parts: (Bytes | number)[]): Bytes {
  const out: Bytes = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (let i = 0; i < p.length; i++) out.push(p[i]);
  }
  return out;
}
