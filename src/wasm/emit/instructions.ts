/**
 * Scalar instructions (spec §5.4) as expression builders: each returns the bytes that leave its
 * value on the stack, given its operands' bytes, so kernels read as nested expressions.
 *
 * @example
 * const body = set(sum, f32.add(get(sum), f32.load(get(p), 8))); // sum += *(f32*)(p + 8)
 */
import { type Bytes, f32Bytes, f64Bytes, seq, sleb, slebBig, uleb } from './encoding';

/** Value types (spec §5.3.1). */
export const enum ValType {
  i32 = 0x7f,
  i64 = 0x7e,
  f32 = 0x7d,
  f64 = 0x7c,
  v128 = 0x7b,
}

/** A parameter or local of the function being built. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/** A memory immediate: log2 alignment hint and byte offset. */
export const memarg = (align: number, offset: number): Bytes => [...uleb(align), ...uleb(offset)];

/** local.get: the value of `l`. */
export const get = (l: Local): Bytes => [0x20, ...uleb(l.index)];
/** local.set: `l` = v. */
export const set = (l: Local, v: Bytes): Bytes => seq(v, 0x21, uleb(l.index));
/** local.tee: `l` = v, leaving v on the stack. */
export const tee = (l: Local, v: Bytes): Bytes => seq(v, 0x22, uleb(l.index));

// ── control ─────────────────────────────────────────────────────────────────────────────────────

const EMPTY = 0x40;
/** A block (a `br` to it exits it). */
export const block = (...body: Bytes[]): Bytes => seq(0x02, EMPTY, ...body, 0x0b);
/** A loop (a `br` to it starts it again). */
export const loop = (...body: Bytes[]): Bytes => seq(0x03, EMPTY, ...body, 0x0b);
/** if (cond) then [else otherwise], no result. */
export const ifThen = (cond: Bytes, then: Bytes, otherwise?: Bytes): Bytes => (otherwise ? seq(cond, 0x04, EMPTY, then, 0x05, otherwise, 0x0b) : seq(cond, 0x04, EMPTY, then, 0x0b));
/** `if` with a result: `cond ? a : b`, both branches evaluated lazily (only one runs). */
export const ifValue = (type: ValType, cond: Bytes, a: Bytes, b: Bytes): Bytes => seq(cond, 0x04, type, a, 0x05, b, 0x0b);
/** Branch to the label `depth` levels out. */
export const br = (depth: number): Bytes => [0x0c, ...uleb(depth)];
/** Branch to the label `depth` levels out when `cond` is not 0. */
export const brIf = (depth: number, cond: Bytes): Bytes => seq(cond, 0x0d, uleb(depth));
/** Return (with `v` as the result, when the function has one). */
export const ret = (v: Bytes = []): Bytes => seq(v, 0x0f);
/** Call function `fn` of the module with `args`. */
export const call = (fn: number, ...args: Bytes[]): Bytes => seq(...args, 0x10, uleb(fn));
/** `c ? a : b` with both operands evaluated (no branch). */
export const select = (a: Bytes, b: Bytes, c: Bytes): Bytes => seq(a, b, c, 0x1b);

/**
 * `for (i = from; i < to; i += step) body` over i32 values (signed comparison), as
 * block { loop { br_if exit (i >= to); body; i += step; br loop } }. `body` sits two labels deep.
 */
export function forRange(i: Local, from: Bytes, to: Bytes, step: number, ...body: Bytes[]): Bytes {
  return seq(set(i, from), block(loop(brIf(1, i32.geS(get(i), to)), ...body, set(i, i32.add(get(i), i32.c(step))), br(0))));
}

// ── i32 / i64 ───────────────────────────────────────────────────────────────────────────────────

const bin = (op: number) => (a: Bytes, b: Bytes): Bytes => seq(a, b, op);
const un = (op: number) => (a: Bytes): Bytes => seq(a, op);
const load = (op: number, align: number) => (addr: Bytes, offset = 0): Bytes => seq(addr, op, memarg(align, offset));
const store = (op: number, align: number) => (addr: Bytes, v: Bytes, offset = 0): Bytes => seq(addr, v, op, memarg(align, offset));

/** i32 instructions (comparisons give 0 or 1; `S`/`U`: signed or unsigned). */
export const i32 = {
  /** A constant: any value in [−2^31, 2^32) (unsigned values wrap to their i32 bits). */
  c: (v: number): Bytes => [0x41, ...sleb(v | 0)],
  load: load(0x28, 2), store: store(0x36, 2),
  eqz: un(0x45), eq: bin(0x46), ne: bin(0x47), ltS: bin(0x48), ltU: bin(0x49), gtS: bin(0x4a), gtU: bin(0x4b),
  leS: bin(0x4c), leU: bin(0x4d), geS: bin(0x4e), geU: bin(0x4f),
  add: bin(0x6a), sub: bin(0x6b), mul: bin(0x6c), divU: bin(0x6e), remU: bin(0x70),
  and: bin(0x71), or: bin(0x72), xor: bin(0x73), shl: bin(0x74), shrS: bin(0x75), shrU: bin(0x76),
  minS: (a: Bytes, b: Bytes): Bytes => select(a, b, i32.ltS(a, b)),
  wrapI64: un(0xa7),
};

/** The i64 instructions the float64 log uses (bit manipulation of a double). */
export const i64 = {
  c: (v: bigint): Bytes => [0x42, ...slebBig(v)],
  and: bin(0x83), or: bin(0x84), shrU: bin(0x88), reinterpretF64: un(0xbd),
};

// ── f32 / f64 ───────────────────────────────────────────────────────────────────────────────────

/** f32 instructions (min/max propagate NaN). */
export const f32 = {
  c: (v: number): Bytes => [0x43, ...f32Bytes(v)],
  load: load(0x2a, 2), store: store(0x38, 2),
  eq: bin(0x5b), ne: bin(0x5c), lt: bin(0x5d), gt: bin(0x5e), le: bin(0x5f), ge: bin(0x60),
  abs: un(0x8b), neg: un(0x8c), sqrt: un(0x91),
  add: bin(0x92), sub: bin(0x93), mul: bin(0x94), div: bin(0x95), min: bin(0x96), max: bin(0x97),
  demoteF64: un(0xb6), convertI32U: un(0xb3),
};

/** f64 instructions (min/max propagate NaN). */
export const f64 = {
  c: (v: number): Bytes => [0x44, ...f64Bytes(v)],
  load: load(0x2b, 3), store: store(0x39, 3),
  eq: bin(0x61), ne: bin(0x62), lt: bin(0x63), gt: bin(0x64), le: bin(0x65), ge: bin(0x66),
  abs: un(0x99), neg: un(0x9a), sqrt: un(0x9f),
  add: bin(0xa0), sub: bin(0xa1), mul: bin(0xa2), div: bin(0xa3), min: bin(0xa4), max: bin(0xa5),
  convertI32S: un(0xb7), convertI32U: un(0xb8), promoteF32: un(0xbb), reinterpretI64: un(0xbf),
};

/** memory.copy(dst, src, n) (bulk memory: every engine with SIMD128 has it). */
export const memoryCopy = (dst: Bytes, src: Bytes, n: Bytes): Bytes => seq(dst, src, n, 0xfc, uleb(10), 0, 0);

/** memory.fill(dst, byte, n) (bulk memory, as memoryCopy). */
export const memoryFill = (dst: Bytes, byte: Bytes, n: Bytes): Bytes => seq(dst, byte, n, 0xfc, uleb(11), 0);
