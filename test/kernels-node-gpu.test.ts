// The parity tests under Node, on WebGPU from Dawn (npm `webgpu`): the kernel cases of
// test/kernels.browser.test.ts (every entry point and matmul variant, at odd shapes) and the
// training parity matrix of test/trainer.browser.test.ts, run in this process instead of a page.
// Dawn needs the Vulkan loader (Debian: libvulkan1) and a Vulkan driver; without a GPU this file
// points it at the SwiftShader ICD that Debian's chromium ships, unless VK_ICD_FILENAMES is set.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_BLOCKS, TILE_SIBLING_BLOCKS, caseName, kernelCases } from './browser/suites/kernel-cases';
import { parityCases } from './browser/suites/parity-cases';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

/** Dawn's GPU object: kept reachable for the whole file (its collection stalls its devices). */
let dawn: GPU | null = null;
let suites: { kernels: typeof import('./browser/suites/kernels'); trainer: typeof import('./browser/suites/trainer') };

beforeAll(async () => {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  dawn = create([]);
  const adapter = await dawn.requestAdapter();
  if (!adapter) {
    throw new Error(
      `Dawn found no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}). It needs the Vulkan loader ` +
        "(Debian: apt-get install libvulkan1) and a Vulkan driver: the GPU vendor's, or SwiftShader (Debian's chromium ships " +
        `${SWIFTSHADER_ICD}; point VK_ICD_FILENAMES at it).`,
    );
  }
  // the suites request their device through navigator.gpu, as in a page
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn }, configurable: true, writable: true });
  suites = { kernels: await import('./browser/suites/kernels'), trainer: await import('./browser/suites/trainer') };
  const i = adapter.info;
  console.log(`Dawn adapter: ${[i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ')}; features ${[...adapter.features].filter((f) => f === 'subgroups' || f === 'timestamp-query').join(', ')}`);
});

/**
 * The kernel cases run here: every entry point (the tile-size siblings of a block swept here run
 * in Chromium only), at the odd shapes and one case in six of the rest — the full set runs in
 * Chromium (test/kernels.browser.test.ts), and repeating all of it under Dawn would double the
 * suite's time for the same kernels.
 */
const ODD_SHAPES = /1×1×1|9×9×9|45×65×33|1×1\b|9×9\b|45×65\b/;
const nodeCases = (block: (typeof KERNEL_BLOCKS)[number]) => kernelCases[block].filter((c, i) => ODD_SHAPES.test(caseName(c)) || i % 6 === 0);

for (const block of KERNEL_BLOCKS.filter((b) => !TILE_SIBLING_BLOCKS.includes(b))) {
  describe(`Dawn: ${block}`, () => {
    for (const c of nodeCases(block)) {
      const name = caseName(c);
      it(name, async () => {
        const failures = await suites.kernels.runKernelCase(block, name);
        expect(failures, `${block}: ${name}\n${failures.join('\n')}`).toEqual([]);
      });
    }
  });
}

/** float32 GPU vs float64 CPU after k steps (as test/trainer.browser.test.ts allows). */
const tolerance = (steps: number) => (steps <= 1 ? { atol: 1e-6, rtol: 1e-4 } : steps <= 20 ? { atol: 5e-6, rtol: 5e-4 } : { atol: 2e-5, rtol: 2e-3 });

describe('Dawn: GPU trainer parity with the CPU path', () => {
  for (const c of parityCases) {
    it(c.name, async () => {
      const r = await suites.trainer.runParity(c);
      expect(r.failures, r.failures.join('\n')).toEqual([]);
      for (const cp of r.checkpoints) {
        const tol = tolerance(cp.steps);
        cp.cpu.forEach((w: number, i: number) => {
          const d = Math.abs(w - cp.gpu[i]);
          expect(d, `${c.name}: after ${cp.steps} steps, parameter #${i}: cpu ${w} gpu ${cp.gpu[i]} (atol ${tol.atol} + rtol ${tol.rtol}·|w|)`).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(w));
        });
        expect(Math.abs(cp.lossCpu - cp.lossGpu), `${c.name}: loss cpu ${cp.lossCpu} gpu ${cp.lossGpu}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(cp.lossCpu)));
      }
    });
  }
});
