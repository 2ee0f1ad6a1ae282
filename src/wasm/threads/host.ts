/**
 * A wasm backend's threads, host side: how many it runs on (the `threads` create option, else
 * every core; one where the engine cannot share memory, or where no product of the network is
 * wide enough to cut), and its worker pool, started at the first training call (a backend that
 * only predicts starts none) and again after a worker died.
 */
import type { NetSpec } from '../../core/config';
import type { Program } from '../program';
import { WorkerPool } from './pool';
import { syncAddress, usefulThreads } from './partition';
import { coreCount, threadsMissing } from './support';

/** The wasm backend's create options. */
export interface WasmOptions {
  /** Threads to split the large products across; default: every core. 1: one thread. Where SharedArrayBuffer is missing, always 1. */
  threads?: number;
}

/**
 * Threads for `net` under `requested` (validated: a whole number ≥ 1), and why, when fewer.
 *
 * @example
 * resolveThreads(net, 4); // { threads: 4, note: null } in Node for a 784-128-10 network
 */
export function resolveThreads(net: NetSpec, requested: number | undefined): { threads: number; note: string | null } {
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1 && requested <= 256)) {
    throw new RangeError(`wasm threads must be a whole number from 1 to 256, got ${requested}`);
  }
  const want = requested ?? coreCount();
  if (want === 1) return { threads: 1, note: null };
  const missing = threadsMissing();
  if (missing) return { threads: 1, note: `one thread: ${missing}` };
  const threads = usefulThreads(net.layers.map((l) => l.units), want);
  return { threads, note: threads === 1 ? 'one thread: no product of this network is wide enough to split' : null };
}

/** The backend's worker pool, started when first needed; see the file's comment. */
export class ThreadHost {
  private started: Promise<WorkerPool> | null = null;
  private current: WorkerPool | null = null;
  /** Why the workers could not start (the backend then runs on one thread), or null. */
  startFailure: string | null = null;

  constructor(private readonly program: Program, private readonly memory: WebAssembly.Memory) {}

  /** Threads the products run on. */
  get count(): number {
    return this.startFailure ? 1 : this.program.threads;
  }

  /** The running pool (null before the first training call and after dispose). */
  get pool(): WorkerPool | null {
    return this.current;
  }

  /**
   * Starts the workers if they are not running. Where they cannot start (a Content-Security-Policy
   * without `worker-src blob:`, say), every product runs on the calling thread from then on: one
   * thread, as where memory cannot be shared, with the reason in {@link startFailure}.
   */
  async ready(): Promise<void> {
    if (this.count < 2) return;
    this.started ??= WorkerPool.start(this.program.module, this.memory, this.program.threads, syncAddress(this.program.shape.net.layers.length));
    try {
      this.current = await this.started;
    } catch (e) {
      this.started = null;
      this.startFailure = `one thread: the workers did not start (${(e as Error).message})`;
    }
  }

  /** The error naming the worker that died; ends the pool, so that the next training call starts fresh workers. */
  async failure(): Promise<Error> {
    const pool = this.current;
    if (!pool) return new Error('a wasm worker thread died, but no pool was running');
    const error = await pool.failure();
    await this.end();
    return error;
  }

  /** Ends the workers (dispose, or after a worker died). */
  async end(): Promise<void> {
    const pool = this.current;
    this.current = null;
    this.started = null;
    if (pool) await pool.end();
  }
}
