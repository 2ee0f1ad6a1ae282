import type { Dense } from '../data';
import type { GpuContext } from './context';
import { bindingLimit, checkFits } from './limits';
import { MAX_SHARDS } from './registry';

/** A row-major matrix on the device, split by rows over buffers that each fit one storage binding. */
export interface DeviceMatrix {
  buffers: GPUBuffer[];
  shardRows: number;
}

/**
 * Rows per shard for `d` split over storage bindings; throws (naming `what`, its size and the
 * limit) when even {@link MAX_SHARDS} bindings cannot hold it.
 */
export function shardRows(ctx: GpuContext, what: string, d: Dense): number {
  const limit = bindingLimit(ctx.device, ctx.maxBindingBytes);
  const perShard = Math.floor(limit / (d.cols * 4));
  if (perShard < 1 || Math.ceil(d.rows / perShard) > MAX_SHARDS) {
    throw new RangeError(`${what} are ${d.rows * d.cols * 4} bytes (${d.rows} rows × ${d.cols} float32), more than ${MAX_SHARDS} storage bindings of ${limit} bytes (maxStorageBufferBindingSize) can hold`);
  }
  return perShard;
}

/**
 * Uploads `d` as float32, in as many shards as its size needs.
 *
 * @example
 * const X = uploadMatrix(ctx, 'training inputs', { data, rows: 60000, cols: 784 });
 */
export function uploadMatrix(ctx: GpuContext, label: string, d: Dense): DeviceMatrix {
  const perShard = shardRows(ctx, label, d);
  const buffers: GPUBuffer[] = [];
  for (let first = 0; first < d.rows; first += perShard) {
    const rows = Math.min(perShard, d.rows - first);
    buffers.push(ctx.buffers.upload(`${label} rows ${first}..${first + rows - 1}`, d.data.subarray(first * d.cols, (first + rows) * d.cols)));
  }
  return { buffers, shardRows: perShard };
}

/** Checks every buffer a data set of `x.rows` rows in batches of `rows` needs, before allocating any. */
export function checkDataFits(ctx: GpuContext, x: Dense, y: Dense, rows: number, purpose: 'training' | 'inference'): void {
  shardRows(ctx, `${purpose} inputs`, x);
  shardRows(ctx, `${purpose} targets`, y);
  checkFits(ctx.device, 'batch activations of layer', ctx.net.layers.map((l) => rows * l.units), ctx.maxBindingBytes);
  checkFits(ctx.device, 'input batch', [rows * ctx.net.inputSize], ctx.maxBindingBytes);
  checkFits(ctx.device, 'sample order', [x.rows], ctx.maxBindingBytes);
}
