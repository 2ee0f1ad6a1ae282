// The built library (dist/webgpu-mlp.js, as `npm run build` makes it) embedded in a plain HTML
// page with no framework and no bundler, served as static files: XOR trained on WebGPU in the
// page, and again in a module Web Worker (the worker recipe of docs/workers.md).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, repoRoot } from './browser/harness';
import { expectXorPredictions } from './xor-check';

const bundle = resolve(repoRoot, 'dist/webgpu-mlp.js');
const MIME: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };
/** Only these are served: the build output and the two embedding fixtures. */
const SERVED = [resolve(repoRoot, 'dist') + sep, resolve(repoRoot, 'test/browser/embed.html'), resolve(repoRoot, 'test/browser/embed-worker.js')];

let server: Server;
let browser: Browser;
let page: Page;
let origin: string;
const log: string[] = [];

/** The newest modification time under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(async () => {
  if (!existsSync(bundle)) {
    console.log('dist/webgpu-mlp.js is missing: running npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  } else if (newest(resolve(repoRoot, 'src')) > statSync(bundle).mtimeMs || newest(resolve(repoRoot, 'shaders')) > statSync(bundle).mtimeMs) {
    console.warn('note: dist/webgpu-mlp.js is older than src/ or shaders/; `npm test` rebuilds it first, or run `npm run build`');
  }
  server = createServer((req, res) => {
    const path = resolve(repoRoot, '.' + decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!SERVED.some((s) => (s.endsWith(sep) ? path.startsWith(s) : path === s)) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...chromiumArgs(), `--user-data-dir=/tmp/webgpu-mlp-embed-${process.pid}-${Date.now()}`],
    protocolTimeout: 600_000,
  });
  page = await browser.newPage();
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise((r) => server?.close(r));
  if (log.length) console.log(log.join('\n'));
});

describe('the built bundle', () => {
  it('is one self-contained ES module: shaders inlined, no bare or dev-server imports', () => {
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\?raw|\/@vite|\/@fs/);
    expect(code).toMatch(/@compute/); // WGSL is inside
    expect(code).toMatch(/export\s*\{[^}]*\bMLP\b/);
    // declarations for TypeScript users, as package.json's "types" promises
    const { types } = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { types: string };
    expect(readFileSync(resolve(repoRoot, types), 'utf8')).toMatch(/\bMLP\b/);
  });
});

describe('embedding dist/webgpu-mlp.js in a plain page', () => {
  it('trains XOR on WebGPU in the page and predicts all four cases', async () => {
    await page.goto(`${origin}/test/browser/embed.html`, { waitUntil: 'load' });
    await page.waitForFunction('window.embedResult !== undefined', { timeout: 300_000 });
    const r = (await page.evaluate('window.embedResult')) as {
      error?: string;
      backend: string;
      reason: string;
      adapter: string | null;
      historyBackend: string;
      epochsLogged: number;
      firstLoss: number;
      lastLoss: number;
      predictions: number[];
      evaluation: { loss: number; accuracy: number };
      json: number;
    };
    console.log(`embedded page: ${JSON.stringify(r)}`);
    expect(r.error, r.error).toBeUndefined();
    expect(r.backend).toBe('webgpu');
    expect(r.historyBackend).toBe('webgpu');
    expect(r.reason).toBe("backend 'webgpu' was requested");
    expect(r.adapter).toBeTruthy();
    expect(r.epochsLogged).toBe(300);
    expect(r.lastLoss).toBeLessThan(r.firstLoss / 5);
    expectXorPredictions(r.predictions);
    expect(r.evaluation.accuracy).toBe(1);
    expect(r.json).toBeGreaterThan(100);
    expect(await page.$eval('#out', (e) => e.textContent)).toContain('"backend": "webgpu"');
  });

  it('trains XOR on WebGPU inside a module Web Worker, reporting every epoch', async () => {
    const r = (await page.evaluate(`new Promise((resolve) => {
      const worker = new Worker('/test/browser/embed-worker.js', { type: 'module' });
      const seen = { epochs: [], model: null };
      worker.onerror = (e) => resolve({ error: 'worker error: ' + e.message });
      worker.onmessage = ({ data }) => {
        if (data.type === 'model') seen.model = data;
        if (data.type === 'epoch') seen.epochs.push(data.log.loss);
        if (data.type === 'error') resolve({ error: data.message });
        if (data.type === 'done') { worker.terminate(); resolve({ ...seen, done: data }); }
      };
      worker.postMessage({
        type: 'train',
        config: { inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 7, backend: 'webgpu' },
        x: [[0, 0], [0, 1], [1, 0], [1, 1]],
        y: [0, 1, 1, 0],
        options: { epochs: 300, batchSize: 4, learningRate: 0.1, optimizer: 'adam' },
      });
    })`)) as {
      error?: string;
      model: { backend: string; reason: string; gpuInWorker: boolean };
      epochs: number[];
      done: { stopped: boolean; backend: string; predictions: number[][]; model: { format: string } };
    };
    expect(r.error, r.error).toBeUndefined();
    console.log(`worker: ${JSON.stringify({ model: r.model, epochs: r.epochs.length, last: r.epochs.at(-1), predictions: r.done.predictions })}`);
    expect(r.model.gpuInWorker).toBe(true);
    expect(r.model.backend).toBe('webgpu');
    expect(r.epochs).toHaveLength(300);
    expect(r.done.stopped).toBe(false);
    expect(r.done.backend).toBe('webgpu');
    const p = r.done.predictions.map((row) => row[0]);
    expect(p[0]).toBeLessThan(0.1);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(p[2]).toBeGreaterThan(0.9);
    expect(p[3]).toBeLessThan(0.1);
    expect(r.done.model.format).toBe('webgpu-mlp');
  });
});
