// The JS heap in use after full garbage collections, for the Node tests that assert a flat heap.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Bytes of JS heap in use after two full collections.
 *
 * @example
 * const before = heapUsed(); run(); expect(heapUsed() - before).toBeLessThan(1e6);
 */
export function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
