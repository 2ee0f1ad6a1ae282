// Reliability on the WebGPU backend, in headless Chromium: bad input, divergence (with batch norm's running estimates undone with the update), device loss,
// limits, leaks and concurrency.
import type { CDPSession } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { badInputCases } from './cases/bad-input';

const SUITE = '/test/browser/suites/reliability.ts';
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

describe('bad input (webgpu): clear error naming the value, model unchanged', () => {
  for (const c of badInputCases) {
    it(c.name, async () => {
      const r = await session.run<{ failures: string[]; outcome: string }>(SUITE, 'badInput', c.name);
      expect(r.failures, `${c.name}: ${r.outcome}`).toEqual([]);
    });
  }
});

describe('divergence', () => {
  for (const [backend, batchNorm] of [['webgpu', false], ['cpu', false], ['webgpu', true], ['cpu', true]] as const) {
    const what = batchNorm ? `${backend} with norm 'batch'` : backend;
    it(`${what}: stops with an error naming epoch and batch, keeping the last good step's weights${batchNorm ? ' and running estimates' : ''}`, async () => {
      const r = await session.run<{ failures: string[]; message: string; finite: boolean; diffToReplay: number; epochsDone: number }>(SUITE, 'divergence', backend, batchNorm);
      console.log(`${what}: ${r.message} (replayed ${r.epochsDone} steps, max |Δw| ${r.diffToReplay})`);
      expect(r.failures).toEqual([]);
      expect(r.message).toMatch(/training diverged: the loss became (NaN|Infinity|-Infinity) at epoch \d+, batch 1 of 1/);
      expect(r.finite).toBe(true);
      expect(r.epochsDone).toBeGreaterThanOrEqual(0);
      expect(r.diffToReplay).toBe(0);
    });
  }
});

describe('device loss mid-training (device.destroy())', () => {
  it('between epochs: fit finishes on the CPU from the last completed epoch, no epoch lost', async () => {
    const r = await session.run<{ error: string; epochs: number[]; after: { backend: string; reason: string }; diff: number }>(SUITE, 'deviceLoss', 2, false, 'cpu');
    console.log(JSON.stringify(r));
    expect(r.error).toBe('');
    expect(r.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(r.after.backend).toBe('cpu');
    expect(r.after.reason).toMatch(/device was lost.*during epoch 3; continued on the CPU from the last completed epoch/);
    expect(r.diff).toBeLessThan(1e-4);
  });

  it('inside an epoch: the interrupted epoch is redone on the CPU', async () => {
    const r = await session.run<{ error: string; epochs: number[]; after: { backend: string; reason: string }; diff: number }>(SUITE, 'deviceLoss', 5, true, 'cpu');
    console.log(JSON.stringify(r));
    expect(r.error).toBe('');
    expect(r.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(r.after.backend).toBe('cpu');
    expect(r.diff).toBeLessThan(1e-4);
  });

  it('before a fit whose short epochs are grouped: the whole fit runs on the CPU from the last checkpoint', async () => {
    const r = await session.run<{ epochs: number; backend: string; reason: string; diff: number }>(SUITE, 'deviceLossBeforeGroupedFit');
    console.log(JSON.stringify(r));
    expect(r.epochs).toBe(150);
    expect(r.backend).toBe('cpu');
    expect(r.reason).toMatch(/device was lost.*during epoch 1; continued on the CPU/);
    expect(r.diff).toBeLessThan(1e-3); // 150 Adam epochs in float32 on the GPU, then float64
  });

  for (const when of ['before', 'during'] as const) {
    it(`${when} fitDataset: the stream continues on the CPU from the last completed block`, async () => {
      const r = await session.run<{ epochs: number; backend: string; reason: string; diff: number }>(SUITE, 'deviceLossStreaming', when);
      console.log(JSON.stringify(r));
      expect(r.epochs).toBe(3);
      expect(r.backend).toBe('cpu');
      expect(r.reason).toMatch(new RegExp(`device was lost.*during epoch ${when === 'before' ? 1 : 2}; continued on the CPU from the last completed block`));
      expect(r.diff).toBeLessThan(1e-4);
    });
  }

  it("with onDeviceLost: 'error', fit rejects clearly and the model keeps the last completed epoch", async () => {
    const r = await session.run<{ error: string; after: { backend: string }; diff: number; epochsToCompare: number }>(SUITE, 'deviceLoss', 2, false, 'error');
    console.log(JSON.stringify(r));
    expect(r.error).toMatch(/during epoch 3\. onDeviceLost is 'error', so training stopped; the model now holds the weights of the last completed epoch/);
    expect(r.after.backend).toBe('cpu');
    expect(r.diff).toBeLessThan(1e-4);
  });
});

describe('limits', () => {
  it('refuses a layer beyond the binding limit before allocating; shards data beyond one binding, and beyond four', async () => {
    const r = await session.run<{ failures: string[]; report: Record<string, string | number> }>(SUITE, 'limitsAndSharding');
    console.log(JSON.stringify(r.report));
    expect(r.failures).toEqual([]);
    expect(r.report.layerTooBig).toMatch(/weights of layer 0 needs a 16384-byte GPU buffer \(4096 float32 values\), more than this device's maxStorageBufferBindingSize of 8192 bytes/);
    expect(r.report.shardedDiff as number).toBeLessThan(1e-5);
    expect(r.report.shardedPredictDiff as number).toBeLessThan(1e-5);
    expect(r.report.sixShardsDiff as number).toBeLessThan(1e-5);
  });
});

describe('leaks', () => {
  it('100 create/fit/dispose cycles leave no live GPU buffer and a flat JS heap', async () => {
    const cdp: CDPSession = await session.page.createCDPSession();
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const warm = await session.run<{ failures: string[]; liveBuffers: number }>(SUITE, 'leakCycles', 10);
    expect(warm.failures).toEqual([]);
    const h0 = await heap();
    const r = await session.run<{ failures: string[]; liveBuffers: number }>(SUITE, 'leakCycles', 90);
    const h1 = await heap();
    console.log(`live GPU buffers after 100 cycles: ${r.liveBuffers}; JS heap ${(h0 / 1e6).toFixed(2)} MB after 10 cycles → ${(h1 / 1e6).toFixed(2)} MB after 100`);
    expect(r.failures).toEqual([]);
    expect(r.liveBuffers).toBe(0);
    expect(h1 - h0).toBeLessThan(2e6);
  });
});

describe('concurrency', () => {
  it('two models training at once on one device end exactly where each ends alone', async () => {
    const r = await session.run<{ failures: string[]; diffA: number; diffB: number }>(SUITE, 'concurrentModels');
    expect(r.failures).toEqual([]);
    expect(r.diffA).toBe(0);
    expect(r.diffB).toBe(0);
  });
});
