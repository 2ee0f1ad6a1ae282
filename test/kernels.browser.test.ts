// Every WGSL kernel entry point against the float64 CPU path, in headless Chromium: one describe
// block per kernel file and entry point (see test/browser/suites/kernel-cases.ts for the cases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import { KERNEL_BLOCKS, caseName, kernelCases } from './browser/suites/kernel-cases';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
  console.log(`WebGPU adapter: ${session.adapter}`);
});
afterAll(async () => session?.close());

for (const block of KERNEL_BLOCKS) {
  describe(block, () => {
    for (const c of kernelCases[block]) {
      const name = caseName(c);
      it(name, async () => {
        const failures = await session.run<string[]>('/test/browser/suites/kernels.ts', 'runKernelCase', block, name);
        expect(failures, `${block}: ${name}\n${failures.join('\n')}\n${session.log.slice(-5).join('\n')}`).toEqual([]);
      });
    }
  });
}
