/**
 * The worker threads' source, carried in the bundle as a string: browsers start it from a Blob
 * URL and Node's worker_threads from the string itself (`eval: true`), so the library stays one
 * ES module with no worker file to locate. A worker gets the network's compiled module (the same
 * bytes the calling thread runs) and the shared memory, instantiates it and runs `work(t)` until
 * told to end; if that traps, it records its number in the sync block's `failed` word (the
 * caller stops waiting for it) and reports the error.
 */

/** The message that starts worker `t`: the module, the memory, and the failed word's index in 32-bit words. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  t: number;
  failedWord: number;
}

/** What a worker posts: that it started (`started`), or the error that ended it. */
export type WorkerNote = { started: true } | { error: string };

/**
 * The source of a worker: a plain script that is also a valid ES module (Node runs an eval worker
 * as a module when the process was started with --input-type=module, where `require` is missing:
 * it reaches worker_threads through process.getBuiltinModule, as support.ts does).
 */
export const WORKER_SOURCE = `'use strict';
const port = typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:worker_threads').parentPort : self;
const receive = (handler) => (port.once ? port.once('message', handler) : (self.onmessage = (e) => handler(e.data)));
receive((start) => {
  const fail = (e) => {
    const words = new Int32Array(start.memory.buffer);
    Atomics.store(words, start.failedWord, start.t);
    port.postMessage({ error: String((e && e.message) || e) });
  };
  let instance;
  try {
    instance = new WebAssembly.Instance(start.module, { env: { memory: start.memory, mark: () => {} } });
  } catch (e) {
    fail(e);
    return;
  }
  port.postMessage({ started: true });
  try {
    instance.exports.work(start.t);
  } catch (e) {
    fail(e);
  }
});
`;
