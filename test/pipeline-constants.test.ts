// The pipeline cache's override constants, in Node with a recording stand-in device (no GPU): a
// constant the WGSL declares is passed to the pipeline (booleans as 1 and 0) and keys its own
// pipeline; one it does not declare throws, naming it. The normalizations' forward is the case:
// one entry point whose KEEP_PRE (norm-output.wgsl) picks whether y is kept.
import { describe, expect, it } from 'vitest';
import { PipelineCache } from '../src/gpu/kernels/pipelines';
import { FEATURE_KERNELS } from '../src/gpu/kernels/registry';

/** A device that creates plain records, keeping each compute pipeline's descriptor. */
function recordingDevice() {
  const pipelines: GPUComputePipelineDescriptor[] = [];
  const device = {
    createBindGroupLayout: (d: GPUBindGroupLayoutDescriptor) => ({ label: d.label }),
    createShaderModule: (d: GPUShaderModuleDescriptor) => ({ label: d.label }),
    createPipelineLayout: (d: GPUPipelineLayoutDescriptor) => ({ label: d.label }),
    createComputePipeline: (d: GPUComputePipelineDescriptor) => (pipelines.push(d), { label: d.label }),
  };
  return { device: device as unknown as GPUDevice, pipelines };
}

describe('PipelineCache: override constants checked against the WGSL', () => {
  for (const [name, kernel] of [['norm', FEATURE_KERNELS.norm], ['batch-norm', FEATURE_KERNELS.batchNorm]] as const) {
    it(`${name}.wgsl forward: KEEP_PRE true and false are two pipelines, passed as 1 and 0; asked again, each is cached`, () => {
      const { device, pipelines } = recordingDevice();
      const cache = PipelineCache.for(device);
      const kept = cache.get(kernel, 'forward', { ACTIVATION: 8, KEEP_PRE: true });
      const dropped = cache.get(kernel, 'forward', { ACTIVATION: 8, KEEP_PRE: false });
      expect(kept).not.toBe(dropped);
      expect(cache.get(kernel, 'forward', { KEEP_PRE: true, ACTIVATION: 8 }), 'the same constants in another order').toBe(kept);
      expect(pipelines.map((p) => p.compute.constants)).toEqual([{ ACTIVATION: 8, KEEP_PRE: 1 }, { ACTIVATION: 8, KEEP_PRE: 0 }]);
      expect(cache.stats().pipelines).toEqual({ [`${name}:forward`]: 2 });
    });

    it(`${name}.wgsl: a constant the WGSL does not declare throws, naming it and the overrides there are`, () => {
      const cache = PipelineCache.for(recordingDevice().device);
      expect(() => cache.get(kernel, 'forward', { KEEP_PREE: true })).toThrow(new RegExp(`^${name}\\.wgsl has no override KEEP_PREE \\(overrides: .*KEEP_PRE`));
      expect(() => cache.ref(kernel, 'forward', { ACTIVATION: 1, keep_pre: false })).toThrow(/has no override keep_pre/);
      expect(cache.stats().pipelines).toEqual({});
    });
  }

  it('forward binds pre (its layout holds what KEEP_PRE may write); batch norm\'s infer, which never keeps y, does not', () => {
    for (const k of [FEATURE_KERNELS.norm, FEATURE_KERNELS.batchNorm]) {
      expect(k.overrides, k.name).toContain('KEEP_PRE');
      expect(k.entries.forward.bindings.find((b) => b.name === 'pre'), `${k.name} forward`).toEqual({ name: 'pre', binding: 5, access: 'read_write' });
      expect(Object.keys(k.entries), `${k.name}: one forward entry point`).not.toContain('forward_keeping');
    }
    expect(FEATURE_KERNELS.batchNorm.entries.infer.bindings.map((b) => b.name)).not.toContain('pre');
  });
});
