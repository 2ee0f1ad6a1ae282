/**
 * What a WGSL kernel file declares, as reflected from it at build time (shaders/reflect.ts):
 * bindings with their access, uniform struct layouts, workgroup sizes, override names and
 * module-scope constants. The WGSL is the only declaration; the host derives bind-group layouts,
 * bind groups and uniform packing from this.
 *
 * @example
 * import matmul from '../../../shaders/matmul.wgsl?kernel';
 * matmul.entries.main.workgroupSize; // [16, 16, 1]
 * matmul.consts.TILE;                // 64
 */
export interface KernelInterface {
  /** File name without `.wgsl`. */
  name: string;
  /** The WGSL with its `//!include`s expanded: what is compiled. */
  code: string;
  /** Compute entry points by name. */
  entries: Record<string, EntryInterface>;
  /** Uniform structs by variable name (`params`, `batch`). */
  uniforms: Record<string, StructLayout>;
  /** Names of the `override` declarations. */
  overrides: string[];
  /** Module-scope `const` values (sizes, mode codes). */
  consts: Record<string, number>;
}

/** One compute entry point. */
export interface EntryInterface {
  /** `@workgroup_size` with overrides at their defaults. */
  workgroupSize: [number, number, number];
  /** Group-0 resources the entry uses, in binding order. */
  bindings: BindingInterface[];
}

/** Access of a binding, as WGSL writes it. */
export type BindingAccess = 'uniform' | 'read' | 'read_write';

/** One `@group(0) @binding(n) var<…> name`. */
export interface BindingInterface {
  name: string;
  binding: number;
  access: BindingAccess;
}

/** A uniform struct's layout under WGSL's alignment rules. */
export interface StructLayout {
  /** Byte size of the struct. */
  size: number;
  fields: { name: string; offset: number; type: 'u32' | 'i32' | 'f32' }[];
}

/**
 * Writes `values` into `view` at `at` following `layout`. Every field must be given, and no other
 * name: a mismatch between the WGSL and the host throws, naming the field.
 *
 * @example
 * packStruct(reduce.uniforms.params, { cols: 9 }, new DataView(new ArrayBuffer(16)));
 */
export function packStruct(layout: StructLayout, values: Record<string, number>, view: DataView, at = 0, what = 'struct'): DataView {
  const given = new Set(Object.keys(values));
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`${what} has a field '${f.name}' that was not given (given: ${[...given].join(', ') || 'none'})`);
    given.delete(f.name);
    if (f.type === 'f32') view.setFloat32(at + f.offset, v, true);
    else if (f.type === 'i32') view.setInt32(at + f.offset, v, true);
    else view.setUint32(at + f.offset, v, true);
  }
  if (given.size > 0) throw new Error(`${what} has no field named ${[...given].map((n) => `'${n}'`).join(', ')} (fields: ${layout.fields.map((f) => f.name).join(', ')})`);
  return view;
}

/**
 * A kernel's `struct Params` packed from `values` (see {@link packStruct}), in a buffer of at
 * least 16 bytes (the smallest uniform binding), ready for a uniform buffer.
 *
 * @example
 * const words = packParams(KERNELS.softmax, { cols: 10 });
 */
export function packParams(kernel: KernelInterface, values: Record<string, number>): ArrayBuffer {
  const layout = kernel.uniforms.params;
  if (!layout) throw new Error(`${kernel.name}.wgsl declares no params uniform`);
  const words = new ArrayBuffer(Math.max(16, layout.size));
  packStruct(layout, values, new DataView(words), 0, `${kernel.name}.wgsl struct Params`);
  return words;
}

/**
 * The `const` named `name` in `kernel`, or a clear error when the WGSL lacks it.
 *
 * @example
 * kernelConst(matmul, 'TILE'); // 64
 */
export function kernelConst(kernel: KernelInterface, name: string): number {
  const v = kernel.consts[name];
  if (v === undefined) throw new Error(`${kernel.name}.wgsl declares no const ${name}`);
  return v;
}

/**
 * The code of a named mode, from the WGSL's `const PREFIX_NAME` (e.g. `modeCode(loss, 'LOSS',
 * 'binaryCrossEntropy')` reads `LOSS_BINARY_CROSS_ENTROPY`).
 */
export function modeCode(kernel: KernelInterface, prefix: string, mode: string): number {
  return kernelConst(kernel, `${prefix}_${mode.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`);
}
