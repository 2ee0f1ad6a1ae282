import { SHADER_STAGE_COMPUTE } from '../usage';
import type { BindingAccess, BindingName, EntryInterface, EntryName, KernelInterface, NoOtherNames } from './kernel-interface';
import { BATCH_LAYOUT } from './registry';
import { specializeActivation } from './specialize-activation';

type Constants = Record<string, number | boolean>;

/** A pipeline that may still be compiling: `pipeline` is set once it is ready. */
export interface PipelineRef {
  pipeline: GPUComputePipeline | null;
  /** Resolves with the pipeline when compiled (rejects if it does not compile). */
  ready: Promise<GPUComputePipeline>;
}

/** What a cache has compiled, for reports (time to first step). */
export interface CompileStats {
  /** Pipelines created on this device, by `kernel:entry`. */
  pipelines: Record<string, number>;
  /** Wall time of each `createComputePipelineAsync`, from the request to the pipeline (ms). */
  asyncMs: number[];
}

const BUFFER_TYPE: Record<BindingAccess, GPUBufferBindingType> = { uniform: 'uniform', read: 'read-only-storage', read_write: 'storage' };

/**
 * Compute pipelines built once per device, cached by kernel, entry point and override constants,
 * with layouts from the kernel's reflected interface; compiled asynchronously
 * ({@link PipelineCache.ref}) or at once ({@link PipelineCache.get}).
 *
 * @example
 * const cache = PipelineCache.for(device);
 * const p = cache.get(KERNELS.matmul, 'main', { TRANS_A: true });
 */
export class PipelineCache {
  // Group 0 holds the bindings the entry point uses (with the access the WGSL declares), group 1
  // the per-batch uniform, selected by dynamic offset. ref() compiles with
  // createComputePipelineAsync, in parallel off the calling thread; get() returns a finished
  // pipeline, creating it synchronously when it was not asked for before.
  private static readonly perDevice = new WeakMap<GPUDevice, PipelineCache>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pending = new Map<string, PipelineRef>();
  private readonly counts: Record<string, number> = {};
  private readonly asyncMs: number[] = [];
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
  layout<K extends KernelInterface>(kernel: K, entry: EntryName<K>): GPUBindGroupLayout {
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
  get<K extends KernelInterface>(kernel: K, entry: EntryName<K>, constants: Constants = {}): GPUComputePipeline {
    const key = pipelineKey(kernel, entry, constants);
    let p = this.pipelines.get(key) ?? this.pending.get(key)?.pipeline ?? undefined;
    if (!p) {
      p = this.device.createComputePipeline(this.descriptor(kernel, entry, constants, key));
      this.pipelines.set(key, p);
      this.counted(kernel, entry);
    }
    return p;
  }

  /**
   * The pipeline as a {@link PipelineRef}: ready at once when built before, else compiled with
   * `createComputePipelineAsync` (one compilation per key, however many ask).
   *
   * @example
   * const refs = specs.map((s) => cache.ref(s.kernel, s.entry, s.constants));
   * await Promise.all(refs.map((r) => r.ready));
   */
  ref<K extends KernelInterface>(kernel: K, entry: EntryName<K>, constants: Constants = {}): PipelineRef {
    const key = pipelineKey(kernel, entry, constants);
    const done = this.pipelines.get(key);
    if (done) return { pipeline: done, ready: Promise.resolve(done) };
    let r = this.pending.get(key);
    if (!r) {
      const t0 = performance.now();
      // declared before the promise whose callback fills it in and built once the promise exists:
      // a promise's callbacks run after this synchronous code, so `ref` is set by then
      let ref: PipelineRef | null = null;
      const ready = this.device.createComputePipelineAsync(this.descriptor(kernel, entry, constants, key)).then(
        (p) => {
          this.asyncMs.push(performance.now() - t0);
          if (ref) ref.pipeline = p;
          if (!this.pipelines.has(key)) this.pipelines.set(key, p);
          this.pending.delete(key);
          return p;
        },
        (e: unknown) => {
          this.pending.delete(key);
          throw e;
        },
      );
      ref = { pipeline: null, ready };
      this.pending.set(key, ref);
      this.counted(kernel, entry);
      r = ref;
    }
    return r;
  }

  /** True when the pipeline is built (not still compiling). */
  has<K extends KernelInterface>(kernel: K, entry: EntryName<K>, constants: Constants = {}): boolean {
    return this.pipelines.has(pipelineKey(kernel, entry, constants));
  }

  /** Pipelines created so far on this device, and how long the asynchronous ones took. */
  stats(): CompileStats {
    return { pipelines: { ...this.counts }, asyncMs: [...this.asyncMs] };
  }

  private counted(kernel: KernelInterface, entry: string): void {
    const name = `${kernel.name}:${entry}`;
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }

  private descriptor(kernel: KernelInterface, entry: string, constants: Constants, key: string): GPUComputePipelineDescriptor {
    const unknown = Object.keys(constants).filter((k) => !kernel.overrides.includes(k));
    if (unknown.length) throw new Error(`${kernel.name}.wgsl has no override ${unknown.join(', ')} (overrides: ${kernel.overrides.join(', ') || 'none'})`);
    // a fixed activation gets a module with only its cases (specialize-activation.ts says why)
    const activation = kernel.overrides.includes('ACTIVATION') && !constants.RUNTIME_MODES ? Number(constants.ACTIVATION ?? 0) : null;
    const moduleKey = activation === null ? kernel.name : `${kernel.name} (activation ${activation})`;
    let module = this.modules.get(moduleKey);
    if (!module) {
      module = this.device.createShaderModule({ label: moduleKey, code: activation === null ? kernel.code : specializeActivation(kernel.code, activation) });
      this.modules.set(moduleKey, module);
    }
    const numeric: Record<string, number> = {};
    for (const [k, v] of Object.entries(constants)) numeric[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    return {
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(kernel, entry), this.batchLayout] }),
      compute: { module, entryPoint: entry, constants: numeric },
    };
  }
}

