/**
 * The dependency rule of src/ (docs/architecture.md), checked by `npm run lint:deps` in `npm test`:
 *
 *   core  ←  cpu | gpu | wasm | streams  ←  fit  ←  model | teaching  ←  index  ←  interop
 *
 * A folder imports only from itself and the folders to its left; interop reaches the core only
 * through the public entry (src/index.ts) and the private one (src/internal.ts). No import cycles.
 *
 * Within src/gpu the subfolders are layers too (`gpuLayer`):
 *
 *   kernels  ←  train  ←  tune  ←  backend.ts  ←  tune/calibration.ts
 *
 * Of the files at src/gpu's root, usage, buffers, device and limits sit below kernels, context.ts
 * between kernels and train, and profiler, budget and device-watch serve backend.ts.
 * tune/calibration.ts, which times a whole backend for 'auto', is the one tune file above it.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-${allowed.join('-') || 'itself'}`,
  comment: `src/${name}/ may import only from ${['itself', ...allowed.map((a) => `src/${a}`)].join(', ')}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => (a.endsWith('.ts') ? `^src/${a}$` : `^src/${a}/`))] },
});

const gpuLayer = (name, above, exceptFrom = null) => ({
  name: `gpu-${name}-imports-none-of-${above.map((a) => a.replace(/\.ts$/, '')).join('-')}`,
  comment: `src/gpu/${name}/ may not import ${above.map((a) => `src/gpu/${a}`).join(', ')} (kernels ← train ← tune ← backend.ts)`,
  severity: 'error',
  from: exceptFrom ? { path: `^src/gpu/${name}/`, pathNot: exceptFrom } : { path: `^src/gpu/${name}/` },
  to: { path: above.map((a) => (a.endsWith('.ts') ? `^src/gpu/${a.replace('.', '\\.')}$` : `^src/gpu/${a}/`)) },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycles', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    layer('core', []),
    layer('cpu', ['core']),
    layer('gpu', ['core']),
    layer('streams', ['core']),
    layer('fit', ['core', 'streams']),
    layer('model', ['core', 'cpu', 'gpu', 'wasm', 'streams', 'fit']),
    layer('teaching', ['core', 'cpu']),
    layer('wasm', ['core']),
    layer('interop', ['index.ts', 'internal.ts']),
    gpuLayer('kernels', ['train', 'tune', 'backend.ts']),
    gpuLayer('train', ['tune', 'backend.ts']),
    gpuLayer('tune', ['backend.ts'], '^src/gpu/tune/calibration\\.ts$'),
    {
      name: 'nothing-imports-interop',
      comment: 'interop is its own entry (webgpu-mlp/interop): the core never imports it',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/interop/' },
      to: { path: '^src/interop/' },
    },
    {
      name: 'src-imports-no-tests-or-tools',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|demo)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.wgsl' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
