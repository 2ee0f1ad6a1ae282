// Compact storage and streaming on WebGPU in headless Chromium (SwiftShader): byte data scaled in
// the gather kernel equals its float32 values, data over 8 shards equals the CPU, fitDataset
// equals fit in stream order and the CPU path, the device budget refuses fit with sizes and
// streams instead, bad chunks are named, dispose mid-stream rejects once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { worstRatio } from './cases/tolerance';

const SUITE = '/test/browser/suites/streaming.ts';
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

describe('compact storage', () => {
  it('bytes (scale 1/255, offset −0.25) train as their float32 values, in a quarter of the data bytes; float16 storage equals the CPU in half; 8 shards of padded 30-byte rows (two gather launches) equal the CPU', async () => {
    const r = await session.run<{ failures: string[]; bytesVsFloat: { bytes: number[]; floats: number[]; bytesHeld: number; floatsHeld: number }; sharded: { gpu: number[]; cpu: number[]; gpuLoss: number[]; cpuLoss: number[] }; float16: { gpu: number[]; cpu: number[]; halfHeld: number }; inference: { bytes: number[]; floats: number[]; evalBytes: { loss: number; accuracy: number }; evalFloats: { loss: number; accuracy: number } } }>(SUITE, 'bytesAndShards');
    expect(r.failures).toEqual([]);
    const { bytes, floats, bytesHeld, floatsHeld } = r.bytesVsFloat;
    console.log(`device bytes during fit: ${bytesHeld} with byte inputs, ${floatsHeld} with float32 inputs (300 × 32)`);
    expect(worstRatio(floats, bytes, { atol: 1e-6, rtol: 1e-5 })).toBeLessThanOrEqual(1);
    // the inputs take 300·32 bytes instead of 300·32·4
    expect(floatsHeld - bytesHeld).toBe(300 * 32 * 3);
    expect(worstRatio(r.inference.floats, r.inference.bytes, { atol: 1e-7, rtol: 1e-5 })).toBeLessThanOrEqual(1);
    expect(r.inference.evalBytes.loss).toBeCloseTo(r.inference.evalFloats.loss, 6);
    expect(r.inference.evalBytes.accuracy).toBe(r.inference.evalFloats.accuracy);
    expect(worstRatio(r.float16.cpu, r.float16.gpu, { atol: 2e-5, rtol: 2e-3 })).toBeLessThanOrEqual(1);
    expect(floatsHeld - r.float16.halfHeld).toBe(300 * 32 * 2);
    expect(worstRatio(r.sharded.cpu, r.sharded.gpu, { atol: 2e-5, rtol: 2e-3 })).toBeLessThanOrEqual(1);
    r.sharded.gpuLoss.forEach((l, i) => expect(l).toBeCloseTo(r.sharded.cpuLoss[i], 4));
  });
});

