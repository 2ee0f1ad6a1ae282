// IEEE 754 half precision (float16) codec: what `storage: 'float16'` stores, two values to a
// 32-bit word, unpacked on the GPU with WGSL's `unpack2x16float`.

/**
 * Largest finite float16.
 *
 * @example
 * Math.abs(v) <= FLOAT16_MAX; // v fits float16 storage
 */
export const FLOAT16_MAX = 65504;

/** One float32 and its bits, reused by {@link float16Bits} (called once per value converted). */
const SCRATCH_F32 = new Float32Array(1);
const SCRATCH_U32 = new Uint32Array(SCRATCH_F32.buffer);

/**
 * The IEEE float16 bits of `v` (round to nearest, ties to even; ±Infinity beyond the range).
 *
 * @example
 * float16Bits(1); // 0x3c00
 */
export function float16Bits(v: number): number {
  SCRATCH_F32[0] = v;
  const x = SCRATCH_U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half (or zero): shift the mantissa with its implicit bit, rounding to nearest even
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // round to nearest even (a carry into the exponent is the right result, up to Infinity)
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? 1 : 0));
}

/**
 * The value of float16 bits `h`.
 *
 * @example
 * float16Value(0x3c00); // 1
 */
export function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
