/**
 * The worker threads of one wasm backend: started from the bundled worker source (a Blob URL in
 * browsers, worker_threads in Node), each given the compiled module and the shared memory; ready
 * once every worker has entered its job loop (the sync block's `ready` word). Ending the pool
 * hands out the end job, then terminates the workers.
 */
import { EXIT_JOB, SYNC, WORKER_KILL } from './partition';
import { WORKER_SOURCE, type WorkerNote, type WorkerStart } from './worker-source';
import { nodeProcess } from './support';

/** How long (ms) the workers may take to start before the pool gives up. */
const START_MS = 30_000;

/** A browser Worker or a Node worker_threads Worker, as the pool uses them. */
interface Thread {
  post(start: WorkerStart): void;
  end(): Promise<void>;
}

interface NodeWorker {
  postMessage(m: unknown): void;
  on(event: 'message' | 'error' | 'exit', f: (v: never) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

let workerUrl: string | undefined;

/** Starts one thread running the worker source; `note` hears what it posts and its errors, `exited` its end. */
function startThread(note: (n: WorkerNote) => void, exited: () => void): Thread {
  const node = nodeProcess();
  if (node) {
    const { Worker } = node.getBuiltinModule?.('node:worker_threads') as { Worker: new (src: string, o: { eval: boolean }) => NodeWorker };
    const w = new Worker(WORKER_SOURCE, { eval: true });
    // a backend that is never disposed must not keep the process alive
    w.unref();
    w.on('message', (n: WorkerNote) => note(n));
    w.on('error', (e: Error) => note({ error: e.message }));
    w.on('exit', (code: number) => {
      note({ error: `exited with code ${code}` });
      exited();
    });
    return { post: (s) => w.postMessage(s), end: async () => void (await w.terminate()) };
  }
  // one Blob URL per page, never revoked: revoking it right after `new Worker` can race the worker's fetch of it
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(workerUrl);
  w.onmessage = (e: MessageEvent<WorkerNote>) => note(e.data);
  w.onerror = (e: ErrorEvent) => note({ error: e.message });
  return {
    post: (s) => w.postMessage(s),
    end: async () => {
      w.terminate();
      exited();
    },
  };
}

/** A backend's workers; see the file's comment. */
export class WorkerPool {
  private readonly threads: Thread[] = [];
  /** The first error each worker reported, by worker number. */
  readonly errors = new Map<number, string>();
  private ended = false;
  /** Workers whose threads have not ended. */
  running = 0;

  private constructor(private readonly memory: WebAssembly.Memory, private readonly sync: number, readonly size: number) {}

  private words(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  private word(offset: number): number {
    return (this.sync + offset) / 4;
  }

  /**
   * Starts `size` − 1 workers on `module` over the shared `memory` (sync block at `sync`) and
   * resolves once all are in their job loops; rejects naming a worker that failed to start.
   *
   * @example
   * const pool = await WorkerPool.start(program.module, mem.memory, 2, syncAddress(net.layers.length));
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, size: number, sync: number): Promise<WorkerPool> {
    const pool = new WorkerPool(memory, sync, size);
    const words = pool.words();
    for (const offset of [SYNC.ready, SYNC.failed, SYNC.done]) Atomics.store(words, pool.word(offset), 0);
    for (let t = 1; t < size; t++) Atomics.store(words, pool.word(SYNC.worker + 4 * t), 0);
    for (let t = 1; t < size; t++) {
      const thread = startThread(
        (n) => {
          if ('error' in n && !pool.errors.has(t)) pool.errors.set(t, n.error);
        },
        () => pool.running--,
      );
      pool.running++;
      pool.threads.push(thread);
      thread.post({ module, memory, t, failedWord: pool.word(SYNC.failed) });
    }
    const deadline = Date.now() + START_MS;
    while (Atomics.load(pool.words(), pool.word(SYNC.ready)) < size - 1) {
      const failed = [...pool.errors].find(([t]) => t > 0);
      if (failed || Date.now() > deadline) {
        await pool.end();
        throw new Error(`wasm worker thread ${failed?.[0] ?? '?'} of ${size - 1} did not start: ${failed?.[1] ?? `not ready after ${START_MS} ms`}`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    return pool;
  }

  /** Jobs handed out to the workers so far. */
  get jobs(): number {
    return Atomics.load(this.words(), this.word(SYNC.gen));
  }

  /** The worker that died (its number, from 1), or 0. */
  get failed(): number {
    return this.ended ? 0 : Atomics.load(this.words(), this.word(SYNC.failed));
  }

  /** The error of the worker that died, naming it (its own message follows the failed word: it is awaited up to a second). */
  async failure(): Promise<Error> {
    const t = this.failed;
    for (let i = 0; i < 100 && !this.errors.has(t); i++) await new Promise((r) => setTimeout(r, 10));
    return new Error(`wasm worker thread ${t} of ${this.size - 1} died during the batch: ${this.errors.get(t) ?? 'no message'}; the model holds the state after the last completed step`);
  }

  /** Asks worker `t` to trap at its next job, as a worker that dies would (for tests of that path). */
  kill(t: number): void {
    if (!(Number.isInteger(t) && t >= 1 && t < this.size)) throw new RangeError(`kill: worker ${t} is not one of 1…${this.size - 1}`);
    Atomics.store(this.words(), this.word(SYNC.worker + 4 * t), WORKER_KILL);
  }

  /** Ends the workers: the end job, then termination; afterwards every product runs on the calling thread. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const words = this.words();
    Atomics.store(words, this.word(SYNC.ready), 0);
    Atomics.store(words, this.word(SYNC.job), EXIT_JOB);
    Atomics.add(words, this.word(SYNC.gen), 1);
    Atomics.notify(words, this.word(SYNC.gen));
    await Promise.all(this.threads.map((t) => t.end()));
    Atomics.store(words, this.word(SYNC.failed), 0);
    Atomics.store(words, this.word(SYNC.done), 0);
  }
}
