// A minimal Protocol Buffers writer (wire format only: varints, length-delimited fields), enough
// to write ONNX models without a runtime dependency.

const encoder = new TextEncoder();

/**
 * Builds one protobuf message; nested messages are other writers.
 *
 * @example
 * const bytes = new ProtoWriter().int(1, 7).string(2, 'model').finish();
 */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private rawVarint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      out.push(byte);
    } while (v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wireType: 0 | 2 | 5): void {
    this.rawVarint(BigInt(field * 8 + wireType));
  }

  /** An int32/int64/enum field (negative values take 10 bytes, as protobuf requires). */
  int(field: number, value: number): this {
    this.tag(field, 0);
    this.rawVarint(BigInt(value));
    return this;
  }

  /** A float field (fixed32: wire type 5, four little-endian bytes). */
  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.tag(field, 5);
    this.push(bytes);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** An embedded message field. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