describe('fitDataset', () => {
  it('in stream order equals fit on all rows (WebGPU) and fitDataset on the CPU; a slot that grows; chunks of three storage forms; batches numbered across chunks', async () => {
    type Summary = { losses: number[]; rates: number[]; stopReason: string; bestEpoch?: number; restored?: boolean };
    type Features = { streamed: number[]; inMemory: number[]; cpu: number[]; histories: Record<'streamed' | 'inMemory' | 'cpu', Summary>; heldAfter: number; heldBaseline: number };
    const r = await session.run<{ failures: string[]; weights: Record<string, number[]>; losses: Record<string, number[]>; logs: string[]; heldAfter: number; heldBaseline: number; grow: { gpu: number[]; cpu: number[] }; mixed: { gpu: number[]; cpu: number[] }; features: Features }>(SUITE, 'streamParity');
    expect(r.failures).toEqual([]);
    console.log(`losses: ${JSON.stringify(r.losses)}`);
    expect(worstRatio(r.weights.inMemory, r.weights.streamed, { atol: 1e-6, rtol: 1e-5 })).toBeLessThanOrEqual(1);
    expect(worstRatio(r.weights.cpu, r.weights.streamed, { atol: 2e-5, rtol: 2e-3 })).toBeLessThanOrEqual(1);
    r.losses.streamed.forEach((l, i) => expect(l).toBeCloseTo(r.losses.inMemory[i], 5));
    expect(worstRatio(r.grow.cpu, r.grow.gpu, { atol: 2e-5, rtol: 2e-3 })).toBeLessThanOrEqual(1);
    expect(worstRatio(r.mixed.cpu, r.mixed.gpu, { atol: 2e-5, rtol: 2e-3 })).toBeLessThanOrEqual(1);
    // 300 rows in batches of 16: 18 full batches and one of 12, numbered 1..19 across chunk boundaries
    expect(r.logs.slice(0, 19)).toEqual([...Array.from({ length: 18 }, (_, i) => `1:${i + 1}/null:16`), '1:19/null:12']);
    expect(r.logs.slice(19, 21)).toEqual(['2:1/19:16', '2:2/19:16']);
    expect(r.logs.length).toBe(57);
    // the stream's buffers are freed when it ends
    expect(r.heldAfter).toBe(r.heldBaseline);
    // fit's features together on the stream (weights in the chunks, classWeight, cosine, clipNorm,
    // early stopping restoring the best weights, dropout): as fit on WebGPU and fitDataset on the CPU
    const f = r.features;
    console.log(`features: ${JSON.stringify(f.histories)}`);
    expect(worstRatio(f.inMemory, f.streamed, { atol: 1e-6, rtol: 1e-5 }), 'shape 32 → 24 → 4, 300 rows in chunks of 70, 33, 150, 47, batch 16').toBeLessThanOrEqual(1);
    expect(worstRatio(f.cpu, f.streamed, { atol: 2e-5, rtol: 2e-3 }), 'shape 32 → 24 → 4 against the CPU').toBeLessThanOrEqual(1);
    for (const h of [f.histories.inMemory, f.histories.cpu]) {
      expect([h.stopReason, h.bestEpoch, h.restored]).toEqual([f.histories.streamed.stopReason, f.histories.streamed.bestEpoch, f.histories.streamed.restored]);
      h.losses.forEach((l, i) => expect(f.histories.streamed.losses[i]).toBeCloseTo(l, 4));
      h.rates.forEach((l, i) => expect(f.histories.streamed.rates[i]).toBeCloseTo(l, 6));
    }
    expect(f.histories.streamed.restored).toBe(true);
    expect(f.heldAfter).toBe(f.heldBaseline);
  });

  it('maxDeviceBytes: fit refused before allocating with the sizes, fitDataset streams the same data within it; bad chunks named; divergence mid-stream; dispose mid-stream', async () => {
    const r = await session.run<{ failures: string[]; refusal: string; unchanged: boolean; streamed: { epochs: number; loss: number; peak: number; budget: number; base: number }; errors: Record<string, { msg: string; changed: boolean; finite: boolean }>; divergence: { message: string; finite: boolean }; disposed: string }>(SUITE, 'budgetAndErrors');
    expect(r.failures).toEqual([]);
    console.log(JSON.stringify({ refusal: r.refusal, streamed: r.streamed, errors: r.errors, divergence: r.divergence, disposed: r.disposed }, null, 1));
    expect(r.refusal).toMatch(/^RangeError: training data needs 144000 bytes on the GPU \(inputs 128000 as bytes, targets 8000, sample order 8000\) but \d+ are available \(maxDeviceBytes \d+, of which the model holds \d+\); stream it with model.fitDataset/);
    expect(r.unchanged).toBe(true);
    expect(r.streamed.epochs).toBe(1);
    expect(Number.isFinite(r.streamed.loss)).toBe(true);
    expect(r.streamed.peak).toBeLessThanOrEqual(r.streamed.budget);
    expect(r.errors['wrong width'].msg).toMatch(/^chunk 1 x must have 64 columns/);
    expect(r.errors['beyond float32'].msg).toMatch(/^chunk 1 x holds 1e\+39 at row 0, column 3, beyond float32's range/);
    expect(r.errors['source throws'].msg).toBe('the data source threw while giving chunk 1: network down');
    for (const e of Object.values(r.errors)) expect(e.finite).toBe(true);
    expect(r.divergence.message).toMatch(/^training diverged: the update of epoch 1, batch \d+ made the weights or optimizer state non-finite in float32/);
    expect(r.divergence.finite).toBe(true);
    expect(r.disposed).toMatch(/^fitDataset\(\) did not finish: dispose\(\) was called while it ran/);
  });

  it('MNIST streamed from fetch bodies (idxDataset, chunks of 2048) trains as the same bytes held whole', async () => {
    const r = await session.run<{ failures: string[]; sizes: number[]; loss: { streamed: number; whole: number; accuracy: number }; weights: { streamed: number[]; whole: number[] } }>(SUITE, 'mnistFromFetch');
    expect(r.failures).toEqual([]);
    console.log(`MNIST t10k streamed from fetch: chunks ${r.sizes.join(', ')}; loss ${r.loss.streamed} (held whole: ${r.loss.whole}), accuracy ${r.loss.accuracy}`);
    expect(r.sizes).toEqual([2048, 2048, 2048, 2048, 1808]);
    expect(worstRatio(r.weights.whole, r.weights.streamed, { atol: 1e-6, rtol: 1e-5 })).toBeLessThanOrEqual(1);
    expect(r.loss.streamed).toBeCloseTo(r.loss.whole, 5);
    expect(r.loss.accuracy).toBeGreaterThan(0.7);
  });
});
