/**
 * How a matrix product is cut across threads: by columns of C, in parts of a whole number of
 * 16 floats (64 bytes, one cache line), so that where C's rows start on a line — every layer
 * output and delta region does (layout.ts aligns them to 64 bytes) and a row is a multiple of 16
 * floats — no two threads write the same line. Each thread packs only its own columns of B, so no
 * packing is repeated; the sum over K of each element runs in the same order as on one thread.
 * Also the sync block: the words the threads coordinate through, at a fixed address after the
 * control block.
 */
import { controlBytes } from '../control';
import { matmulScratchBytes } from '../kernels/matmul';

/** Columns per part are a multiple of this (16 floats: a 64-byte cache line). */
export const PART_COLUMNS = 16;

/** A product's cut: `parts` parts of `width` columns, the last `last` columns wide (parts = 1: not cut). */
export interface Partition {
  parts: number;
  width: number;
  last: number;
}

/**
 * The cut of an N-column product across `threads` threads.
 *
 * @example
 * partition(257, 2); // { parts: 2, width: 144, last: 113 }
 */
export function partition(N: number, threads: number): Partition {
  const width = PART_COLUMNS * Math.ceil(N / (PART_COLUMNS * threads));
  const parts = threads > 1 && N >= 2 * PART_COLUMNS ? Math.ceil(N / width) : 1;
  return parts > 1 ? { parts, width, last: N - (parts - 1) * width } : { parts: 1, width: N, last: N };
}

/** Scratch bytes each thread's share of any product among those with `columns` needs (its B panels). */
export function partScratchBytes(columns: number[], threads: number): number {
  return Math.max(...columns.map((N) => matmulScratchBytes({ N: partition(N, threads).width })));
}

/** Byte offsets within the sync block; each word the threads spin on has its own cache line. */
export const SYNC = {
  /** Bumped by the calling thread for each job it hands out. */
  gen: 0,
  /** Workers that finished the current job. */
  done: 64,
  /** The job: its product's number ({@link EXIT_JOB}: end), then the product's eight arguments. */
  job: 128,
  /** 0, or the number of the worker that died (every product then runs on the calling thread alone). */
  failed: 192,
  /** Workers ready: the caller hands out jobs only when all threads − 1 are. */
  ready: 196,
  /** Per worker t, at worker + 4·t: {@link WORKER_KILL} asks it to fail (tests of a worker dying). */
  worker: 256,
} as const;

/** The job number that ends the workers' loops. */
export const EXIT_JOB = -1;
/** A worker word asking the worker to trap at its next job, as a worker that dies would. */
export const WORKER_KILL = 1;

/** Bytes of the sync block for `threads` threads (none for one). */
export const syncBytes = (threads: number): number => (threads > 1 ? Math.ceil((SYNC.worker + 4 * threads) / 64) * 64 : 0);

/** Address of the sync block of a network of `layers` layers: right after its control block. */
export const syncAddress = (layers: number): number => controlBytes(layers);

/**
 * The threads worth starting for products with `columns` columns: `threads` when at least one of
 * them is cut, else 1 (no workers, no shared memory: the module of today).
 *
 * @example
 * usefulThreads([8, 1], 4); // 1: XOR's products are too narrow to cut
 */
export function usefulThreads(columns: number[], threads: number): number {
  return columns.some((N) => partition(N, threads).parts > 1) ? threads : 1;
}
