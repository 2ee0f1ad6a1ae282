/**
 * Packing for the matrix products (matmul.ts): copies of the operand tiles the micro-kernel
 * walks, laid out so that it reads them front to back. B's K tile becomes panels of [kc][NR]
 * floats, one per block of NR columns (zero-padded past N), whatever B's storage: rows of
 * [K, N], or columns (B given as Bᵀ, [N, K]: A·Bᵀ). A's row block becomes [kc][MR] when A is
 * stored as Aᵀ ([K, M]: Aᵀ·B). Contiguous panels also avoid the cache-set aliasing of walking a
 * column strip whose row stride is a multiple of 4 KiB (1024-wide matrices).
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, f32, forRange, get, i32, set } from '../emit/instructions';
import { v128 } from '../emit/simd';

/** What the pack loops need: the operand's storage and the tile sizes. */
export interface PackShape {
  /** Columns of B (C's width). */
  N: number;
  /** Floats per B panel row (4·NV) and A panel row (MR). */
  nr: number;
  mr: number;
  /** Row stride of the stored operand, in floats. */
  ld: number;
}

/** Locals the pack loops use. */
export interface PackLocals {
  kk: Local;
  jj: Local;
  src: Local;
  dst: Local;
}

/**
 * B tile [k0, k0 + kc) × all N columns, stored as rows ([K, N], stride `ld`) → panels at `panels`,
 * panel `jb` at jb·kc·nr floats, row kk of it at kk·nr.
 */
export function packRowsB(s: PackShape, l: PackLocals, b: Bytes, panels: Bytes, k0: Bytes, kc: Bytes): Bytes {
  const full = Math.floor(s.N / s.nr);
  const tail = s.N - full * s.nr;
  const panelBytes = i32.mul(kc, i32.c(s.nr * 4));
  const copyBlock = (jb: number | Local, width: number): Bytes => {
    const at = (lane: number) => (lane < width ? f32.load(get(l.src), lane * 4) : f32.c(0));
    const dstRow = set(l.dst, i32.add(i32.add(panels, i32.mul(typeof jb === 'number' ? i32.c(jb) : get(jb), panelBytes)), i32.mul(get(l.kk), i32.c(s.nr * 4))));
    const srcAt = set(l.src, i32.add(b, i32.mul(i32.add(i32.mul(i32.add(k0, get(l.kk)), i32.c(s.ld)), typeof jb === 'number' ? i32.c(jb * s.nr) : i32.mul(get(jb), i32.c(s.nr))), i32.c(4))));
    if (width === s.nr) return seq(dstRow, srcAt, ...Array.from({ length: s.nr / 4 }, (_, v) => v128.store(get(l.dst), v128.load(get(l.src), v * 16), v * 16)));
    return seq(dstRow, srcAt, ...Array.from({ length: s.nr }, (_, lane) => f32.store(get(l.dst), at(lane), lane * 4)));
  };
  return forRange(
    l.kk, i32.c(0), kc, 1,
    full > 0 ? forRange(l.jj, i32.c(0), i32.c(full), 1, copyBlock(l.jj, s.nr)) : [],
    tail > 0 ? copyBlock(full, tail) : [],
  );
}

/**
 * B tile [k0, k0 + kc) when B is stored as columns (Bᵀ, [N, K], stride `ld`): B(k, j) = src[j·ld + k].
 * Each source row j is read along k and scattered into column j % nr of panel ⌊j / nr⌋.
 */
export function packColsB(s: PackShape, l: PackLocals, b: Bytes, panels: Bytes, k0: Bytes, kc: Bytes): Bytes {
  const padded = Math.ceil(s.N / s.nr) * s.nr;
  const panelBytes = i32.mul(kc, i32.c(s.nr * 4));
  // dst of (j, kk): panels + ⌊j/nr⌋·kc·nr·4 + kk·nr·4 + (j % nr)·4
  const dstOf = (j: Bytes) => i32.add(i32.add(panels, i32.mul(i32.divU(j, i32.c(s.nr)), panelBytes)), i32.mul(i32.remU(j, i32.c(s.nr)), i32.c(4)));
  const copyRow = seq(
    set(l.src, i32.add(b, i32.mul(i32.add(i32.mul(get(l.jj), i32.c(s.ld)), k0), i32.c(4)))),
    set(l.dst, dstOf(get(l.jj))),
    forRange(l.kk, i32.c(0), kc, 1, f32.store(get(l.dst), f32.load(get(l.src))), set(l.src, i32.add(get(l.src), i32.c(4))), set(l.dst, i32.add(get(l.dst), i32.c(s.nr * 4)))),
  );
  const zeroRow = seq(set(l.dst, dstOf(get(l.jj))), forRange(l.kk, i32.c(0), kc, 1, f32.store(get(l.dst), f32.c(0)), set(l.dst, i32.add(get(l.dst), i32.c(s.nr * 4)))));
  return seq(forRange(l.jj, i32.c(0), i32.c(s.N), 1, copyRow), padded > s.N ? forRange(l.jj, i32.c(s.N), i32.c(padded), 1, zeroRow) : []);
}

/**
 * A row block [i0, i0 + mr) × K tile [k0, k0 + kc) when A is stored as Aᵀ ([K, M], stride `ld`):
 * panel row kk holds A(i0.., k0 + kk), the mr floats of source row k0 + kk from column i0 (read
 * as whole vectors: a partial block's extra floats are never used).
 */
export function packColsA(s: PackShape, l: PackLocals, a: Bytes, panel: Bytes, i0: Bytes, k0: Bytes, kc: Bytes): Bytes {
  const copy = s.mr % 4 === 0
    ? Array.from({ length: s.mr / 4 }, (_, v) => v128.store(get(l.dst), v128.load(get(l.src), v * 16), v * 16))
    : Array.from({ length: s.mr }, (_, r) => f32.store(get(l.dst), f32.load(get(l.src), r * 4), r * 4));
  return seq(
    set(l.src, i32.add(a, i32.mul(i32.add(i32.mul(k0, i32.c(s.ld)), i0), i32.c(4)))),
    set(l.dst, panel),
    forRange(l.kk, i32.c(0), kc, 1, ...copy, set(l.src, i32.add(get(l.src), i32.c(s.ld * 4))), set(l.dst, i32.add(get(l.dst), i32.c(s.mr * 4)))),
  );
}
