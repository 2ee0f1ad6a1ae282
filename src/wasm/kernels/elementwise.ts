/**
 * The step's small kernels around the products: inverted dropout with src/core/dropout-mask.ts's
 * mask (the same PCG hash in 32-bit integer arithmetic, so this backend drops exactly the units
 * the CPU and WebGPU paths drop), bias gradients (column sums of a delta), and Σ W² and Σ|W| over
 * a parameter set's weights (the L2 and L1 terms).
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, f32, f64, forRange, get, i32, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { HIGH_HALF, f32x4, f64x2, v128 } from '../emit/simd';
import { dropoutThreshold } from '../../core/dropout-mask';
import type { NetShape } from '../shape';

const I = ValType.i32;

/** PCG hash of a u32 (dropout-mask.ts's pcgHash), wrapping i32 arithmetic; `s` is a scratch local. */
export function pcg(v: Bytes, s: Local): Bytes {
  const state = set(s, i32.add(i32.mul(v, i32.c(747796405)), i32.c(2891336453)));
  const word = i32.mul(i32.xor(i32.shrU(get(s), i32.add(i32.shrU(get(s), i32.c(28)), i32.c(4))), get(s)), i32.c(277803737));
  return seq(state, set(s, word), i32.xor(i32.shrU(get(s), i32.c(22)), get(s)));
}

/**
 * Adds `dropout{l}(act, dropped, factors, key, rows)` for layer `l` (rate p, `units` wide): factor
 * 1/(1 − p) where pcg(pcg(key ^ l) ^ i) ≥ the threshold, else 0; dropped = act · factor.
 */
export function addDropout(m: ModuleBuilder, l: number, rate: number, units: number): number {
  const threshold = dropoutThreshold(rate);
  const scale = 1 / (1 - rate);
  return m.add(`dropout${l}`, [I, I, I, I, I], [], (f) => {
    const [act, dropped, factors, key, rows] = [0, 1, 2, 3, 4].map((i) => f.param(i));
    const [i, base, s, q] = [f.local(I), f.local(I), f.local(I), f.local(I)];
    const fac = f.local(ValType.f32);
    return seq(
      set(base, pcg(i32.xor(get(key), i32.c(l)), s)),
      forRange(i, i32.c(0), i32.mul(get(rows), i32.c(units)), 1,
        set(q, i32.mul(get(i), i32.c(4))),
        set(fac, f32.mul(f32.c(scale), f32.convertI32U(i32.geU(pcg(i32.xor(get(base), get(i)), s), i32.c(threshold))))),
        f32.store(i32.add(get(factors), get(q)), get(fac)),
        f32.store(i32.add(get(dropped), get(q)), f32.mul(f32.load(i32.add(get(act), get(q))), get(fac))),
      ),
    );
  });
}

/**
 * Adds `biasGrad{name}(delta, rows, out)`: out[j] = Σ_r delta[r, j] for a [rows, units] delta
 * (whole vectors, then the last units one at a time: the padding after `out` stays 0).
 */
export function addBiasGrad(m: ModuleBuilder, name: string, units: number): number {
  const quads = Math.floor(units / 4) * 4;
  return m.add(`biasGrad${name}`, [I, I, I], [], (f) => {
    const [delta, rows, out] = [0, 1, 2].map((i) => f.param(i));
    const [r, j, row] = [f.local(I), f.local(I), f.local(I)];
    const at = (base: Local) => i32.add(get(base), i32.mul(get(j), i32.c(4)));
    return seq(
      forRange(j, i32.c(0), i32.c(units), 1, f32.store(at(out), f32.c(0))),
      forRange(r, i32.c(0), get(rows), 1,
        set(row, i32.add(get(delta), i32.mul(get(r), i32.c(units * 4)))),
        quads > 0 ? forRange(j, i32.c(0), i32.c(quads), 4, v128.store(at(out), f32x4.add(v128.load(at(out)), v128.load(at(row))))) : [],
        quads < units ? forRange(j, i32.c(quads), i32.c(units), 1, f32.store(at(out), f32.add(f32.load(at(out)), f32.load(at(row))))) : [],
      ),
    );
  });
}

/** acc += the four lanes of `v` squared, widened to f64 (two f64x2 adds). */
export function addSquares(acc: Local, v: Local): Bytes {
  const sq = f32x4.mul(get(v), get(v));
  return set(acc, f64x2.add(f64x2.add(get(acc), f64x2.promoteLow(sq)), f64x2.promoteLow(v128.shuffle(sq, sq, HIGH_HALF))));
}

/** acc += the four lanes of |v|, widened to f64. */
function addAbs(acc: Local, v: Local): Bytes {
  const abs = f32x4.abs(get(v));
  return set(acc, f64x2.add(f64x2.add(get(acc), f64x2.promoteLow(abs)), f64x2.promoteLow(v128.shuffle(abs, abs, HIGH_HALF))));
}

/** Adds `sumSquares(set) → f64`: Σ W² over every weight segment of the parameter set at `set` (padding is 0). */
export function addSumSquares(m: ModuleBuilder, shape: NetShape): number {
  return addWeightSum(m, shape, 'sumSquares', addSquares);
}

/** Adds `sumAbs(set) → f64`: Σ|W| over every weight segment of the parameter set at `set` (padding is 0). */
export function addSumAbs(m: ModuleBuilder, shape: NetShape): number {
  return addWeightSum(m, shape, 'sumAbs', addAbs);
}

/** Adds `name(set) → f64`: `accumulate` over every weight vector of the parameter set at `set`, summed in f64. */
function addWeightSum(m: ModuleBuilder, shape: NetShape, name: string, accumulate: (acc: Local, v: Local) => Bytes): number {
  return m.add(name, [I], [ValType.f64], (f) => {
    const base = f.param(0);
    const q = f.local(I);
    const [acc, v] = [f.local(ValType.v128), f.local(ValType.v128)];
    // byte offsets within the segment count up (not pointers: a signed compare of addresses past 2 GiB would stop early)
    const loops = shape.segments.filter((s) => s.kind === 'weights').map((s) =>
      forRange(q, i32.c(0), i32.c(s.padded * 4), 16, set(v, v128.load(i32.add(get(base), get(q)), s.at * 4)), accumulate(acc, v)),
    );
    return seq(set(acc, f64x2.splat(f64.c(0))), ...loops, f64.add(f64x2.extract(get(acc), 0), f64x2.extract(get(acc), 1)));
  });
}
