/**
 * Whether this engine can run the wasm backend on several threads, and how many it has. Threads
 * need SharedArrayBuffer, which browsers give only to cross-origin-isolated pages (served with
 * COOP `same-origin` and COEP `require-corp`), and Workers; Node has both (worker_threads).
 */

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's process, when this is Node (reached through globalThis so that browser bundles import nothing of Node). */
export function nodeProcess(): NodeProcess | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return proc?.versions?.node && typeof proc.getBuiltinModule === 'function' ? proc : null;
}

/**
 * Null when threads can be used here, else why not.
 *
 * @example
 * threadsMissing(); // null in Node 20.16+; in a page without COOP/COEP: 'the page is not cross-origin isolated …'
 */
export function threadsMissing(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 'this engine has no SharedArrayBuffer';
  if (nodeProcess()) return null;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  if (g.crossOriginIsolated !== true) return 'the page is not cross-origin isolated (it needs the headers COOP same-origin and COEP require-corp)';
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') return 'this engine has no Workers';
  return null;
}

/**
 * The cores this engine reports: navigator.hardwareConcurrency, or Node's os.availableParallelism().
 *
 * @example
 * coreCount(); // 2 on the test machine
 */
export function coreCount(): number {
  const node = nodeProcess();
  if (node) {
    const os = node.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] };
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}
