import type { Element } from './registry';

/**
 * A row-major matrix on the device: float32, float16 packed two to a word, or bytes packed four
 * to a word (values `byte·scale + offset`), split by rows over buffers (shards) that each fit one storage binding.
 * It has room for `capacity` rows (a streamed chunk may fill fewer).
 */
export interface DeviceMatrix {
  buffers: GPUBuffer[];
  shardRows: number;
  /** Words (u32) a row takes in a shard: cols for float32, ⌈cols/2⌉ for float16, ⌈cols/4⌉ for bytes. */
  rowStride: number;
  element: Element;
  scale: number;
  offset: number;
  capacity: number;
  cols: number;
}
