// Typed declarations of the kernel files. For each shaders/*.wgsl, a `declare module
// '*/NAME.wgsl?kernel'` whose default export is a ReflectedKernel of the file's entry points,
// binding names (with access) and uniform field names, reflected by the same code as the Vite
// plugin (reflect.ts). scripts/kernel-types.mjs writes it to KERNEL_TYPES_FILE (`npm run
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
`;

/** A property key as TypeScript writes it: bare when an identifier, else quoted. */
const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/** `'a' | 'b'`, or `never` for no names. */
const union = (names: string[]) => (names.length ? names.map((n) => `'${n}'`).join(' | ') : 'never');

/** A `{ name: type; … }` block indented by `pad`, one property a line; `Record<never, never>` when empty (lint bans `{}`, which means any non-nullish value). */
function block(props: [string, string][], pad: string): string {
  if (!props.length) return 'Record<never, never>';
  return `{\n${props.map(([k, t]) => `${pad}  ${key(k)}: ${t};\n`).join('')}${pad}}`;
}

/**
 * The declaration of one kernel file: its shape (entry → binding → access, uniform → fields).
 *
 * @example
 * kernelDeclaration(reflectKernel('softmax', code)); // "declare module '*\/softmax.wgsl?kernel' {…}"
 */
export function kernelDeclaration(k: KernelInterface): string {
  const entries = Object.entries(k.entries).map(([entry, e]): [string, string] => [
    entry,
    block(e.bindings.map((b) => [b.name, `'${b.access}'`]), '      '),
  ]);
  const uniforms = Object.entries(k.uniforms).map(([name, layout]): [string, string] => [name, union(layout.fields.map((f) => f.name))]);
  return `declare module '*/${k.name}.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: ${block(entries, '    ')};
    uniforms: ${block(uniforms, '    ')};
  }>;
  export default kernel;
}
`;
}

/**
 * The text of {@link KERNEL_TYPES_FILE} for the `.wgsl` files in `shadersDir`, in name order.
 *
 * @example
 * kernelTypesSource('shaders').includes("declare module '*\/matmul.wgsl?kernel'"); // true
 */
export function kernelTypesSource(shadersDir: string): string {
  const files = readdirSync(shadersDir).filter((f) => f.endsWith('.wgsl')).sort();
  const declarations = files.map((f) => {
    const file = resolve(shadersDir, f);
    return kernelDeclaration(reflectKernel(basename(f, '.wgsl'), expandIncludes(file, new Set([file]))));
  });
  return [HEADER, ...declarations].join('\n');
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
