import { defineConfig } from 'vite';
import { resolve } from 'node:path';

const here = import.meta.dirname;

/**
 * - `vite` (npm run demo): serves the demo page from demo/.
 * - `vite build --mode lib`: builds the library into dist/ (ESM, shaders inlined).
 * - vitest: runs test/ in Node; browser tests start their own Vite server and Chromium.
 */
export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    return {
      build: {
        outDir: resolve(here, 'dist'),
        emptyOutDir: true,
        sourcemap: true,
        lib: { entry: resolve(here, 'src/index.ts'), formats: ['es'], fileName: () => 'webgpu-mlp.js' },
      },
    };
  }
  return {
    root: process.env.VITEST ? here : resolve(here, 'demo'),
    publicDir: false,
    server: { fs: { allow: [here] }, port: 5173 },
    worker: { format: 'es' },
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
