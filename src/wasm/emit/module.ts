/**
 * Assembles a WebAssembly module (spec §5.5) from functions built at run time: one imported
 * memory, the functions' types (deduplicated), their bodies and exports. Functions are declared
 * before they are defined, so that bodies can call functions defined later.
 *
 * @example
 * const m = new ModuleBuilder();
 * const add = m.declare('add', [ValType.i32, ValType.i32], [ValType.i32], true);
 * m.define(add, (f) => i32.add(get(f.param(0)), get(f.param(1))));
 * const bytes = m.encode();
 */
import { type Bytes, name, section, seq, uleb, vec } from './encoding';
import { type Local, ValType } from './instructions';

/** The locals of one function body: its parameters first, then what {@link FunctionBuilder.local} adds. */
export class FunctionBuilder {
  private readonly extra: ValType[] = [];

  constructor(private readonly params: readonly ValType[]) {}

  /** Parameter `i`. */
  param(i: number): Local {
    if (i < 0 || i >= this.params.length) throw new RangeError(`param ${i}: the function takes ${this.params.length} parameters`);
    return { index: i, type: this.params[i] };
  }

  /** A new local of `type` (zero-initialised on entry). */
  local(type: ValType): Local {
    this.extra.push(type);
    return { index: this.params.length + this.extra.length - 1, type };
  }

  /** The locals declaration: runs of equal types. */
  encodeLocals(): Bytes {
    const runs: Bytes[] = [];
    for (let i = 0; i < this.extra.length; ) {
      let j = i;
      while (j < this.extra.length && this.extra[j] === this.extra[i]) j++;
      runs.push([...uleb(j - i), this.extra[i]]);
      i = j;
    }
    return vec(runs);
  }
}

interface Declared {
  name: string;
  type: number;
  exported: boolean;
  body: Bytes | null;
}

/** A module under construction (see the file's example). */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly functions: Declared[] = [];
  private readonly paramLists: (readonly ValType[])[] = [];
  private readonly imports: { module: string; name: string; type: number }[] = [];

  /** `shared`: the imported memory is a shared one (threads), whose type needs a maximum: 65536 pages, all wasm32 addresses. */
  constructor(private readonly shared = false) {}

  /** Imports a host function (before any function is declared: imports take the first indices); returns its index. */
  importFunction(module: string, fname: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.functions.length) throw new Error(`import ${module}.${fname}: imports come before declared functions`);
    this.imports.push({ module, name: fname, type: this.typeIndex(params, results) });
    return this.imports.length - 1;
  }

  /** The function type index of `params → results`, added on first use. */
  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    let i = this.types.indexOf(key);
    if (i < 0) i = this.types.push(key) - 1;
    return i;
  }

  /** Declares a function; returns its index (for `call`). */
  declare(fname: string, params: readonly ValType[], results: readonly ValType[], exported = false): number {
    if (this.functions.some((f) => f.name === fname)) throw new Error(`function ${fname} is declared twice`);
    this.functions.push({ name: fname, type: this.typeIndex(params, results), exported, body: null });
    this.paramLists.push(params);
    return this.imports.length + this.functions.length - 1;
  }

  /** Defines function `index`'s body from `build`, which gets its locals and returns its instructions. */
  define(index: number, build: (f: FunctionBuilder) => Bytes): void {
    const fn = this.functions[index - this.imports.length];
    if (!fn) throw new RangeError(`define: no declared function ${index}`);
    if (fn.body) throw new Error(`function ${fn.name} is defined twice`);
    const f = new FunctionBuilder(this.paramLists[index - this.imports.length]);
    const code = build(f);
    const body = seq(f.encodeLocals(), code, 0x0b);
    fn.body = seq(uleb(body.length), body);
  }

  /** Declares and defines in one call. */
  add(fname: string, params: readonly ValType[], results: readonly ValType[], build: (f: FunctionBuilder) => Bytes, exported = false): number {
    const i = this.declare(fname, params, results, exported);
    this.define(i, build);
    return i;
  }

  /** The module's bytes; its memory is imported as `env.memory` (at least one page, any maximum; shared when built so). */
  encode(): Uint8Array<ArrayBuffer> {
    const missing = this.functions.find((f) => !f.body);
    if (missing) throw new Error(`function ${missing.name} was declared but not defined`);
    const types = this.types.map((key) => {
      const [p, r] = key.split('>').map((s) => (s ? s.split(',').map(Number) : []));
      return seq(0x60, vec(p.map((t) => [t])), vec(r.map((t) => [t])));
    });
    const memory = seq(name('env'), name('memory'), 0x02, ...(this.shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)]));
    const functionImports = this.imports.map((i) => seq(name(i.module), name(i.name), 0x00, uleb(i.type)));
    const exports = this.functions.flatMap((f, i) => (f.exported ? [seq(name(f.name), 0x00, uleb(this.imports.length + i))] : []));
    return new Uint8Array(
      seq(
        [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
        section(1, vec(types)),
        section(2, vec([memory, ...functionImports])),
        section(3, vec(this.functions.map((f) => uleb(f.type)))),
        section(7, vec(exports)),
        section(10, vec(this.functions.map((f) => f.body ?? []))),
      ),
    );
  }
}

/** Re-exported: kernels import value types from here with the builder. */
export { ValType };
