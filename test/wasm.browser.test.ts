// The wasm backend in headless Chromium: the parity matrix against the float64 CPU backend
// (test/wasm-parity-cases.ts, as test/wasm-parity.test.ts runs it in Node) by the page's own
// engine, one page call per group, XOR through the public API, and the threaded cases in a
// second, cross-origin-isolated page (the headers an embedding page must send for threads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { WASM_PARITY_GROUPS, WASM_THREADED_CASES } from './wasm-parity-cases';

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const SUITE = '/test/browser/suites/wasm.ts';
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

describe('wasm backend in Chromium', () => {
  it("XOR through MLP with backend 'wasm': the page has SIMD128, the model trains on wasm and learns XOR", async () => {
    const r = await session.run<{ missing: string | null; backend: string; reason: string; accuracy: number }>(SUITE, 'xorOnWasm');
    expect(r).toEqual({ missing: null, backend: 'wasm', reason: "backend 'wasm' was requested", accuracy: 1 });
  });

  for (const [group, cases] of Object.entries(WASM_PARITY_GROUPS)) {
    it(`${group}: ${cases.length} cases`, async () => {
      const r = await session.run<{ cases: number; failures: string[] }>(SUITE, 'runWasmParityGroup', group);
      expect(r.cases).toBe(cases.length);
      expect(r.failures, r.failures.slice(0, 10).join('\n')).toEqual([]);
    });
  }
});

describe('wasm backend on worker threads in a cross-origin-isolated Chromium page', () => {
  it(`${WASM_THREADED_CASES.length} threaded cases: the page has SharedArrayBuffer, jobs go to workers, parameters match the CPU path`, async () => {
    const isolated = await openBrowser('/test/browser/index.html', { headers: ISOLATION });
    try {
      const r = await isolated.run<{ isolated: boolean; cases: number; failures: string[] }>(SUITE, 'runWasmThreadedCases');
      expect(r.isolated, 'crossOriginIsolated in the page served with COOP and COEP').toBe(true);
      expect(r.cases).toBe(WASM_THREADED_CASES.length);
      expect(r.failures, r.failures.slice(0, 10).join('\n')).toEqual([]);
    } finally {
      await isolated.close();
    }
  });
});
