// Writes src/gpu/kernels/wgsl-modules.d.ts, the types of the `*.wgsl?kernel` imports, from
// shaders/*.wgsl (npm run typecheck runs it before tsc). With --check it writes nothing and exits
// 1 when the file is stale. The generator is TypeScript (shaders/kernel-types.ts, sharing the Vite
// plugin's reflection) and Node 20 runs no TypeScript, so it is loaded through Vite's module runner.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const { module } = await runnerImport(resolve(root, 'shaders/kernel-types.ts'), { root, configFile: false, logLevel: 'error' });
const { file, stale } = module.writeKernelTypes(root, { check });
const name = relative(root, file);
if (check && stale) {
  console.error(`${name} does not match shaders/*.wgsl: run \`node scripts/kernel-types.mjs\` (or npm run typecheck)`);
  process.exit(1);
}
console.log(stale ? `${name}: written` : `${name}: up to date`);
