// The wasm backend in headless Chromium: the parity matrix against the float64 CPU backend
// (test/wasm-parity-cases.ts, as test/wasm-parity.test.ts runs it in Node) by the page's own
// engine, one page call per group, and XOR through the public API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { WASM_PARITY_GROUPS } from './wasm-parity-cases';

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
