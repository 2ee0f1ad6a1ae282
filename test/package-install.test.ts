// The package as a consumer gets it: `npm pack` (its prepack builds dist/), the tarball installed
// offline into a fresh project, a strict TypeScript consumer of both entries checked under
// NodeNext, Node16 and Bundler, then run: XOR on the CPU backend in Node, and the same installed
// files in headless Chromium from a plain page with an import map.
import { type SpawnSyncReturns, execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, repoRoot } from './browser/harness';
import { removeTempDirs, tempDir } from './interop/helpers';
import { type ConsumerResultShape, RESOLUTIONS, consumerFiles, tsconfigFile } from './package/consumer-project';
import { expectXorPredictions } from './xor-check';

const TSC = resolve(repoRoot, 'node_modules/typescript/bin/tsc');
const MIME: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

type Resolution = keyof typeof RESOLUTIONS;
let project: string;
let installed: string;
/** tsc's output per resolution; the three checks run side by side (each takes seconds of CPU). */
let typeChecks: Map<Resolution, Promise<{ code: number | null; output: string }>>;

/** Runs a command to completion; throws with its output when it fails. */
function sh(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Type-checks the consumer project with `tsconfig.<resolution>.json` (the repo's TypeScript). */
function typeCheck(resolution: Resolution): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [TSC, '-p', tsconfigFile(resolution), '--pretty', 'false'], { cwd: project }, (_error, stdout, stderr) =>
      done({ code: child.exitCode, output: stdout + stderr }),
    );
  });
}

/** The consumer's XOR checks, the same in Node and in Chromium. */
function expectXorLearned(r: ConsumerResultShape): void {
  expect(r.error, r.error).toBeUndefined();
  expect(r.backend).toBe('cpu');
  expect(r.lastLoss).toBeLessThan(r.firstLoss / 5);
  expectXorPredictions(r.predictions);
  // the interop entry's model is an instance of the core entry's MLP, with the same predictions
  expect(r.reloadedIsMLP).toBe(true);
  r.reloadedPredictions.forEach((p, i) => expect(Math.abs(p - r.predictions[i])).toBeLessThan(1e-5));
  expect(r.onnxBytes).toBeGreaterThan(100);
}

beforeAll(() => {
  const packDir = tempDir();
  sh('npm', ['pack', '--pack-destination', packDir], repoRoot); // its stdout mixes in the build's
  const tarballs = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  expect(tarballs, 'npm pack writes one tarball').toHaveLength(1);
  const tarball = join(packDir, tarballs[0]);
  project = tempDir();
  for (const [path, text] of Object.entries(consumerFiles())) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  }
  // --offline: the package has no dependencies, so installing it needs nothing but the tarball.
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(packDir, 'npm-cache'), tarball], project);
  installed = join(project, 'node_modules/webgpu-mlp');
  typeChecks = new Map((Object.keys(RESOLUTIONS) as Resolution[]).map((r) => [r, typeCheck(r)]));
});

afterAll(removeTempDirs);

describe('the packed package, installed offline into a fresh project', () => {
  it('holds the built entries and their declarations', () => {
    for (const file of ['dist/webgpu-mlp.js', 'dist/webgpu-mlp.d.ts', 'dist/interop.js', 'dist/interop.d.ts']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    const declarations = readFileSync(join(installed, 'dist/interop.d.ts'), 'utf8');
    expect(declarations).toMatch(/from '\.\/webgpu-mlp\.js'/);
  });

  for (const resolution of Object.keys(RESOLUTIONS) as Resolution[]) {
    it(`type-checks a strict consumer of both entries under moduleResolution ${resolution}`, async () => {
      const r = await typeChecks.get(resolution);
      expect(r?.output).toBe('');
      expect(r?.code).toBe(0);
    });
  }

  it('runs the consumer in Node: XOR on the CPU backend, and the interop entry on its model', async () => {
    await typeChecks.get('NodeNext'); // which emits out/consumer.js
    expect(existsSync(join(project, 'out/consumer.js')), 'the NodeNext check emits out/consumer.js').toBe(true);
    const script = "const { run } = await import('./out/consumer.js'); console.log(JSON.stringify(await run()));";
    const out = sh(process.execPath, ['--input-type=module', '-e', script], project).stdout.trim().split('\n');
    const r = JSON.parse(out[out.length - 1]) as ConsumerResultShape;
    console.log(`installed package in Node: ${JSON.stringify(r)}`);
    expectXorLearned(r);
  });
});

describe('the installed files in headless Chromium, from a plain page with an import map', () => {
  let server: Server;
  let browser: Browser;
  const log: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = resolve(project, '.' + decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!path.startsWith(project + sep) || !existsSync(path) || statSync(path).isDirectory()) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    browser = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...chromiumArgs(), `--user-data-dir=${tempDir()}`],
      protocolTimeout: 600_000,
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await new Promise((r) => server?.close(r));
    if (log.length) console.log(log.join('\n'));
  });

  it('trains XOR on the CPU backend in the page and round-trips it through the interop entry', async () => {
    const address = server.address();
    const page = await browser.newPage();
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
    page.on('requestfailed', (q) => log.push(`request failed: ${q.url()}`));
    await page.goto(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction('window.consumerResult !== undefined', { timeout: 300_000 });
    const r = (await page.evaluate('window.consumerResult')) as ConsumerResultShape;
    console.log(`installed package in Chromium: ${JSON.stringify(r)}`);
    expectXorLearned(r);
  });
});
