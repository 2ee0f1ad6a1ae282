/**
 * What a WGSL kernel file declares, reflected at build time (shaders/reflect.ts): entry points with
 * their bindings and workgroup sizes, uniform layouts, overrides and constants. `Entries` and
 * `Uniforms` narrow it per file (generated: wgsl-modules.d.ts).
 *
 * @example
 * import matmul from '../../../shaders/matmul.wgsl?kernel';
 * matmul.entries.main.workgroupSize; // [16, 16, 1]
 * matmul.consts.TILE;                // 64
 */
export interface KernelInterface<
  Entries extends Record<string, EntryInterface> = Record<string, EntryInterface>,
  Uniforms extends Record<string, StructLayout> = Record<string, StructLayout>,
> {
  // The WGSL is the only declaration: the host derives bind-group layouts, bind groups and uniform
  // packing from this. With `Entries` and `Uniforms` left out, any names are allowed.
  /** File name without `.wgsl`. */
  name: string;
  /** The WGSL with its `//!include`s expanded: what is compiled. */
  code: string;
  /** Compute entry points by name. */
  entries: Entries;
  /** Uniform structs by variable name (`params`, `batch`). */
  uniforms: Uniforms;
  /** Names of the `override` declarations. */
  overrides: string[];
  /** Module-scope `const` values (sizes, mode codes). */
  consts: Record<string, number>;
}

/** One compute entry point; `Binding` narrows the names and access of its bindings. */
export interface EntryInterface<Binding extends BindingInterface = BindingInterface> {
  /** `@workgroup_size` with overrides at their defaults. */
  workgroupSize: [number, number, number];
  /** Group-0 resources the entry uses, in binding order. */
  bindings: Binding[];
}

/** Access of a binding, as WGSL writes it. */
export type BindingAccess = 'uniform' | 'read' | 'read_write';

/** One `@group(0) @binding(n) var<…> name`. */
export interface BindingInterface<Name extends string = string, Access extends BindingAccess = BindingAccess> {
  name: Name;
  binding: number;
  access: Access;
}

/** A uniform struct's layout under WGSL's alignment rules; `Field` narrows its field names. */
export interface StructLayout<Field extends string = string> {
  /** Byte size of the struct. */
  size: number;
  fields: { name: Field; offset: number; type: 'u32' | 'i32' | 'f32' }[];
}

/**
 * A kernel file's interface in names only: entry point → binding name → access, and uniform
 * variable → its fields (a union of names). What wgsl-modules.d.ts declares per file.
 *
 * @example
 * const softmax = { entries: { main: { params: 'uniform', z: 'read_write' } }, uniforms: { params: 'cols' } } satisfies KernelShape;
 */
export interface KernelShape {
  entries: Record<string, Record<string, BindingAccess>>;
  uniforms: Record<string, string>;
}

/**
 * The {@link KernelInterface} of a file of shape `S`, with every entry, binding and field name
 * narrowed to those the WGSL declares.
 *
 * @example
 * declare const softmax: ReflectedKernel<{ entries: { main: { params: 'uniform'; z: 'read_write' } }; uniforms: { params: 'cols' } }>;
 */
export type ReflectedKernel<S extends KernelShape> = KernelInterface<
  { [E in keyof S['entries']]: EntryInterface<{ [N in keyof S['entries'][E] & string]: BindingInterface<N, S['entries'][E][N]> }[keyof S['entries'][E] & string]> },
  { [U in keyof S['uniforms']]: StructLayout<S['uniforms'][U]> }
>;

/** Names of the compute entry points of `K` (any string for an unnarrowed kernel). */
export type EntryName<K extends KernelInterface> = keyof K['entries'] & string;

/** Names of the bindings entry point `E` of `K` uses. */
export type BindingName<K extends KernelInterface, E extends EntryName<K>> = K['entries'][E]['bindings'][number]['name'];

/**
 * The values of `K`'s `struct Params`, one number per field: exactly what {@link packParams}
 * takes (`never` when the WGSL declares no params uniform).
 */
export type ParamsValues<K extends KernelInterface> = string extends keyof K['uniforms']
  ? Record<string, number>
  : K['uniforms'] extends { params: StructLayout<infer Field> } ? Record<Field, number> : never;

/**
 * Property names of `Given` that `Known` lacks, each typed `never` (none when `Known` takes any
 * name). Intersected with an inferred parameter, it rejects the names that inference lets in.
 *
 * @example
 * declare function f<V extends { cols: number }>(v: V & NoOtherNames<V, { cols: number }>): void; // f({ cols: 1, rows: 2 }) fails
 */
export type NoOtherNames<Given, Known> = string extends keyof Known ? unknown : { [N in Exclude<keyof Given, keyof Known>]: never };

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
 * least 16 bytes (the smallest uniform binding), ready for a uniform buffer. For a kernel imported
 * with `?kernel`, a field missing, misspelt or extra fails to compile; at run time it throws.
 *
 * @example
 * const words = packParams(KERNELS.softmax, { cols: 10 });
 */
export function packParams<K extends KernelInterface, V extends ParamsValues<K>>(kernel: K, values: V & NoOtherNames<V, ParamsValues<K>>): ArrayBuffer {
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
