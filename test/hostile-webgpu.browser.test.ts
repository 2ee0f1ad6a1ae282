// The hostile suite, the never-non-finite invariants, callbacks at readback-group edges, one loss,
// lifetimes on a shared device, dispose races and a fuzzer sample, on the WebGPU backend in
// headless Chromium (SwiftShader where there is no GPU).
import type { CDPSession } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { hostileCases } from './cases/hostile';

const SUITE = '/test/browser/suites/hostile.ts';
let session: BrowserSession;
let hostile: { results: { name: string; failures: string[]; outcome: string }[]; failures: string[]; live: number };
beforeAll(async () => {
  session = await openBrowser();
  const t0 = performance.now();
  hostile = await session.run(SUITE, 'hostileAll');
  console.log(`hostile suite on WebGPU: ${hostile.results.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});
afterAll(async () => session?.close());

const cases = hostileCases.filter((c) => c.only !== 'cpu');

describe('hostile calls (webgpu): refused clearly, state byte-identical', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = hostile.results.find((k) => k.name === c.name)!;
      expect(r, c.name).toBeDefined();
      expect(r.failures, `${c.name}: ${r.outcome}`).toEqual([]);
    });
  }
  it('has at least 120 cases on this backend, with no GPU validation error and no unhandled rejection', () => {
    expect(cases.length).toBeGreaterThanOrEqual(120);
    expect(hostile.failures).toEqual([]);
  });
});

describe('never non-finite state, callbacks, one loss (webgpu)', () => {
  const scenarios: [string, string][] = [
    ['firstBatchBlamedOnData', 'a non-finite first batch is blamed on the data, changes nothing (step counter included), and the next Adam fit is exact'],
    ['lastStepDivergence', 'divergence on the very last update is caught (state read back at the end) and undone'],
    ['rollbackMatchesReplay', 'after any divergence (grouped epochs or one per submission) the state is finite and byte-identical to a replay of the steps kept'],
    ['throwingCallback', 'onBatchEnd throwing keeps (and counts) the updates before it'],
    ['batchCallbacks', 'onBatchEnd once per batch for 1…70 batches; abort at every readback-group edge stops there'],
    ['oneLoss', 'epoch loss, batch loss, valLoss and evaluate() include λ/(2m)·ΣW² and agree on the same weights (float32, rtol 2e-5)'],
    ['frozenConfig', 'model.config is a frozen copy'],
  ];
  for (const [fn, title] of scenarios) {
    it(title, async () => {
      const r = await session.run<{ failures: string[]; report: Record<string, unknown> }>(SUITE, 'invariant', fn);
      console.log(`${fn}: ${JSON.stringify(r.report).slice(0, 1500)}`);
      expect(r.failures).toEqual([]);
    });
  }
});

describe('refused before allocating (webgpu)', () => {
  it("a layer or an optimizer state that would not fit the adapter's bindings is refused before anything is drawn or changed", async () => {
    const r = await session.run<{ failures: string[]; message: string; bigLayer: string; bigLayerMs: number }>(SUITE, 'adapterLimits');
    console.log(`${r.message}\n${r.bigLayer} (refused in ${r.bigLayerMs.toFixed(1)} ms)`);
    expect(r.failures).toEqual([]);
  });
});

describe('lifetimes (webgpu)', () => {
  it('400 create/fit/dispose cycles on one shared device: live GPU buffers back to 0, JS heap flat', async () => {
    const cdp: CDPSession = await session.page.createCDPSession();
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const warm = await session.run<{ failures: string[]; liveBuffers: number }>(SUITE, 'cycles', 50);
    expect(warm.failures).toEqual([]);
    const h0 = await heap();
    const r = await session.run<{ failures: string[]; liveBuffers: number; liveTotal: number; seconds: number }>(SUITE, 'cycles', 400);
    const h1 = await heap();
    console.log(`400 cycles in ${r.seconds.toFixed(1)} s: live GPU buffers ${r.liveBuffers}; JS heap ${(h0 / 1e6).toFixed(2)} MB → ${(h1 / 1e6).toFixed(2)} MB`);
    expect(r.failures).toEqual([]);
    expect(r.liveBuffers).toBe(0);
    expect(h1 - h0).toBeLessThan(1e6);
  });
  it('dispose() racing fit, predict, evaluate, getWeights and toJSON: one clear "disposed" error each', async () => {
    const r = await session.run<{ failures: string[]; report: Record<string, string> }>(SUITE, 'disposeRaces');
    console.log(JSON.stringify(r.report, null, 1));
    expect(r.failures).toEqual([]);
  });
});

describe('fuzzer sample (webgpu)', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
  const count = Number(process.env.FUZZ_GPU_CASES ?? 300);
  it(`${count} mutated calls (seed ${seed}): clear errors or sound models, no leaked GPU buffer`, async () => {
    const r = await session.run<{ failures: string[]; refused: number; leaked: number; seconds: number }>(SUITE, 'fuzzSample', seed, count);
    console.log(`fuzz seed ${seed} on WebGPU: ${count} cases in ${r.seconds.toFixed(1)} s, ${r.refused} refused clearly; leaked buffers ${r.leaked}`);
    expect(r.failures, `FUZZ_SEED=${seed}`).toEqual([]);
    expect(r.leaked, `FUZZ_SEED=${seed}`).toBe(0);
  });
});
