import type { Dense } from '../../core/data';
import type { GpuContext } from '../context';
import { bindingLimit, checkFits } from '../limits';
import type { Element } from '../kernels/registry';
import type { DeviceMatrix } from '../kernels/device-matrix';
import { USAGE } from '../usage';

const STORAGE = USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC;
/** Rows packed and written at a time when byte rows need padding (bounds the host copy). */
const PACK_ROWS = 16384;

/** How a matrix of `rows × cols` in `element` form is laid out over shards. */
export interface MatrixLayout {
  element: Element;
  rowStride: number;
  shardRows: number;
  shards: number;
  /** Device bytes all shards take. */
  bytes: number;
}

/** The element form `d` keeps on the device: bytes or float16 when it has them, else float32. */
export const elementOf = (d: Pick<Dense, 'bytes' | 'half'>): Element => (d.bytes ? 'u8' : d.half ? 'f16' : 'f32');

/** Elements a u32 word holds in each form. */
const PER_WORD: Record<Element, number> = { f32: 1, f16: 2, u8: 4 };

/**
 * The shard layout of `rows × cols` values stored as `element`; throws (naming `what`, one row's
 * bytes and the limit) when not even one row fits a storage binding.
 *
 * @example
 * matrixLayout(ctx, 'training inputs', 60000, 784, 'u8'); // { rowStride: 196, shards: 1, bytes: 47040000, … }
 */
export function matrixLayout(ctx: GpuContext, what: string, rows: number, cols: number, element: Element): MatrixLayout {
  const limit = bindingLimit(ctx.device, ctx.maxBindingBytes);
  const rowStride = Math.ceil(cols / PER_WORD[element]);
  const perShard = Math.floor(limit / (rowStride * 4));
  if (perShard < 1) {
    throw new RangeError(`${what}: one row is ${rowStride * 4} bytes (${cols} ${{ u8: 'bytes', f16: 'float16', f32: 'float32' }[element]}${element === 'f32' ? '' : ', padded to words'}), more than a storage binding of ${limit} bytes (maxStorageBufferBindingSize) holds`);
  }
  const shardRows = Math.min(perShard, Math.max(1, rows));
  const shards = Math.ceil(Math.max(1, rows) / shardRows);
  return { element, rowStride, shardRows, shards, bytes: Math.max(1, rows) * rowStride * 4 };
}

/**
 * Allocates room for `capacity` rows of `cols` values in `element` form (nothing written).
 *
 * @example
 * const X = allocateMatrix(ctx, 'stream inputs', 4096, 784, 'u8', 1 / 255, 0);
 */
export function allocateMatrix(ctx: GpuContext, label: string, capacity: number, cols: number, element: Element, scale = 1, offset = 0): DeviceMatrix {
  const layout = matrixLayout(ctx, label, capacity, cols, element);
  const buffers: GPUBuffer[] = [];
  try {
    for (let s = 0; s < layout.shards; s++) {
      const first = s * layout.shardRows;
      const rows = Math.min(layout.shardRows, Math.max(1, capacity) - first);
      buffers.push(ctx.buffers.create(`${label} rows ${first}..${first + rows - 1}`, rows * layout.rowStride * 4, STORAGE));
    }
  } catch (e) {
    for (const b of buffers) ctx.buffers.destroy(b);
    throw e;
  }
  return { buffers, shardRows: layout.shardRows, rowStride: layout.rowStride, element, scale, offset, capacity, cols };
}

/**
 * Writes `d`'s rows into `M` from row `at` (queued: it lands after the work submitted before it).
 * `d` must match `M`'s columns and form (bytes with the same scale and offset, or float).
 *
 * @example
 * writeMatrix(ctx, X, chunk, 0);
 */
