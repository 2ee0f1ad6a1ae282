/**
 * SIMD128 instructions (the 0xfd prefix, spec §5.4.8) as expression builders, for the f32x4 and
 * i32x4 shapes the kernels use. SIMD128 has no fused multiply-add (that is relaxed-simd's
 * f32x4.relaxed_madd, not available everywhere): a·b + c is a mul then an add.
 *
 * @example
 * const acc2 = f32x4.add(get(acc), f32x4.mul(v128.splat32(get(pa)), v128.load(get(pb))));
 */
import { type Bytes, f32Bytes, seq, uleb } from './encoding';
import { memarg } from './instructions';

const op = (code: number): Bytes => [0xfd, ...uleb(code)];
const bin = (code: number) => (a: Bytes, b: Bytes): Bytes => seq(a, b, op(code));
const un = (code: number) => (a: Bytes): Bytes => seq(a, op(code));

/** Whole-vector instructions: loads, stores, bitwise operations. */
export const v128 = {
  load: (addr: Bytes, offset = 0): Bytes => seq(addr, op(0x00), memarg(4, offset)),
  store: (addr: Bytes, v: Bytes, offset = 0): Bytes => seq(addr, v, op(0x0b), memarg(4, offset)),
  /** Four u16 widened to four u32 lanes. */
  load16x4U: (addr: Bytes, offset = 0): Bytes => seq(addr, op(0x04), memarg(3, offset)),
  /** One f32 (or i32) from memory in all four lanes. */
  splat32: (addr: Bytes, offset = 0): Bytes => seq(addr, op(0x09), memarg(2, offset)),
  /** One 32-bit value into lane 0, the other lanes zero. */
  load32Zero: (addr: Bytes, offset = 0): Bytes => seq(addr, op(0x5c), memarg(2, offset)),
  and: bin(0x4e), or: bin(0x50), xor: bin(0x51),
  /** Bits of `a` where `mask` is 1, of `b` where it is 0. */
  bitselect: (a: Bytes, b: Bytes, mask: Bytes): Bytes => seq(a, b, mask, op(0x52)),
  zero: (): Bytes => f32x4.c(0),
  /** Lanes of `a` then `b` picked by 16 byte indices (0–15 from a, 16–31 from b). */
  shuffle: (a: Bytes, b: Bytes, lanes: number[]): Bytes => seq(a, b, op(0x0d), lanes),
  anyTrue: un(0x53),
};

/** The upper two f32 lanes moved to the bottom (byte lanes 8–15, then 8–15 again). */
export const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/** The f64x2 instructions the float64 sums use. */
export const f64x2 = {
  splat: un(0x14),
  extract: (a: Bytes, lane: number): Bytes => seq(a, op(0x21), lane),
  add: bin(0xf0), mul: bin(0xf2),
  /** The low two f32 lanes widened to f64. */
  promoteLow: un(0x5f),
};

/** f32x4 instructions: four float32 lanes. */
export const f32x4 = {
  splat: un(0x13),
  /** A constant vector of four equal lanes. */
  c: (v: number): Bytes => seq(op(0x0c), [0, 1, 2, 3].flatMap(() => f32Bytes(v))),
  extract: (a: Bytes, lane: number): Bytes => seq(a, op(0x1f), lane),
  eq: bin(0x41), ne: bin(0x42), lt: bin(0x43), gt: bin(0x44), le: bin(0x45), ge: bin(0x46),
  floor: un(0x68),
  abs: un(0xe0), neg: un(0xe1), sqrt: un(0xe3),
  add: bin(0xe4), sub: bin(0xe5), mul: bin(0xe6), div: bin(0xe7),
  /** IEEE min / max: a NaN operand gives NaN (several instructions on x86). */
  min: bin(0xe8), max: bin(0xe9),
  /** Pseudo-max a < b ? b : a: one instruction on x86 (maxps); a NaN b gives a, as relu's z > 0 ? z : 0 does. */
  pmax: bin(0xeb),
  convertI32S: un(0xfa), convertI32U: un(0xfb),
};

/** i32x4 instructions: four 32-bit integer lanes (bit patterns of floats, too). */
export const i32x4 = {
  splat: un(0x11),
  extract: (a: Bytes, lane: number): Bytes => seq(a, op(0x1b), lane),
  shl: (a: Bytes, n: Bytes): Bytes => seq(a, n, op(0xab)),
  shrU: (a: Bytes, n: Bytes): Bytes => seq(a, n, op(0xad)),
  add: bin(0xae), sub: bin(0xb1), mul: bin(0xb5),
  truncSatF32S: un(0xf8),
  /** The low 8 bytes widened u8 → u16, then the low 4 u16 → u32. */
  extendLowU8: (a: Bytes): Bytes => seq(a, op(0x89), op(0xa9)),
};
