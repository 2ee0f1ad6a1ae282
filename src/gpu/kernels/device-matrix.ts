import type { Element } from './registry';

/**
 * A row-major matrix on the device, split by rows over buffers (shards) that each fit one storage
 * binding: float32, float16 two to a word, or bytes four to a word (`byte·scale + offset`), with
 * room for `capacity` rows (a streamed chunk may fill fewer).
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
