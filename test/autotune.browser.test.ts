// The measuring parts in headless Chromium on this machine's adapter: 'auto' by calibration
// between WebGPU and wasm (the faster of the two timed steps for 784-256-256-10 at batch 256,
// wasm for XOR at batch 4, the timings in the reason), training on the tuner's choices equal to the CPU, and the tuner's caches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';

const SUITE = '/test/browser/suites/autotune.ts';
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
  console.log(`WebGPU adapter: ${session.adapter}`);
});
afterAll(async () => session?.close());

describe("backend: 'auto' decides by timing WebGPU against wasm at create", () => {
  it('784-256-256-10 at batch 256: both step times in the reason, and the faster backend chosen', async () => {
    const config = { inputSize: 784, layers: [256, 256, 10].map((units) => ({ units, activation: 'sigmoid' as const })), loss: 'mse' as const, seed: 3 };
    const r = await session.run<{ backend: string; reason: string; createMs: number }>(SUITE, 'autoChoice', config, 256);
    console.log(`784-256-256-10, batch 256: ${r.backend} in ${r.createMs.toFixed(0)} ms: ${r.reason}`);
    const m = /^auto chose (WebGPU|wasm): a training step took ([\d.e-]+) ms on WebGPU \(.+\) and ([\d.e-]+) ms on wasm/.exec(r.reason);
    expect(m, r.reason).not.toBeNull();
    const [gpuMs, wasmMs] = [Number(m![2]), Number(m![3])];
    expect(r.backend).toBe(gpuMs < wasmMs ? 'webgpu' : 'wasm');
    expect(m![1]).toBe(gpuMs < wasmMs ? 'WebGPU' : 'wasm');
  });

  it('XOR 2-8-1 at batch 4: wasm, with its step and the WebGPU launch floor (or step) in the reason', async () => {
    const config = { inputSize: 2, layers: [{ units: 8, activation: 'sigmoid' as const }, { units: 1, activation: 'sigmoid' as const }], loss: 'mse' as const, seed: 3 };
    const r = await session.run<{ backend: string; reason: string; createMs: number }>(SUITE, 'autoChoice', config, 4);
    console.log(`XOR 2-8-1, batch 4: ${r.backend} in ${r.createMs.toFixed(0)} ms: ${r.reason}`);
    // either the launch floor alone rules WebGPU out, or both were timed (when the floor is close)
    expect(r.reason).toMatch(/^auto chose wasm: a training step (takes [\d.e-]+ ms on wasm; on WebGPU \(.+\) its \d+ launches alone take [\d.e-]+ ms|took [\d.e-]+ ms on WebGPU \(.+\) and [\d.e-]+ ms on wasm)/);
    expect(r.backend).toBe('wasm');
  });
});

describe("backend: 'auto' without a hint decides at the first fit, training on wasm meanwhile", () => {
  type Moved = { failures: string[]; backend: string; reason: string; epochs: number; move: { epoch: number; step: number; from: string; to: string } | null; liveAfter: number; createMs: number; firstEpochMs: number; decidedMs: number };
  it('on this adapter (SwiftShader) the run stays on wasm, the background WebGPU work freed', async () => {
    const r = await session.run<Moved>(SUITE, 'autoMove', false);
    console.log(`29-23-5, batch 32, natural: ${r.backend} after ${r.epochs} epochs (create ${r.createMs.toFixed(0)} ms, first epoch done at ${r.firstEpochMs.toFixed(0)} ms, decided at ${r.decidedMs.toFixed(0)} ms): ${r.reason}`);
    expect(r.failures).toEqual([]);
    expect(r.backend).toBe('wasm');
    expect(r.move).toBeNull();
    expect(r.reason).toMatch(/^auto stays on wasm: a training step (took [\d.e-]+ ms on WebGPU \(.+\) and [\d.e-]+ ms on wasm|takes [\d.e-]+ ms there; on WebGPU \(.+\) its launches alone take)/);
    expect(r.liveAfter).toBe(0);
  });

  it('with WebGPU reported faster (internal test hook) the run moves mid-fit and ends equal to a run on wasm alone', async () => {
    const r = await session.run<Moved>(SUITE, 'autoMove', true);
    console.log(`29-23-5, batch 32, forced: ${r.backend} after ${r.epochs} epochs (decided at ${r.decidedMs.toFixed(0)} ms): ${r.reason}`);
    expect(r.failures).toEqual([]);
    expect(r.backend).toBe('webgpu');
    expect(r.reason).toMatch(/^auto moved from wasm to WebGPU \(.+\) after epoch \d+ of this fit \(step \d+\): a training step took [\d.e-]+ ms on WebGPU/);
    expect(r.move).toMatchObject({ from: 'wasm', to: 'webgpu' });
    expect(r.move!.epoch).toBeGreaterThan(0);
    expect(r.move!.epoch).toBeLessThan(r.epochs);
  });

  it('a one-epoch fit, WebGPU reported faster: the run moves inside the epoch and WebGPU trains the rest of it', async () => {
    type InEpoch = { failures: string[]; backend: string; reason: string; move: { epoch: number; batch?: number; step: number } | null; batches: number[]; ms: number };
    const r = await session.run<InEpoch>(SUITE, 'autoMoveInEpoch');
    console.log(`29-23-5, batch 8, one epoch of 201 batches, forced: ${r.backend} in ${r.ms.toFixed(0)} ms: ${r.reason}`);
    expect(r.failures).toEqual([]);
    expect(r.backend).toBe('webgpu');
    expect(r.reason).toMatch(/^auto moved from wasm to WebGPU \(.+\) in epoch 1 of this fit, after its batch \d+ \(step \d+\): a training step took/);
    expect(r.move).toMatchObject({ epoch: 0 });
    expect(r.move!.batch).toBeGreaterThan(0);
    expect(r.move!.batch).toBeLessThan(201);
    expect(r.batches).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
  });
});

describe('training on the tuner\'s choices', () => {
  for (const tune of ['off', 'full'] as const) {
    it(`tune '${tune}': 37-68-5 (tanh, softmax; momentum, batch 48, short last batch) equals the CPU after 3 epochs`, async () => {
      const r = await session.run<{ failures: string[]; variants: string[] }>(SUITE, 'tunedTrainingParity', tune, 3);
      console.log(`tune '${tune}':\n  ${r.variants.join('\n  ')}`);
      expect(r.failures).toEqual([]);
      // forward, dW and delta products: 2 + 2 + 1
      expect(r.variants.length).toBeGreaterThanOrEqual(5);
      if (tune === 'full') expect(r.variants.filter((v) => v.endsWith('(measured)')).length).toBeGreaterThan(0);
    });
  }
});

describe('tuner caches', () => {
  it('IndexedDB: a record written is read back by a new store, per database', async () => {
    const r = await session.run<{ read: unknown; missing: unknown; other: unknown }>(SUITE, 'indexedDbRoundTrip');
    expect(r.read).toEqual({ version: 1, choices: { 'AB 9x9x9': 'blocked-4x4' } });
    expect(r.missing).toBeNull();
    expect(r.other).toBeNull();
  });

  it('a tuned shape is not measured again on the device, and a new device of the adapter reads the stored choice', async () => {
    const r = await session.run<{ first: string; second: string; compiledBetween: number; storedOnNewDevice: string | null }>(SUITE, 'tunerCaching');
    expect(r.first).toMatch(/ measured$/);
    expect(r.second).toBe(r.first);
    expect(r.compiledBetween).toBe(0);
    expect(r.storedOnNewDevice).toBe(r.first.replace(/measured$/, 'cache'));
  });
});
