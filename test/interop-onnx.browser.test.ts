// ONNX export run by onnxruntime-web (wasm) in headless Chromium, from models trained in the page
// on the CPU path and on WebGPU: the same predictions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import type { WebResult } from './interop/onnx-web';
import { architectures } from './interop/cases';

const SUITE = '/test/interop/onnx-web.ts';
const TOL = 1e-5;
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

describe('ONNX export with onnxruntime-web in Chromium', () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    it(`runs models trained on ${backend} with the same predictions`, async () => {
      const r = await session.run<{ failures: string[]; results: WebResult[] }>(SUITE, 'onnxWebParity', backend);
      expect(r.failures, r.failures.join('\n') + '\n' + session.log.join('\n')).toEqual([]);
      // each architecture exported twice: Gemm, and MatMul + Add
      expect(r.results).toHaveLength(architectures.length * 2);
      for (const res of r.results) {
        console.log(`ONNX (${res.linear}) -> onnxruntime-web, trained on ${res.backend} (${res.name}): max |prediction difference| = ${res.maxDiff.toExponential(2)}`);
        expect(res.backend).toBe(backend);
        expect(res.maxDiff, `${res.name} ${res.linear}`).toBeLessThanOrEqual(TOL);
      }
    });
  }
});
