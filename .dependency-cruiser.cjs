/**
 * The dependency rule of src/ (docs/architecture.md), checked by `npm run lint:deps` in `npm test`:
 *
 *   core  ←  cpu | gpu | wasm | streams  ←  fit  ←  model | teaching  ←  index  ←  interop
 *
 * A folder imports only from itself and the folders to its left; interop reaches the core only
 * through the public entry (src/index.ts) and the private one (src/internal.ts). No import cycles.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-${allowed.join('-') || 'itself'}`,
  comment: `src/${name}/ may import only from ${['itself', ...allowed.map((a) => `src/${a}`)].join(', ')}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => (a.endsWith('.ts') ? `^src/${a}$` : `^src/${a}/`))] },
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
