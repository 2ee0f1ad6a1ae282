// Typed declarations of the kernel files. For each shaders/*.wgsl, a `declare module
// '*/NAME.wgsl?kernel'` whose default export is a ReflectedKernel of the file's entry points,
// binding names (with access) and uniform field names, reflected by the same code as the Vite
// plugin (reflect.ts); the sets of bindings and fields that several files or entry points share
// are written once, as named types of one namespace. scripts/kernel-types.mjs writes it to KERNEL_TYPES_FILE (`npm run
// typecheck` runs it first); test/kernel-types.test.ts fails when that file is stale.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { KernelInterface } from '../src/gpu/kernels/kernel-interface';
import { expandIncludes, reflectKernel } from './reflect';

/** Where the declarations live, relative to the project root. */
export const KERNEL_TYPES_FILE = 'src/gpu/kernels/wgsl-modules.d.ts';

const HEADER = `// Generated from shaders/*.wgsl by scripts/kernel-types.mjs (shaders/kernel-types.ts, which reflects
// each file as the Vite plugin does); do not edit. \`npm run typecheck\` rewrites it first, and
// test/kernel-types.test.ts fails when it is stale.
//
// \`import k from '…/NAME.wgsl?kernel'\` gets NAME's entry points, binding names (with access) and
// uniform fields as types, so bindGroupEntries and packParams are checked against the WGSL by the
// compiler. A .wgsl file not listed here cannot be imported until this file is regenerated.
// Each distinct set of bindings (or of uniform fields) is one type of namespace KernelShapes,
// named after the first file that declares it, and the files that share it refer to it.
`;

const NAMESPACE = 'KernelShapes';

/** A property key as TypeScript writes it: bare when an identifier, else quoted. */
const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/** `'a' | 'b'`, or `never` for no names. */
const union = (names: string[]) => (names.length ? names.map((n) => `'${n}'`).join(' | ') : 'never');

/** A one-line `{ name: type; … }`; `Record<never, never>` when empty (lint bans `{}`, which means any non-nullish value). */
const block = (props: [string, string][]) => (props.length ? `{ ${props.map(([k, t]) => `${key(k)}: ${t}`).join('; ')} }` : 'Record<never, never>');

/** `softmax`, `batch-norm`, `param_grads` → `Softmax`, `BatchNorm`, `ParamGrads`. */
const pascal = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/** One distinct type text, its name, and the places that use it (file, and what in it), for its comment. */
interface Shared {
  name: string;
  text: string;
  users: [string, string][];
  /** Said in place of the users where they are every file that declares the name. */
  note?: string;
}

/** `a.wgsl x(), y(); b.wgsl x()`: the places, by file. */
function places(users: [string, string][]): string {
  const byFile = new Map<string, string[]>();
  for (const [file, what] of users) byFile.set(file, [...(byFile.get(file) ?? []), ...(what ? [what] : [])]);
  return [...byFile].map(([file, what]) => [`${file}.wgsl`, what.join(', ')].filter(Boolean).join(' ')).join('; ');
}

/** Collects type texts, each distinct one once, under the name of its first use. */
class SharedTypes {
  readonly all: Shared[] = [];
  private readonly byText = new Map<string, Shared>();
  private readonly names = new Set<string>();

  /** The name of `text`'s type: the existing one, else `name` (a clash with another type throws). */
  name(text: string, name: string, user: [string, string], note?: string): string {
    let s = this.byText.get(text);
    if (!s) {
      if (this.names.has(name)) throw new Error(`two kernel shapes would both be named ${name}: rename an entry point, uniform or file`);
      s = { name, text, users: [], note };
      this.names.add(name);
      this.byText.set(text, s);
      this.all.push(s);
    }
    s.users.push(user);
    return s.name;
  }
}

/**
 * The text of {@link KERNEL_TYPES_FILE} for these kernel files: a namespace of shapes, each
 * distinct set of bindings (with access) and of uniform fields once, named after the first file
 * that declares it (`NormForwardBindings`; `BatchFields` where every file's `batch` is the same),
 * each file's kernel type, then a `declare module '*\/NAME.wgsl?kernel'` per file.
 *
 * @example
 * kernelTypesText([reflectKernel('softmax', code)]).includes("declare module '*\/softmax.wgsl?kernel'"); // true
 */
export function kernelTypesText(kernels: KernelInterface[]): string {
  const shared = new SharedTypes();
  // a uniform whose fields are the same in every file that declares it is named after it alone
  const uniformShapes = new Map<string, Set<string>>();
  for (const k of kernels) for (const [u, l] of Object.entries(k.uniforms)) uniformShapes.set(u, (uniformShapes.get(u) ?? new Set()).add(union(l.fields.map((f) => f.name))));
  const files = kernels.map((k) => {
    const entries = Object.entries(k.entries).map(([entry, e]): [string, string] => {
      const text = block(e.bindings.map((b) => [b.name, `'${b.access}'`]));
      return [entry, shared.name(text, `${pascal(k.name)}${pascal(entry)}Bindings`, [k.name, `${entry}()`])];
    });
    const uniforms = Object.entries(k.uniforms).map(([u, l]): [string, string] => {
      const text = union(l.fields.map((f) => f.name));
      if (uniformShapes.get(u)!.size === 1) return [u, shared.name(text, `${pascal(u)}Fields`, [k.name, u], `\`${u}\` of every file that declares it`)];
      return [u, shared.name(text, `${pascal(k.name)}${pascal(u)}Fields`, [k.name, u])];
    });
    const text = `import('./kernel-interface').ReflectedKernel<{ entries: ${block(entries)}; uniforms: ${block(uniforms)} }>`;
    return { name: k.name, type: shared.name(text, `${pascal(k.name)}Kernel`, [k.name, '']) };
  });
  const shapes = shared.all.map((s) => `  /** ${s.note ?? places(s.users)} */\n  type ${s.name} = ${s.text};\n`);
  const namespace = `declare namespace ${NAMESPACE} {\n${shapes.join('')}}\n`;
  const modules = files.map((f) => `declare module '*/${f.name}.wgsl?kernel' {\n  const kernel: ${NAMESPACE}.${f.type};\n  export default kernel;\n}\n`);
  return [HEADER, namespace, ...modules].join('\n');
}

/**
 * The text of {@link KERNEL_TYPES_FILE} for the `.wgsl` files in `shadersDir`, in name order.
 *
 * @example
 * kernelTypesSource('shaders').includes("declare module '*\/matmul.wgsl?kernel'"); // true
 */
export function kernelTypesSource(shadersDir: string): string {
  const files = readdirSync(shadersDir).filter((f) => f.endsWith('.wgsl')).sort();
  return kernelTypesText(files.map((f) => {
    const file = resolve(shadersDir, f);
    return reflectKernel(basename(f, '.wgsl'), expandIncludes(file, new Set([file])));
  }));
}

/**
 * Brings {@link KERNEL_TYPES_FILE} under `root` up to date with `root/shaders` (written only
 * when its text changes); with `check`, writes nothing. Says whether it was stale.
 *
 * @example
 * writeKernelTypes(process.cwd(), { check: true }).stale; // false when the committed file is current
 */
export function writeKernelTypes(root: string, o: { check?: boolean } = {}): { file: string; stale: boolean } {
  const file = resolve(root, KERNEL_TYPES_FILE);
  const text = kernelTypesSource(resolve(root, 'shaders'));
  const stale = !existsSync(file) || readFileSync(file, 'utf8') !== text;
  if (stale && !o.check) writeFileSync(file, text);
  return { file, stale };
}
