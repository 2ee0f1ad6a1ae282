// The demo page in a Chromium without WebGPU: it says so, trains on the CPU when WebGPU is asked
// for, on WebAssembly with 'auto' or when asked, and the parity check compares wasm with the CPU
// and explains why WebGPU was not compared. Screenshots go to test-output/.
import { describe, expect, it } from 'vitest';
import { screenshot, startDemo } from '../demo/e2e/page-driver';

describe('demo page in a browser without WebGPU', () => {
  it('says so, trains on WebAssembly with auto or when asked, and a run that asks for WebGPU trains on the CPU instead', async () => {
    const noGpu = await startDemo({ webgpu: false });
    try {
      const p = await noGpu.open(1366, 768);
      await p.waitForFunction(() => /not available/.test(document.getElementById('gpu-banner')!.textContent!), { timeout: 60_000 });
      expect(await p.$eval('#gpu-banner', (e) => e.textContent)).toMatch(/WebGPU is not available here \((navigator\.gpu is missing|navigator\.gpu\.requestAdapter\(\) returned no adapter).*\)\. Training runs on WebAssembly SIMD \(float32\)/);
      await p.select('#dataset', 'xor');
      await p.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('dataset-info')!.textContent!.startsWith('XOR'), { timeout: 60_000 });
      // 'auto' without WebGPU: the editor estimates wasm alone, and the run trains on it
      await p.waitForFunction(() => /≈ [\d.]+ (ms|s|min|h) per epoch on WebAssembly \(wasm\)$/.test(document.getElementById('parameters')!.textContent!), { timeout: 60_000 });
      await p.click('#train');
      await p.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state!), { timeout: 120_000 });
      expect(await p.$eval('#status', (e) => e.textContent!)).toMatch(/Trained 300 epoch\(s\) on WebAssembly \(wasm\)/);
      expect(await p.$eval('#backend', (e) => e.textContent)).toBe('WASM');
      expect(await p.$eval('#backend-reason', (e) => e.textContent)).toMatch(/^no WebGPU: .*; training on wasm$/);
      // WebAssembly chosen in the editor
      await p.click('#backend-wasm');
      await p.click('#train');
      await p.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state!), { timeout: 120_000 });
      expect(await p.$eval('#status', (e) => e.textContent!)).toMatch(/Trained 300 epoch\(s\) on WebAssembly \(wasm\) .*accuracy on all 4 rows/);
      expect(await p.$eval('#backend', (e) => e.textContent)).toBe('WASM');
      expect(await p.$eval('#backend-reason', (e) => e.textContent)).toBe("backend 'wasm' was requested");
      await p.click('#backend-webgpu');
      await p.click('#train');
      await p.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state!), { timeout: 120_000 });
      const status = await p.$eval('#status', (e) => e.textContent!);
      expect(status).toMatch(/Trained 300 epoch\(s\) on the CPU/);
      expect(await p.$eval('#backend', (e) => e.textContent)).toBe('CPU');
      const banner = await p.$eval('#gpu-banner', (e) => e.textContent!);
      console.log(`without WebGPU: ${banner} / ${status}`);
      expect(banner).toMatch(/WebGPU could not be used \(backend 'webgpu' was requested but no WebGPU device is available: .*\); training continues on the CPU/);
      await p.click('#parity');
      await p.waitForFunction(() => document.body.dataset.state !== 'checking', { timeout: 60_000 });
      const parity = await p.$eval('#parity-result', (e) => e.textContent!);
      console.log(`parity without WebGPU: ${parity}`);
      expect(parity).toMatch(/the parity check needs WebGPU, which is unavailable here/);
      // wasm (float32) against the CPU (float64), the same steps from the same seed
      const wasm = /max \|w_cpu − w_wasm\| = ([\d.e+-]+)/.exec(parity);
      expect(wasm, parity).not.toBeNull();
      expect(Number(wasm![1])).toBeLessThan(1e-4);
      await screenshot(p, 'demo-no-webgpu.png');
    } finally {
      await noGpu.close();
    }
  });
});