export function writeMatrix(ctx: GpuContext, M: DeviceMatrix, d: Dense, at = 0): void {
  if (d.cols !== M.cols || elementOf(d) !== M.element || at + d.rows > M.capacity) {
    throw new Error(`writeMatrix: ${d.rows}×${d.cols} ${elementOf(d)} rows at ${at} do not fit ${M.capacity}×${M.cols} ${M.element}`);
  }
  const q = ctx.device.queue;
  for (let r = at; r < at + d.rows; ) {
    const shard = Math.floor(r / M.shardRows);
    const local = r - shard * M.shardRows;
    const rows = Math.min(at + d.rows - r, M.shardRows - local);
    const from = r - at;
    if (M.element === 'f32') {
      const src = d.data instanceof Float32Array ? d.data.subarray(from * d.cols, (from + rows) * d.cols) : Float32Array.from(d.data.subarray(from * d.cols, (from + rows) * d.cols));
      q.writeBuffer(M.buffers[shard], local * M.rowStride * 4, src.buffer, src.byteOffset, src.byteLength);
    } else {
      const src = M.element === 'u8' ? d.bytes!.data : new Uint8Array(d.half!.buffer, d.half!.byteOffset, d.half!.byteLength);
      writePacked(q, M, shard, local, src, from, rows);
    }
    r += rows;
  }
}

/** Packed rows [from, from + rows) (bytes, or float16 as their bytes) into shard `shard` at row `local`: as they are when rows are whole words, else padded. */
function writePacked(q: GPUQueue, M: DeviceMatrix, shard: number, local: number, src: Uint8Array, from: number, rows: number): void {
  const cols = M.cols * (M.element === 'f16' ? 2 : 1); // bytes a row
  const stride = M.rowStride * 4;
  if (cols === stride) {
    q.writeBuffer(M.buffers[shard], local * stride, src.buffer, src.byteOffset + from * cols, rows * cols);
    return;
  }
  for (let r0 = 0; r0 < rows; r0 += PACK_ROWS) {
    const n = Math.min(PACK_ROWS, rows - r0);
    const padded = new Uint8Array(n * stride);
    for (let r = 0; r < n; r++) padded.set(src.subarray((from + r0 + r) * cols, (from + r0 + r + 1) * cols), r * stride);
    q.writeBuffer(M.buffers[shard], (local + r0) * stride, padded);
  }
}

/**
 * Uploads `d` as it is stored (float32, float16 or its bytes), in as many shards as its size needs.
 *
 * @example
 * const X = uploadMatrix(ctx, 'training inputs', { data, rows: 60000, cols: 784 });
 */
export function uploadMatrix(ctx: GpuContext, label: string, d: Dense): DeviceMatrix {
  const M = allocateMatrix(ctx, label, d.rows, d.cols, elementOf(d), d.bytes?.scale ?? 1, d.bytes?.offset ?? 0);
  writeMatrix(ctx, M, d, 0);
  return M;
}

/** Device bytes a data set of `x`, `y` takes for `purpose`: its inputs, its targets, and one sample order. */
export function dataBytes(ctx: GpuContext, x: Dense, y: Dense, purpose: 'training' | 'inference'): { inputs: number; targets: number; total: number } {
  const inputs = matrixLayout(ctx, `${purpose} inputs`, x.rows, x.cols, elementOf(x)).bytes;
  const targets = matrixLayout(ctx, `${purpose} targets`, y.rows, y.cols, elementOf(y)).bytes;
  return { inputs, targets, total: inputs + targets + x.rows * 4 };
}

/** Checks every buffer a data set of `x.rows` rows in batches of `rows` needs, before allocating any. */
export function checkDataFits(ctx: GpuContext, x: Dense, y: Dense, rows: number, purpose: 'training' | 'inference'): void {
  matrixLayout(ctx, `${purpose} inputs`, x.rows, x.cols, elementOf(x));
  matrixLayout(ctx, `${purpose} targets`, y.rows, y.cols, elementOf(y));
  checkFits(ctx.device, 'batch activations of layer', ctx.net.layers.map((l) => rows * l.units), ctx.maxBindingBytes);
  checkFits(ctx.device, 'input batch', [rows * ctx.net.inputSize], ctx.maxBindingBytes);
  checkFits(ctx.device, 'sample order', [x.rows], ctx.maxBindingBytes);
}
