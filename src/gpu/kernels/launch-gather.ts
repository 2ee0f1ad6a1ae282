import { KERNELS, SHARDS_PER_GATHER, elementCode } from './registry';
import type { DeviceMatrix } from './device-matrix';
import { type LaunchRequest, grid1d } from './launch-request';

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
    const srcs: Record<string, GPUBuffer | null> = {};
    for (let i = 0; i < SHARDS_PER_GATHER; i++) srcs[`src${i}`] = src.buffers[first + i] ?? null;
    const label = `${o.label ?? 'gather'}${src.buffers.length > SHARDS_PER_GATHER ? ` shards ${first}..${Math.min(src.buffers.length, first + SHARDS_PER_GATHER) - 1}` : ''}`;
    out.push({
      label, kernel: k, entry: 'main', constants: { ELEMENT: elementCode(src.element) },
      params: { cols: o.cols, shardRows: src.shardRows, rowStride: src.rowStride, firstShard: first, scale: src.scale, offset: src.offset },
      buffers: { order: o.order, dst: o.dst, ...srcs },
      workgroups: grid1d(o.rows * o.cols, k.entries.main.workgroupSize[0]),
    });
  }
  return out;
}
