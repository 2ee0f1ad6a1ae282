// Compact storage on the host side: float16 conversion (round to nearest even, subnormals, range),
// byte matrices with scale/offset, one-hot class labels kept as bytes, and the refusals.
import { describe, expect, it } from 'vitest';
import { takeRows, toDense, toTargets } from '../src/core/data';
import { float16Bits, float16Value } from '../src/core/float16';
import { resolveConfig } from '../src/core/config';

describe('float16', () => {
  it('every finite half value converts back to its own bits', () => {
    const bad: string[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue; // Infinity and NaN
      const v = float16Value(h);
      const back = float16Bits(v);
      // −0 and +0 both read back; everything else exactly
      if (back !== h && !(v === 0 && (back & 0x7fff) === 0)) bad.push(`0x${h.toString(16)} → ${v} → 0x${back.toString(16)}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('rounds to nearest, ties to even; subnormals; overflow to Infinity', () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -24, 0x0001], [2 ** -14, 0x0400], [0.1, 0x2e66], [1 / 3, 0x3555],
      [1 + 2 ** -11, 0x3c00], // a tie: to the even mantissa (down)
      [1 + 3 * 2 ** -11, 0x3c02], // a tie: to the even mantissa (up)
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // past the tie: up
      [2 ** -25, 0x0000], // half the smallest subnormal: a tie to even (zero)
      [3 * 2 ** -25, 0x0002], // 1.5 × the smallest subnormal: a tie, to even (2)
      [65520, 0x7c00], // rounds past the largest finite half
    ];
    for (const [v, bits] of cases) expect(`${v}: 0x${float16Bits(v).toString(16)}`).toBe(`${v}: 0x${bits.toString(16)}`);
  });

  it("storage: 'float16' keeps the half bits and the rounded values; refuses values beyond ±65504 by row and column", () => {
    const d = toDense({ data: [0.1, -3, 1 / 3, 1000.7], shape: [2, 2], storage: 'float16' }, 'x');
    expect(Array.from(d.half!)).toEqual([0x2e66, 0xc200, 0x3555, 0x63d1]);
    expect(Array.from(d.data)).toEqual([float16Value(0x2e66), -3, float16Value(0x3555), float16Value(0x63d1)]);
    expect(() => toDense({ data: [1, 70000], shape: [1, 2], storage: 'float16' }, 'x')).toThrow("x holds 70000 at row 0, column 1, beyond float16's range (±65504); scale the data or store it as float32");
    expect(() => toDense({ data: new Uint8Array(2), shape: [1, 2], storage: 'float16' }, 'x')).toThrow("x.storage 'float16' applies to float data; byte data is stored as bytes already");
    expect(() => toDense({ data: [1, 2], shape: [1, 2], storage: 'half' as never }, 'x')).toThrow("x.storage must be 'float32' or 'float16', got \"half\"");
    const rows = takeRows(toDense({ data: [1, 2, 3, 4, 5, 6], shape: [3, 2], storage: 'float16' }, 'x'), [2, 0], 0, 2);
    expect(Array.from(rows.data)).toEqual([5, 6, 1, 2]);
    expect(Array.from(rows.half!)).toEqual([float16Bits(5), float16Bits(6), float16Bits(1), float16Bits(2)]);
  });
});

describe('bytes', () => {
  it('Uint8Array and Uint8ClampedArray data stay bytes (no copy); values are byte·scale + offset', () => {
    const raw = Uint8ClampedArray.of(0, 128, 255, 7);
    const d = toDense({ data: raw, shape: [2, 2], scale: 1 / 255, offset: -1 }, 'x');
    expect(d.bytes!.data.buffer).toBe(raw.buffer);
    expect(Array.from(d.data)).toEqual([0, 128, 255, 7].map((b) => b / 255 - 1));
    const rows = takeRows(d, [1], 0, 1);
    expect(Array.from(rows.bytes!.data)).toEqual([255, 7]);
    expect(rows.bytes!.scale).toBe(1 / 255);
  });

  it('scale and offset are checked, and apply only to bytes', () => {
    expect(() => toDense({ data: new Uint8Array(2), shape: [1, 2], scale: NaN }, 'x')).toThrow('x.scale must be a finite number, got NaN');
    expect(() => toDense({ data: new Uint8Array(2), shape: [1, 2], offset: '1' as never }, 'x')).toThrow('x.offset must be a finite number, got "1"');
    expect(() => toDense({ data: new Uint8Array(2), shape: [1, 2], scale: 1e37 }, 'x', undefined, { float32: true })).toThrow(/x bytes scaled by 1e\+37 with offset 0 reach 2.55e\+39, beyond float32's range/);
    expect(() => toDense({ data: new Float32Array(2), shape: [1, 2], scale: 2 }, 'x')).toThrow('x.scale applies to Uint8Array or Uint8ClampedArray data (kept as bytes, scaled on use), got Float32Array data; scale float data yourself');
  });

  it('class labels of a softmax model become one-hot bytes', () => {
    const net = resolveConfig({ inputSize: 2, layers: [{ units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy' });
    const y = toTargets([2, 0, 1], net, 3);
    expect(Array.from(y.bytes!.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(y.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });
});
