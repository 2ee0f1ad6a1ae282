// Runs code inside real headless Chromium (WebGPU through whatever adapter it has, SwiftShader on
// machines without a GPU), served by a Vite dev server on localhost so TypeScript and `?raw`
// shader imports work exactly as in the demo.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type ViteDevServer, createServer } from 'vite';
import { mnistFiles, wgslKernels } from '../../vite.config';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** Chromium flags: WebGPU on, quiet networking (the machine has no internet). */
export function chromiumArgs(): string[] {
  const args = [
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-webgpu-adapter=swiftshader',
    '--disable-vulkan-surface',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  if (process.env.WEBGPU_HARDWARE) args.splice(args.indexOf('--use-webgpu-adapter=swiftshader'), 1);
  return args;
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  url: string;
  /** Adapter description as the page sees it. */
  adapter: string;
  /** Imports `module` (a path from the repo root, e.g. '/test/browser/suites/kernels.ts') in the page and calls `fn(...args)`. */
  run<T>(module: string, fn: string, ...args: unknown[]): Promise<T>;
  /** Console lines and page errors seen so far. */
  log: string[];
  close(): Promise<void>;
}

/** Options for {@link openBrowser}. */
export interface OpenOptions {
  /** Dependencies Vite pre-bundles for the page (CommonJS-laden packages such as TensorFlow.js). */
  prebundle?: string[];
  /** Headers the server sends with every response (the benchmark's cross-origin-isolated page: COOP and COEP). */
  headers?: Record<string, string>;
}

/** Starts Vite and Chromium, opens `page`, and fails loudly if WebGPU has no adapter. */
export async function openBrowser(pagePath = '/test/browser/index.html', options: OpenOptions = {}): Promise<BrowserSession> {
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}. Install it (Debian: apt-get install -y chromium) or set CHROME_PATH.`);
  }
  // a cache folder of its own: two test files run at once (vite.config.ts `test.projects`), and two
  // servers writing node_modules/.vite's dependency metadata together could trip over each other
  const cacheDir = mkdtempSync(join(tmpdir(), 'webgpu-mlp-vite-'));
  const server: ViteDevServer = await createServer({
    configFile: false,
    cacheDir,
    plugins: [wgslKernels(), mnistFiles()],
    root: repoRoot,
    logLevel: 'error',
    publicDir: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, fs: { allow: [repoRoot] }, headers: options.headers },
    optimizeDeps: { noDiscovery: true, include: options.prebundle ?? [] },
  });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  const url = `http://127.0.0.1:${port}`;
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [...chromiumArgs(), `--user-data-dir=/tmp/webgpu-mlp-chromium-${process.pid}-${Date.now()}`],
    protocolTimeout: 1_800_000,
  });
  const log: string[] = [];
  const page = await browser.newPage();
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
  await page.goto(url + pagePath, { waitUntil: 'load' });
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator).gpu;
    if (!gpu) return null;
    const a = await gpu.requestAdapter();
    if (!a) return null;
    const i = a.info;
    return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unnamed adapter';
  });
  const close = async () => {
    await browser.close().catch(() => {});
    await server.close().catch(() => {});
    rmSync(cacheDir, { recursive: true, force: true });
  };
  if (!adapter) {
    await close();
    throw new Error(
      'WebGPU has no adapter in headless Chromium. Launch flags used: ' + chromiumArgs().join(' ') +
        '. On Linux without a GPU, install Debian\'s chromium (it ships SwiftShader: /usr/lib/chromium/libvk_swiftshader.so) ' +
        'and keep --enable-unsafe-webgpu --enable-features=Vulkan --use-webgpu-adapter=swiftshader; with a GPU, set WEBGPU_HARDWARE=1.',
    );
  }
  return {
    browser, page, url, adapter, log, close,
    // The page code is passed as a string: vitest rewrites `import()` inside functions it compiles.
    run: <T,>(module: string, fn: string, ...args: unknown[]) =>
      page.evaluate(
        `(async () => { const mod = await import(${JSON.stringify(module)}); return await mod[${JSON.stringify(fn)}](...${JSON.stringify(args)}); })()`,
      ) as Promise<T>,
  };
}
