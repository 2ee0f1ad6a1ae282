// The wasm backend's benchmark: its matrix products' GFLOP/s against this machine's float32
// SIMD128 peak, and training throughput against this library's CPU backend and TensorFlow.js's
// wasm backend (SIMD, one thread), in Node or (--browser) in headless Chromium through the test
// harness. Loaded through a Vite server as bench/run.mjs loads bench/main.ts (the library imports
// its shaders through Vite); from the repository root:
//
//   node --input-type=module -e "const v = await import('vite'); const s = await v.createServer({ configFile: 'vite.config.ts', root: '.', logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false }, optimizeDeps: { noDiscovery: true, include: [] } }); try { process.exitCode = await (await s.ssrLoadModule('/bench/wasm-matmul.ts')).main(process.argv.slice(1)); } finally { await s.close(); }" -- [--quick] [--browser] [--tilings]
//
// --quick: fewer repetitions; --browser: measure in headless Chromium; --tilings: the products
// under each register block and K tile instead of the rest.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { openBrowser } from '../test/browser/harness';
import { measureAll } from './wasm-measure';

/** The clock /proc/cpuinfo reports (MHz), or null. */
function cpuMHz(): number | null {
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => !['--quick', '--browser', '--tilings'].includes(a));
  if (unknown.length) {
    console.error(`unknown option ${unknown.join(', ')}: takes --quick, --browser, --tilings`);
    return 1;
  }
  const quick = args.includes('--quick');
  const mhz = cpuMHz();
  // a mul and an add per lane, two of each per cycle (two FP multiply and two FP add pipes, as on AMD Zen 4 and 5)
  const options = { reps: quick ? 2 : 5, quick, tilings: args.includes('--tilings'), nominal: mhz === null ? null : (mhz / 1000) * 4 * 2 * 2 };
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${mhz ?? '?'} MHz (/proc/cpuinfo); Node ${process.versions.node}, V8 ${process.versions.v8}`);
  if (!args.includes('--browser')) {
    for (const line of await measureAll(options)) console.log(line);
    return 0;
  }
  const session = await openBrowser('/test/browser/index.html', { prebundle: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] });
  try {
    console.log(`in headless Chromium: ${await session.page.evaluate(() => navigator.userAgent)}`);
    for (const line of await session.run<string[]>('/bench/wasm-page.ts', 'measure', options)) console.log(line);
  } finally {
    await session.close();
  }
  return 0;
}
