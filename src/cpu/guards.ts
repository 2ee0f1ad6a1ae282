// The CPU backend's guards: the error a disposed backend throws, and the finiteness check of its state.
/**
 * Thrown when a disposed CPU backend is used (the model turns it into its "disposed" error).
 *
 * @example
 * try { await cpu.predict(x); } catch (e) { if (e instanceof CpuDisposedError) console.log('disposed'); }
 */
export class CpuDisposedError extends Error {
  constructor() {
    super('the CPU backend was disposed');
    this.name = 'CpuDisposedError';
  }
}

/**
 * True when every value of `arrays` is finite (one pass, no branches: x·0 is NaN only for
 * ±Infinity and NaN).
 *
 * @example
 * allFinite([Float64Array.of(1, Infinity)]); // false
 */
export function allFinite(arrays: Float64Array[]): boolean {
  let z = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) z += a[i] * 0;
  return z === 0;
}
