import { SHADER_STAGE_COMPUTE } from './usage';
import type { BindingAccess, KernelInterface } from './kernel-interface';
import { BATCH_LAYOUT } from './registry';

type Constants = Record<string, number | boolean>;

const BUFFER_TYPE: Record<BindingAccess, GPUBufferBindingType> = { uniform: 'uniform', read: 'read-only-storage', read_write: 'storage' };

/**
 * Compute pipelines built once per device and cached by kernel, entry point and override
 * constants. Layouts come from the kernel's reflected interface: group 0 holds the bindings the
 * entry point uses (with the access the WGSL declares), group 1 the per-batch uniform, selected
 * by dynamic offset.
 *
 * @example
 * const cache = PipelineCache.for(device);
 * const p = cache.get(KERNELS.matmul, 'main', { TRANS_A: true });
 */
export class PipelineCache {
  private static readonly perDevice = new WeakMap<GPUDevice, PipelineCache>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  /** Layout of group 1: the per-batch uniform (struct Batch). */
  readonly batchLayout: GPUBindGroupLayout;

  private constructor(readonly device: GPUDevice) {
    this.batchLayout = device.createBindGroupLayout({
      label: 'per-batch uniform',
      entries: [{ binding: 0, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: BATCH_LAYOUT.size } }],
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

  /** The group-0 layout of one entry point, from the bindings it uses. */
  layout(kernel: KernelInterface, entry: string): GPUBindGroupLayout {
    const key = `${kernel.name}:${entry}`;
    let l = this.layouts.get(key);
    if (!l) {
      l = this.device.createBindGroupLayout({
        label: `${key} buffers`,
        entries: entryOf(kernel, entry).bindings.map((b) => ({ binding: b.binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type: BUFFER_TYPE[b.access] } })),
      });
      this.layouts.set(key, l);
    }
    return l;
  }

  /** The pipeline for `kernel`'s `entry` with these override constants (built on first use). */
  get(kernel: KernelInterface, entry: string, constants: Constants = {}): GPUComputePipeline {
    const key = `${kernel.name}:${entry}:${JSON.stringify(Object.entries(constants).sort())}`;
    let p = this.pipelines.get(key);
    if (!p) {
      const unknown = Object.keys(constants).filter((k) => !kernel.overrides.includes(k));
      if (unknown.length) throw new Error(`${kernel.name}.wgsl has no override ${unknown.join(', ')} (overrides: ${kernel.overrides.join(', ') || 'none'})`);
      let module = this.modules.get(kernel.name);
      if (!module) {
        module = this.device.createShaderModule({ label: kernel.name, code: kernel.code });
        this.modules.set(kernel.name, module);
      }
      const numeric: Record<string, number> = {};
      for (const [k, v] of Object.entries(constants)) numeric[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      p = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(kernel, entry), this.batchLayout] }),
        compute: { module, entryPoint: entry, constants: numeric },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }
}

/** The reflected entry point, or an error naming the ones the kernel has. */
export function entryOf(kernel: KernelInterface, entry: string) {
  const e = kernel.entries[entry];
  if (!e) throw new Error(`${kernel.name}.wgsl has no compute entry point '${entry}' (it has ${Object.keys(kernel.entries).join(', ')})`);
  return e;
}