/** The cache key of a pipeline: kernel, entry point and override constants. */
const pipelineKey = (kernel: KernelInterface, entry: string, constants: Constants) => `${kernel.name}:${entry}:${JSON.stringify(Object.entries(constants).sort())}`;

/** The reflected entry point, or an error naming the ones the kernel has. */
export function entryOf<K extends KernelInterface>(kernel: K, entry: EntryName<K>): EntryInterface {
  const e = kernel.entries[entry];
  if (!e) throw new Error(`${kernel.name}.wgsl has no compute entry point '${entry}' (it has ${Object.keys(kernel.entries).join(', ')})`);
  return e;
}

/**
 * The buffers of a bind group for entry point `E` of `K`, by binding name: every binding the
 * entry uses (null: unused) and no other. For an unnarrowed {@link KernelInterface}, any names.
 */
export type BindingBuffers<K extends KernelInterface, E extends EntryName<K>> = { [N in BindingName<K, E>]: GPUBuffer | null };

/**
 * The group-0 entries of a bind group for `entry` of `kernel`, from buffers by binding name: each
 * binding the entry uses (null: a placeholder is bound) and no other name. The compiler checks a
 * kernel imported with `?kernel`; at run time a mismatch with the WGSL throws, naming the binding.
 *
 * @example
 * bindGroupEntries(KERNELS.softmax, 'main', { params: u, z: logits }, placeholder);
 */
export function bindGroupEntries<K extends KernelInterface, E extends EntryName<K>, B extends BindingBuffers<K, E>>(
  kernel: K, entry: E, buffers: B & NoOtherNames<B, BindingBuffers<K, E>>,
  placeholder: (access: BindingAccess, nth: number) => GPUBuffer,
): GPUBindGroupEntry[] {
  const bindings = entryOf(kernel, entry).bindings;
  const given: Record<string, GPUBuffer | null> = buffers;
  const extra = Object.keys(given).filter((name) => !bindings.some((b) => b.name === name));
  if (extra.length) throw new Error(`${kernel.name}.wgsl ${entry}() binds no ${extra.join(', ')} (it binds ${bindings.map((b) => b.name).join(', ')})`);
  let unused = 0;
  return bindings.map((b) => {
    if (!(b.name in given)) throw new Error(`${kernel.name}.wgsl ${entry}() binds '${b.name}' (binding ${b.binding}, ${b.access}) but no buffer was given for it`);
    const buffer = given[b.name] ?? placeholder(b.access, unused++);
    return { binding: b.binding, resource: { buffer } };
  });
}
