/**
 * Gathering a batch: the rows the plan's order names, copied from the training data as stored
 * (float32, bytes with scale and offset, or float16) into the float32 batch blocks the forward
 * pass reads, with each row's weight when the data has row weights. The stored forms are those of
 * src/core/data.ts's Dense (bytes: `bytes.data`; float16: `half`, the IEEE half bits).
 */
import { type Bytes, seq } from '../emit/encoding';
import { call, f32, forRange, get, i32, ifThen, memoryCopy, set } from '../emit/instructions';
import { type ModuleBuilder, ValType } from '../emit/module';
import { f32x4, i32x4, v128 } from '../emit/simd';
import { CTRL, FORM, TABLE } from '../control';

const I = ValType.i32;
const F = ValType.f32;

/** float16 bits (low 16 bits of each lane) → float32: the magnitude's bits shifted into place and rescaled by 2^112 (normal and subnormal halves alike), then the sign. */
function halfToFloat(h: Bytes): Bytes {
  const magnitude = f32x4.mul(i32x4.shl(v128.and(h, i32x4.splat(i32.c(0x7fff))), i32.c(13)), f32x4.c(2 ** 112));
  return v128.or(magnitude, i32x4.shl(v128.and(h, i32x4.splat(i32.c(0x8000))), i32.c(16)));
}

/**
 * Adds `rowToFloat(form, src, cols, dst, scale, offset)`: one stored row of `cols` values at `src`
 * → `cols` float32 at `dst`. Whole vectors are written, so up to 3 floats past the row are
 * overwritten (the next row, gathered after it, or the block's spare bytes).
 */
export function addRowToFloat(m: ModuleBuilder): number {
  return m.add('rowToFloat', [I, I, I, I, F, F], [], (f) => {
    const [form, src, cols, dst, scale, offset] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i));
    const j = f.local(I);
    const at = (bytesPer: number) => i32.add(get(src), i32.mul(get(j), i32.c(bytesPer)));
    const out = i32.add(get(dst), i32.mul(get(j), i32.c(4)));
    const bytes = forRange(j, i32.c(0), get(cols), 4,
      v128.store(out, f32x4.add(f32x4.mul(f32x4.convertI32U(i32x4.extendLowU8(v128.load32Zero(at(1)))), f32x4.splat(get(scale))), f32x4.splat(get(offset)))));
    const halves = forRange(j, i32.c(0), get(cols), 4, v128.store(out, halfToFloat(v128.load16x4U(at(2)))));
    return ifThen(i32.eq(get(form), i32.c(FORM.f32)), memoryCopy(get(dst), get(src), i32.mul(get(cols), i32.c(4))), ifThen(i32.eq(get(form), i32.c(FORM.u8)), bytes, halves));
  });
}

/** Bytes per stored value of a form, from its code: f32 → 4, u8 → 1, f16 → 2. */
function bytesPer(form: Bytes): Bytes {
  return i32.sub(i32.c(4), i32.add(i32.mul(i32.eq(form, i32.c(FORM.u8)), i32.c(3)), i32.mul(i32.eq(form, i32.c(FORM.f16)), i32.c(2))));
}

/**
 * Adds `gather(entry)`: the batch of table entry `entry` (its rows of the order array) into the
 * batch blocks x, y and (with row weights) sw. `inputs`/`outputs`: the network's widths.
 */
export function addGather(m: ModuleBuilder, rowToFloat: number, inputs: number, outputs: number): number {
  return m.add('gather', [I], [], (f) => {
    const entry = f.param(0);
    const [r, rows, idx, order] = [f.local(I), f.local(I), f.local(I), f.local(I)];
    const ctl = (field: number) => i32.load(i32.c(field));
    const ctlF = (field: number) => f32.load(i32.c(field));
    const row = (data: number, form: number, cols: number, block: number, scale: number, offset: number): Bytes =>
      call(rowToFloat, ctl(form), i32.add(ctl(data), i32.mul(i32.mul(get(idx), i32.c(cols)), bytesPer(ctl(form)))), i32.c(cols), i32.add(ctl(block), i32.mul(get(r), i32.c(cols * 4))), ctlF(scale), ctlF(offset));
    return seq(
      set(rows, i32.load(get(entry), TABLE.rows)),
      set(order, i32.add(ctl(CTRL.order), i32.mul(i32.load(get(entry), TABLE.orderAt), i32.c(4)))),
      forRange(r, i32.c(0), get(rows), 1,
        set(idx, i32.load(i32.add(get(order), i32.mul(get(r), i32.c(4))))),
        row(CTRL.dataX, CTRL.xForm, inputs, CTRL.x, CTRL.xScale, CTRL.xOffset),
        row(CTRL.dataY, CTRL.yForm, outputs, CTRL.y, CTRL.yScale, CTRL.yOffset),
        ifThen(ctl(CTRL.dataW), f32.store(i32.add(ctl(CTRL.sw), i32.mul(get(r), i32.c(4))), f32.load(i32.add(ctl(CTRL.dataW), i32.mul(get(idx), i32.c(4)))))),
      ),
    );
  });
}
