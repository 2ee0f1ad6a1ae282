import { KERNELS, SHARDS_PER_GATHER, elementCode } from './registry';
import type { DeviceMatrix } from './device-matrix';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** dst[r, :] = src[order[start + r], :] for the batch's rows (gather.wgsl). */
export interface GatherOptions {
  order: GPUBuffer;
  /** The rows to gather from: float32, float16 or bytes, split by rows into shards. */
  src: DeviceMatrix;
  dst: GPUBuffer;
  cols: number;
  /** Most rows a batch gathers (sizes the grid). */
  rows: number;
  label?: string;
}

/**
 * The launches of one gather: one per {@link SHARDS_PER_GATHER} shards of the source.
 *
 * @example
 * gatherRequests({ order, src: X, dst: xb, cols: 784, rows: 64 }).length; // 1 for up to 4 shards
 */
export function gatherRequests(o: GatherOptions): LaunchRequest[] {
  const { src } = o;
  if (src.buffers.length < 1) throw new RangeError(`gather needs at least one source shard, got ${src.buffers.length}`);
  const k = KERNELS.gather;
  const out: LaunchRequest[] = [];
  for (let first = 0; first < src.buffers.length; first += SHARDS_PER_GATHER) {
    const label = `${o.label ?? 'gather'}${src.buffers.length > SHARDS_PER_GATHER ? ` shards ${first}..${Math.min(src.buffers.length, first + SHARDS_PER_GATHER) - 1}` : ''}`;
    const shard = (i: number) => src.buffers[first + i] ?? null;
    out.push(request(k, 'main', {
      label, constants: { ELEMENT: elementCode(src.element) },
      params: { cols: o.cols, shardRows: src.shardRows, rowStride: src.rowStride, firstShard: first, scale: src.scale, offset: src.offset },
      // one property per shard binding (SHARDS_PER_GATHER of them), written out so that the compiler checks their names
      buffers: { order: o.order, dst: o.dst, src0: shard(0), src1: shard(1), src2: shard(2), src3: shard(3) },
      workgroups: grid1d(o.rows * o.cols, k.entries.main.workgroupSize[0]),
    }));
  }
  return out;
}
