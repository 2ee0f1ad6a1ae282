import { KERNELS, MAX_STATS_THREADS } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** dst[j] = Σ_r src[r, j] over the batch's rows (reduce.wgsl `column_sums`). */
export interface ColumnSumsOptions {
  src: GPUBuffer;
  dst: GPUBuffer;
  cols: number;
}

/** stats[batch.index] = Σ_r rowStats[r] (reduce.wgsl `batch_stats`). */
export interface BatchStatsOptions {
  rowStats: GPUBuffer;
  stats: GPUBuffer;
  /** flags[0] is set when the sum is not finite (the divergence latch); null: not latched. */
  flags: GPUBuffer | null;
  /** Most rows a batch has (by default what `rowStats` holds: one [loss, correct] pair a row). */
  rows?: number;
}

/**
 * The launch of column sums (the bias gradient).
 *
 * @example
 * columnSumsRequest({ src: delta, dst: gB, cols: 10 }).entry; // 'column_sums'
 */
export function columnSumsRequest(o: ColumnSumsOptions): LaunchRequest {
  const k = KERNELS.reduce;
  return request(k, 'column_sums', { label: 'column sums', params: { cols: o.cols }, buffers: { src: o.src, dst: o.dst }, workgroups: grid1d(o.cols, k.entries.column_sums.workgroupSize[0]) });
}

/**
 * The launch of a batch's stats sum: one workgroup of up to {@link MAX_STATS_THREADS} threads,
 * no more than the batch's rows.
 *
 * @example
 * batchStatsRequest({ rowStats, stats, flags: null, rows: 10 }).constants; // { STATS_THREADS: 16 }
 */
export function batchStatsRequest(o: BatchStatsOptions): LaunchRequest {
  const rows = o.rows ?? Math.floor(o.rowStats.size / 8);
  const threads = Math.min(MAX_STATS_THREADS, pow2AtLeast(rows));
  return request(KERNELS.reduce, 'batch_stats', { label: 'batch stats', constants: { STATS_THREADS: threads }, params: null, buffers: { src: o.rowStats, dst: o.stats, flags: o.flags }, workgroups: [1, 1] });
}
