import { SHADER_STAGE_COMPUTE } from './usage';
import type { ShaderDef } from './shaders';

/** Bytes between per-batch uniform entries (the dynamic-offset alignment). */
export const BATCH_STRIDE = 256;
/** Bytes of one per-batch uniform entry (struct Batch in batch.wgsl). */
export const BATCH_BYTES = 32;

type Constants = Record<string, number | boolean>;

/**
 * Compute pipelines built once per device and cached by shader, entry point and override
 * constants, with explicit bind-group layouts (group 0: the kernel's buffers; group 1: the
 * per-batch uniform, selected by dynamic offset).
 *
 * @example
 * const cache = PipelineCache.for(device);
 * const p = cache.get(SHADERS.matmul, 'main', { TRANS_A: true });
 */
export class PipelineCache {
  private static readonly perDevice = new WeakMap<GPUDevice, PipelineCache>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  readonly batchLayout: GPUBindGroupLayout;

  private constructor(readonly device: GPUDevice) {
    this.batchLayout = device.createBindGroupLayout({
      label: 'per-batch uniform',
      entries: [{ binding: 0, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: BATCH_BYTES } }],
    });
  }

  /** The cache shared by everything on `device`. */
  static for(device: GPUDevice): PipelineCache {
    let c = PipelineCache.perDevice.get(device);
    if (!c) {
      c = new PipelineCache(device);
      PipelineCache.perDevice.set(device, c);
    }
    return c;
  }

  /** Number of pipelines built so far on this device. */
  get size(): number {
    return this.pipelines.size;
  }

  /** The group-0 layout of a kernel family. */
  layout(def: ShaderDef): GPUBindGroupLayout {
    let l = this.layouts.get(def.name);
    if (!l) {
      l = this.device.createBindGroupLayout({
        label: `${def.name} buffers`,
        entries: def.slots.map((slot, binding) => ({
          binding,
          visibility: SHADER_STAGE_COMPUTE,
          buffer: { type: slot === 'uniform' ? 'uniform' : slot === 'read' ? 'read-only-storage' : 'storage' },
        })),
      });
      this.layouts.set(def.name, l);
    }
    return l;
  }

  /** The pipeline for `def`'s `entry` with these override constants (built on first use). */
  get(def: ShaderDef, entry = 'main', constants: Constants = {}): GPUComputePipeline {
    const key = `${def.name}:${entry}:${JSON.stringify(Object.entries(constants).sort())}`;
    let p = this.pipelines.get(key);
    if (!p) {
      let module = this.modules.get(def.name);
      if (!module) {
        module = this.device.createShaderModule({ label: def.name, code: def.code });
        this.modules.set(def.name, module);
      }
      const numeric: Record<string, number> = {};
      for (const [k, v] of Object.entries(constants)) numeric[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      p = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(def), this.batchLayout] }),
        compute: { module, entryPoint: entry, constants: numeric },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }
}
