// Drives the demo page in headless Chromium for the demo's browser tests: a Vite dev server
// started with the repo's vite.config.ts (as `npm run demo` serves it), Chromium with or without
// WebGPU, and the small actions a person takes (pick, type, click, upload, look).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type ViteDevServer, createServer } from 'vite';
import { chromiumArgs, repoRoot } from '../../test/browser/harness';

/** Where screenshots and downloads go (gitignored). */
export const outDir = resolve(repoRoot, 'test-output');

/** A running demo: its server, a browser, and the console lines and page errors seen. */
export interface Demo {
  server: ViteDevServer;
  browser: Browser;
  url: string;
  log: string[];
  /** Opens the demo in a new page of `width × height`. */
  open(width?: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

/**
 * The demo opened at 1366×768 and ready (its first state reached), for a test file's
 * `beforeAll`; {@link closeDemo} in its `afterAll`.
 *
 * @example
 * beforeAll(async () => ({ demo, page } = await openReadyDemo()));
 * afterAll(() => closeDemo(demo));
 */
export async function openReadyDemo(): Promise<{ demo: Demo; page: Page }> {
  const demo = await startDemo();
  const page = await demo.open(1366, 768);
  await waitForState(page, ['ready']);
  return { demo, page };
}

/** Closes a demo (if it was started) and prints what its page logged. */
export async function closeDemo(demo: Demo | undefined): Promise<void> {
  await demo?.close();
  if (demo?.log.length) console.log(demo.log.join('\n'));
}

/** Starts the demo's Vite server and Chromium (`webgpu: false` leaves WebGPU's flags out). */
export async function startDemo(options: { webgpu?: boolean } = {}): Promise<Demo> {
  const server = await createServer({
    configFile: resolve(repoRoot, 'vite.config.ts'),
    root: resolve(repoRoot, 'demo'),
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  const args = chromiumArgs().filter((a) => options.webgpu !== false || !/webgpu|Vulkan/i.test(a));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...args, `--user-data-dir=/tmp/webgpu-mlp-demo-${process.pid}-${Date.now()}`],
    protocolTimeout: 600_000,
  });
  const log: string[] = [];
  const url = `http://127.0.0.1:${port}/`;
  return {
    server,
    browser,
    url,
    log,
    async open(width = 1400, height = 1000) {
      const page = await browser.newPage();
      await page.setViewport({ width, height });
      page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
      page.on('response', (r) => void (r.status() >= 400 && log.push(`pageerror: HTTP ${r.status()} for ${r.url()}`)));
      await page.goto(url, { waitUntil: 'load' });
      // the page leaves 'starting' once its script runs; a module that fails to load never does
      for (let t = 0; (await page.$eval('#editor', (e) => e.childElementCount)) === 0; t++) {
        const errors = log.filter((l) => l.startsWith('pageerror'));
        if (errors.length || t > 300) throw new Error(`the demo's script did not start: ${errors.join('; ') || 'no error reported'}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close().catch(() => {});
    },
  };
}

/** The visible text of the first element matching `selector`. */
export const text = (page: Page, selector: string) => page.$eval(selector, (e) => (e as HTMLElement).innerText);

/** The page's state (`data-state` of the body). */
export const state = (page: Page) => page.$eval('body', (b) => b.dataset.state!);

/** Waits until the page reaches one of `states`, failing early (with the status line) on 'error'. */
export async function waitForState(page: Page, states: string[], timeout = 120_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const s = await state(page);
    if (states.includes(s)) return s;
    if (s === 'error' && !states.includes('error')) throw new Error(`the page reports an error: ${await text(page, '#status')}\n${await text(page, '#log')}`);
    if (Date.now() - t0 > timeout) throw new Error(`page still '${s}' after ${timeout} ms (waiting for ${states.join('/')}); status: ${await text(page, '#status')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `selector`'s text matches `pattern`. */
export async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 60_000): Promise<string> {
  await page.waitForFunction((sel, src, flags) => new RegExp(src, flags).test(document.querySelector(sel)?.textContent ?? ''), { timeout }, selector, pattern.source, pattern.flags);
  return text(page, selector);
}

/** Types `value` into a field as a person would (select all, type, Tab out, which fires 'change'). */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(selector, value);
  await page.keyboard.press('Tab');
}

/** Picks `path` in the file input `selector`. */
export async function upload(page: Page, selector: string, path: string): Promise<void> {
  const input = await page.$(selector);
  await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(path);
}

/** Writes `content` to test-output/`name` and returns its path. */
export function outputFile(name: string, content: string | Uint8Array): string {
  mkdirSync(outDir, { recursive: true });
  const path = resolve(outDir, name);
  writeFileSync(path, content);
  return path;
}

/** Saves a screenshot as test-output/`name` (the whole page unless `fullPage` is false). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const path = outputFile(name, await page.screenshot({ fullPage }));
  console.log(`screenshot: ${path}`);
  return path;
}

/** The first percentage in `s` as a fraction. */
export function percent(s: string): number {
  const m = /([\d.]+)%/.exec(s);
  if (!m) throw new Error(`no percentage in '${s}'`);
  return Number(m[1]) / 100;
}

/** Starts recording the page thread's long tasks (over 50 ms) with a PerformanceObserver. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[]; longTaskObserver?: PerformanceObserver };
    w.longTaskObserver?.disconnect();
    w.longTasks = [];
    w.longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    });
    w.longTaskObserver.observe({ type: 'longtask' });
  });
}

/** The long tasks recorded since {@link watchLongTasks}, in ms. */
export const longTasks = (page: Page) => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.slice());

/** Bottom edges of elements, to check what is visible without scrolling. */
export const bottoms = (page: Page, selectors: string[]) =>
  page.evaluate((sels: string[]) => Object.fromEntries(sels.map((s) => [s, document.querySelector(s)!.getBoundingClientRect().bottom])), selectors);

/** What {@link measureTasks} saw on the page's thread. */
export interface TaskReport {
  /** Long tasks (over 50 ms of wall time) that a PerformanceObserver on the page reported, in ms. */
  longTasks: number[];
  /** The most CPU time one task of the page's main thread took (Chromium's trace), in ms. */
  maxTaskCpuMs: number;
  /** Highest 1-minute load average seen, and the machine's cores: above the cores, other processes take turns on the page's thread too. */
  load: number;
  cores: number;
}

/**
 * Runs `action` (e.g. a training run) while recording the page thread's tasks twice: long tasks
 * from a PerformanceObserver in the page (wall time, so on a machine busier than its cores they
 * also count time the OS gave to other processes) and each task's CPU time from a Chromium trace.
 */
export async function measureTasks(page: Page, action: () => Promise<void>): Promise<TaskReport> {
  const trace = resolve(outDir, `trace-${process.pid}-${Date.now()}.json`);
  mkdirSync(outDir, { recursive: true });
  let load = loadavg()[0];
  await page.tracing.start({ path: trace, categories: ['disabled-by-default-devtools.timeline'] });
  await watchLongTasks(page);
  await action();
  const long = await longTasks(page);
  await page.tracing.stop();
  load = Math.max(load, loadavg()[0]);
  const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { name: string; pid: number; tid: number; tdur?: number; args?: { name?: string } }[];
  rmSync(trace, { force: true });
  const main = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const isMain = (e: { pid: number; tid: number }) => main.some((m) => m.pid === e.pid && m.tid === e.tid);
  const cpu = events.filter((e) => e.name === 'RunTask' && e.tdur !== undefined && isMain(e)).map((e) => e.tdur! / 1000);
  return { longTasks: long, maxTaskCpuMs: Math.max(0, ...cpu), load, cores: cpus().length };
}
