// Every WGSL kernel against the float64 CPU path, in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { caseName, kernelCases } from './browser/suites/kernel-cases';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
  console.log(`WebGPU adapter: ${session.adapter}`);
});
afterAll(async () => session?.close());

describe('WGSL kernels vs the CPU reference (headless Chromium)', () => {
  for (const c of kernelCases) {
    const name = caseName(c);
    it(name, async () => {
      const failures = await session.run<string[]>('/test/browser/suites/kernels.ts', 'runKernelCase', name);
      expect(failures, `${name}\n${failures.join('\n')}\n${session.log.slice(-5).join('\n')}`).toEqual([]);
    });
  }
});
