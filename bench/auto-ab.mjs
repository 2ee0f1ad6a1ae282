// Runs bench/auto-ab.ts in headless Chromium (the test harness's page and Vite server), from the
// repository root: node bench/auto-ab.mjs [rounds=6]
import { resolve } from 'node:path';
import { createServer } from 'vite';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.argv[2] ?? 6);
const server = await createServer({ configFile: resolve(root, 'vite.config.ts'), root, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false }, optimizeDeps: { noDiscovery: true, include: [] } });
try {
  const { openBrowser } = await server.ssrLoadModule('/test/browser/harness.ts');
  const session = await openBrowser('/test/browser/index.html');
  try {
    console.log(`mlp-demo (784-128-10, Adam, batch 64, 4096 samples), one epoch a fit, ${rounds} rounds, models alternating (${new Date().toISOString()}):`);
    for (const line of await session.run('/bench/auto-ab.ts', 'autoAgainstWasm', rounds)) console.log(line);
  } finally {
    await session.close();
  }
} finally {
  await server.close();
}
