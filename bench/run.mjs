// Launcher for the benchmark (npm run bench / npm run bench:node). The benchmark itself is
// TypeScript (bench/main.ts) and the library imports its shaders as reflected kernels
// (`?kernel`, the plugin in vite.config.ts), so it is loaded through a Vite server in middleware
// mode (no HTTP port), with the project's config, exactly as the tests load it.
//
// With --node, Dawn (the `webgpu` package) needs the Vulkan loader libvulkan.so.1. Where the
// system has none but Debian's Chromium ships one (with SwiftShader beside it), this launcher
// re-runs itself with that directory on LD_LIBRARY_PATH, which only takes effect at start-up.
//
// After a run that succeeded, the JSON it wrote gets the command line and the machine
// (bench/results-md.mjs recordRun) and bench/RESULTS.md is written again from bench/results*.json.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const CHROMIUM_LIB = '/usr/lib/chromium';

function systemHasVulkanLoader() {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)];
  return dirs.some((d) => existsSync(resolve(d, 'libvulkan.so.1')));
}

if (args.includes('--node') && process.platform === 'linux' && !process.env.BENCH_RELAUNCHED && !systemHasVulkanLoader() && existsSync(resolve(CHROMIUM_LIB, 'libvulkan.so.1'))) {
  const env = {
    ...process.env,
    BENCH_RELAUNCHED: '1',
    LD_LIBRARY_PATH: [CHROMIUM_LIB, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
  if (!env.VK_ICD_FILENAMES && existsSync(resolve(CHROMIUM_LIB, 'vk_swiftshader_icd.json'))) env.VK_ICD_FILENAMES = resolve(CHROMIUM_LIB, 'vk_swiftshader_icd.json');
  console.error(`bench: no system libvulkan.so.1; using ${CHROMIUM_LIB} (Chromium's Vulkan loader${env.VK_ICD_FILENAMES ? ` and ${env.VK_ICD_FILENAMES}` : ''})`);
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

const results = await import('./results-md.mjs');
const before = results.snapshotResults(args, root);
const { createServer } = await import('vite');
const server = await createServer({
  configFile: resolve(root, 'vite.config.ts'),
  root,
  logLevel: 'error',
  appType: 'custom',
  server: { middlewareMode: true, hmr: false },
  optimizeDeps: { noDiscovery: true, include: [] },
});
let code = 1;
try {
  const mod = await server.ssrLoadModule('/bench/main.ts');
  code = await mod.main(args);
} catch (e) {
  console.error(e instanceof Error ? e.stack : e);
} finally {
  await server.close();
}
if (code === 0) {
  results.recordRun(before, args, root);
  console.error(`bench: wrote ${results.writeResults()}`);
}
process.exit(code);
