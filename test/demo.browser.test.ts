// The demo page, used as a person would: headless Chromium opens it from a Vite dev server
// started with the repo's vite.config.ts, picks datasets, edits settings, presses buttons and
// reads what the page shows. Screenshots go to test-output/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type ViteDevServer, createServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, repoRoot } from './browser/harness';

const outDir = resolve(repoRoot, 'test-output');
let server: ViteDevServer;
let browser: Browser;
let page: Page;
const log: string[] = [];

beforeAll(async () => {
  server = await createServer({
    configFile: resolve(repoRoot, 'vite.config.ts'),
    root: resolve(repoRoot, 'demo'), // as `npm run demo` serves it
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...chromiumArgs(), `--user-data-dir=/tmp/webgpu-mlp-demo-${process.pid}-${Date.now()}`],
    protocolTimeout: 600_000,
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
  await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await server?.close().catch(() => {});
  if (log.length) console.log(log.join('\n'));
});

const text = (selector: string) => page.$eval(selector, (e) => (e as HTMLElement).innerText);
const state = () => page.$eval('body', (b) => b.dataset.state);

/** Waits until the page reaches one of `states`, failing early (with the status line) on 'error'. */
async function waitForState(states: string[], timeout = 120_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const s = await state();
    if (states.includes(s!)) return s!;
    if (s === 'error') throw new Error(`the page reports an error: ${await text('#status')}\n${await text('#log')}`);
    if (Date.now() - t0 > timeout) throw new Error(`page still '${s}' after ${timeout} ms (waiting for ${states.join('/')}); status: ${await text('#status')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Types `value` into a field as a person would (select all, type, Tab out, which fires 'change'). */
async function fill(selector: string, value: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(selector, value);
  await page.keyboard.press('Tab');
}

async function screenshot(name: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const path = resolve(outDir, name);
  writeFileSync(path, await page.screenshot({ fullPage: true }));
  console.log(`screenshot: ${path}`);
  return path;
}

const percent = (s: string) => {
  const m = /([\d.]+)%/.exec(s);
  if (!m) throw new Error(`no percentage in '${s}'`);
  return Number(m[1]) / 100;
};

describe('demo page', () => {
  it('loads MNIST, reports the WebGPU adapter found in the worker', async () => {
    await waitForState(['ready']);
    expect(await text('#dataset-info')).toMatch(/MNIST: 60000 training images, 10000 test images/);
    expect(await text('#gpu-banner')).toMatch(/WebGPU adapter: .*swiftshader|WebGPU is not available/i);
  });

  it('trains MNIST for one epoch on 2 000 images and shows its test accuracy, predictions and weights', async () => {
    await fill('#mnist-train', '2000');
    await fill('#mnist-test', '2000');
    await page.waitForFunction(() => document.getElementById('dataset-info')!.textContent!.includes('2000 training images, 2000 test images'), { timeout: 60_000 });
    await waitForState(['ready']);
    // one pass over 1 800 images (200 are held out for validation) needs a bolder step than the defaults
    await fill('#epochs', '1');
    await fill('#learning-rate', '0.005');
    await fill('#batch-size', '32');
    await page.click('#backend-cpu');
    expect(await text('#parameters')).toMatch(/784-128-10 network, 101,770 parameters/);
    await page.click('#train');
    await waitForState(['done']);
    const accuracy = percent(await text('#test-accuracy'));
    console.log(`MNIST, 2000 training images, 1 epoch on the CPU: test accuracy on 2000 images ${(accuracy * 100).toFixed(2)}%; status: ${await text('#status')}`);
    expect(accuracy).toBeGreaterThan(0.8);
    expect(accuracy).toBeLessThan(1);
    expect(await text('#status')).toMatch(/Trained 1 epoch\(s\) on the CPU .* test accuracy/);
    expect(await text('#backend')).toBe('CPU');
    expect(await text('#backend-reason')).toMatch(/backend 'cpu' was requested/);
    // the grid: 48 digits, each with a prediction; wrong ones marked
    const grid = await page.$eval('#digits', (d) => ({
      count: d.querySelectorAll('figure').length,
      predicted: Number((d as HTMLElement).dataset.predicted),
      wrong: d.querySelectorAll('figure.wrong').length,
      wrongLabelled: d.querySelectorAll('figure.wrong .truth').length,
    }));
    expect(grid.count).toBe(48);
    expect(grid.predicted).toBe(48);
    expect(grid.wrong).toBe(grid.wrongLabelled);
    expect(grid.wrong).toBeLessThan(48 * 0.3);
    expect(await page.$$eval('#weights canvas', (c) => c.length)).toBe(32);
    // the charts received per-batch and per-epoch points
    expect(await text('#epoch-label')).toMatch(/epoch 1 of 1 · batch 57\/57/); // 1800 training rows after the 10% validation split, batch 32
    expect(percent(await text('#val-accuracy'))).toBeGreaterThan(0.7);
    await screenshot('demo.png');
  });

  it('checks parity: the same steps on the CPU and on WebGPU, from the same seed, give the same weights', async () => {
    // plain SGD: Adam divides by √v, which turns float32 rounding of near-zero gradients into
    // learning-rate-sized steps, so its parity is looser (the page still reports it)
    await page.select('#optimizer', 'sgd');
    await fill('#learning-rate', '0.1');
    await page.click('#parity');
    await waitForState(['done', 'ready'], 300_000);
    const result = await text('#parity-result');
    console.log(`parity: ${result}`);
    const m = /max \|w_cpu − w_gpu\| = ([\d.e+-]+)/.exec(result);
    expect(m, result).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(1e-5);
  });

  it('steps through the 2-2-2 worked example with the printed numbers', async () => {
    await page.select('#dataset', 'tutorial');
    await waitForState(['ready']);
    for (let i = 0; i < 3; i++) await page.click('#tutorial-next');
    const forward = await text('#trace-forward');
    expect(forward).toContain('0.377500000');
    expect(forward).toContain('0.593269992');
    expect(forward).toContain('0.751365070');
    expect(forward).toContain('0.772928465');
    expect(await text('#trace-error')).toContain('0.298371109');
    expect(await text('#trace-deltas')).toContain('0.138498562');
    const update = await text('#trace-update');
    for (const w of ['0.149780716', '0.199561432', '0.249751144', '0.299502287', '0.358916480', '0.408666186', '0.511301270', '0.561370121']) expect(update).toContain(w);
    expect(await text('#trace-loss-after')).toContain('0.291027774');
    // training the example for the default 10 000 steps drives the error to ≈ 3.5e-5
    await page.click('#train');
    await waitForState(['done']);
    expect(await text('#status')).toMatch(/Trained 10000 epoch\(s\)/);
    const loss = Number(/loss (\d[\d.e-]*\d)/.exec(await text('#status'))![1]);
    expect(loss).toBeCloseTo(3.51e-5, 6);
    await screenshot('demo-tutorial.png');
  });

  it('trains the spiral and draws its decision boundary; stop and resume continue from the current weights', async () => {
    await page.select('#dataset', 'spiral');
    await waitForState(['ready']);
    await fill('#epochs', '400');
    await page.click('#train');
    await page.waitForFunction(() => /epoch ([3-9]\d|\d{3}) of/.test(document.getElementById('epoch-label')!.textContent!), { timeout: 120_000 });
    // the page stays responsive while the worker trains: animation frames keep coming
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
      gaps.push(Date.now() - t0);
    }
    expect(await state()).toBe('training');
    expect(Math.max(...gaps), `animation-frame round trips while training: ${gaps.join(', ')} ms`).toBeLessThan(1000);
    await page.click('#stop');
    expect(await waitForState(['stopped', 'done'])).toBe('stopped');
    expect(await text('#status')).toMatch(/Stopped after \d+ full epoch\(s\) of 400/);
    const stoppedAt = Number(/Stopped after (\d+)/.exec(await text('#status'))![1]);
    expect(stoppedAt).toBeLessThan(400);
    await page.click('#resume');
    await waitForState(['done']);
    expect(await text('#status')).toMatch(/Trained 400 epoch\(s\)/);
    const acc = percent(/accuracy on all \d+ rows ([\d.]+%)/.exec(await text('#status'))![1]);
    console.log(`spiral: stopped at epoch ${stoppedAt}, resumed to 400: ${await text('#status')}`);
    expect(acc).toBeGreaterThan(0.9);
    // the boundary canvas shows several class colours
    const colours = await page.$eval('#boundary', (c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 360, 360).data;
      const seen = new Set<string>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i] >> 5},${d[i + 1] >> 5},${d[i + 2] >> 5}`);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(5);
    await screenshot('demo-spiral.png');
  });

  it('trains XOR on WebGPU inside the worker, then exports the model and imports it back on the CPU', async () => {
    await page.select('#dataset', 'xor');
    await waitForState(['ready']);
    await page.click('#backend-webgpu');
    await page.click('#train');
    await waitForState(['done'], 300_000);
    expect(await text('#backend')).toBe('WebGPU');
    expect(await text('#backend-reason')).toBe("backend 'webgpu' was requested");
    expect(await text('#adapter')).toMatch(/swiftshader|\w/);
    const status = await text('#status');
    console.log(`XOR: ${status}`);
    expect(status).toMatch(/Trained 300 epoch\(s\) on WebGPU .* accuracy on all 4 rows 100\.00%/);
    // export: the browser downloads webgpu-mlp-xor.json
    const saved = resolve(outDir, 'webgpu-mlp-xor.json');
    rmSync(saved, { force: true });
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: outDir });
    await page.click('#export');
    for (let t = 0; !existsSync(saved); t++) {
      if (t > 200) throw new Error(`no download at ${saved}; log: ${await text('#log')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    const json = JSON.parse(readFileSync(saved, 'utf8'));
    expect(json.format).toBe('webgpu-mlp');
    expect(json.config.layers).toEqual([{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }]);
    // import it on the CPU: same predictions, so the same accuracy
    await page.click('#backend-cpu');
    const input = await page.$('#import-file');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(saved);
    await page.waitForFunction(() => /^Imported the model/.test(document.getElementById('status')!.textContent!), { timeout: 60_000 });
    expect(await text('#status')).toMatch(/Imported the model: accuracy on the training rows 100\.00%/);
    expect(await text('#backend')).toBe('CPU');
    await screenshot('demo-xor.png');
  });

  it('reads a CSV file, reports its bad rows by line, and trains on the rest', async () => {
    const lines = ['sepal,petal,colour,kind'];
    for (let i = 0; i < 120; i++) {
      const k = i % 3;
      const colour = ['red', 'green', 'blue'][(i * 7) % 3];
      lines.push(`${(1 + k + 0.3 * Math.sin(i)).toFixed(3)},${(2 * k + 0.5 * Math.cos(i * 1.7)).toFixed(3)},${colour},${['setosa', 'versicolor', 'virginica'][k]}`);
    }
    lines[10] = '1.2,oops,red,setosa'; // line 11: text in a numeric column
    lines[20] = '1.5,2.5,green'; // line 21: a field short
    lines[30] = '1.1,,blue,setosa'; // line 31: missing value
    const file = resolve(outDir, 'demo-upload.csv');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(file, lines.join('\n'));
    await page.select('#dataset', 'csv');
    const input = await page.$('#csv-file');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(file);
    await page.waitForFunction(() => document.getElementById('dataset-info')!.textContent!.includes('demo-upload.csv'), { timeout: 30_000 });
    await waitForState(['ready']);
    expect(await text('#csv-summary')).toMatch(/117 usable rows of 120, 5 inputs \(2 standardized numeric, 1 one-hot\), 3 classes: setosa, versicolor, virginica/);
    const bad = await text('#csv-bad-rows');
    expect(bad).toContain("line 11: column 'petal' expects a number, got 'oops'");
    expect(bad).toContain('line 21: expected 4 fields, got 3');
    expect(bad).toContain("line 31: column 'petal' is empty or missing ('')");
    expect(await text('#parameters')).toMatch(/^5-32-3 network/);
    await fill('#epochs', '30');
    await page.click('#train');
    await waitForState(['done']);
    const acc = percent(/accuracy on all \d+ rows ([\d.]+%)/.exec(await text('#status'))![1]);
    expect(acc).toBeGreaterThan(0.9);
    await screenshot('demo-csv.png');
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });
});

describe('demo page in a browser without WebGPU', () => {
  it('says so, and a run that asks for WebGPU trains on the CPU instead', async () => {
    const address = server.httpServer!.address();
    const port = typeof address === 'object' && address ? address.port : 5173;
    const noGpu = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      headless: true,
      // without the WebGPU flags, Linux Chromium has navigator.gpu but no adapter
      args: [...chromiumArgs().filter((a) => !/webgpu|Vulkan/i.test(a)), `--user-data-dir=/tmp/webgpu-mlp-demo-nogpu-${process.pid}-${Date.now()}`],
    });
    try {
      const p = await noGpu.newPage();
      await p.setViewport({ width: 1400, height: 1000 });
      await p.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
      await p.waitForFunction(() => /not available/.test(document.getElementById('gpu-banner')!.textContent!), { timeout: 60_000 });
      expect(await p.$eval('#gpu-banner', (e) => e.textContent)).toMatch(/WebGPU is not available here \((navigator\.gpu is missing|navigator\.gpu\.requestAdapter\(\) returned no adapter).*\)\. Training runs on the float64 CPU path/);
      await p.select('#dataset', 'xor');
      await p.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('dataset-info')!.textContent!.startsWith('XOR'), { timeout: 60_000 });
      await p.click('#backend-webgpu');
      await p.click('#train');
      await p.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state!), { timeout: 120_000 });
      const status = await p.$eval('#status', (e) => e.textContent!);
      expect(status).toMatch(/Trained 300 epoch\(s\) on the CPU/);
      expect(await p.$eval('#backend', (e) => e.textContent)).toBe('CPU');
      const banner = await p.$eval('#gpu-banner', (e) => e.textContent!);
      console.log(`without WebGPU: ${banner} / ${status}`);
      expect(banner).toMatch(/WebGPU could not be used \(backend 'webgpu' was requested but no WebGPU device is available: .*\); training continues on the CPU/);
      await p.click('#parity');
      await p.waitForFunction(() => document.body.dataset.state !== 'checking', { timeout: 60_000 });
      expect(await p.$eval('#parity-result', (e) => e.textContent)).toMatch(/the parity check needs WebGPU, which is unavailable here/);
      mkdirSync(outDir, { recursive: true });
      const path = resolve(outDir, 'demo-no-webgpu.png');
      writeFileSync(path, await p.screenshot({ fullPage: true }));
      console.log(`screenshot: ${path}`);
    } finally {
      await noGpu.close();
    }
  });
});
