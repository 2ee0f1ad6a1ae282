// In-page side of bench/wasm-matmul.ts --browser: the Node driver calls `measure` through the
// test harness (puppeteer), so the figures are the page's V8 and its wasm engine.
import { measureAll } from './wasm-measure';

/**
 * The benchmark's measurements in this page, as printable lines.
 *
 * @example
 * const lines = await session.run<string[]>('/bench/wasm-page.ts', 'measure', { reps: 5, quick: false, tilings: false, nominal: 33.5 });
 */
export function measure(options: { reps: number; quick: boolean; tilings: boolean; nominal: number | null }): Promise<string[]> {
  return measureAll(options);
}
