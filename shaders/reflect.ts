// Build step for the kernels: `import k from './matmul.wgsl?kernel'` gives the file with its
// `//!include` lines expanded and, reflected from that WGSL by wgsl_reflect, its entry points,
// bindings, uniform layouts, overrides and constants (src/gpu/kernels/kernel-interface.ts). It
// runs in Vite (the library build, the demo, vitest, the benchmark), so the shipped bundle holds
// plain JSON and no reflector. The WGSL is the only declaration of a kernel's interface: the
// types of these imports are written from the same reflection by kernel-types.ts.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { Const, ResourceType, ScalarData, WgslExec, WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { BindingAccess, KernelInterface, StructLayout } from '../src/gpu/kernels/kernel-interface';

const SUFFIX = '?kernel';
const INCLUDE = /^\/\/!include\s+(\S+)\s*$/gm;

/** The file's text with each `//!include other.wgsl` line replaced by that file (once per module). */
export function expandIncludes(file: string, seen = new Set<string>(), onFile: (f: string) => void = () => {}): string {
  onFile(file);
  return readFileSync(file, 'utf8').replace(INCLUDE, (_, name: string) => {
    const inc = resolve(dirname(file), name);
    if (seen.has(inc)) return '';
    seen.add(inc);
    return expandIncludes(inc, seen, onFile);
  });
}

function structLayout(name: string, v: { size: number; members: { name: string; offset: number; type: { name: string } }[] | null }): StructLayout {
  const fields = (v.members ?? []).map((m) => {
    if (m.type.name !== 'u32' && m.type.name !== 'i32' && m.type.name !== 'f32') {
      throw new Error(`uniform ${name}.${m.name} is a ${m.type.name}; the host packs u32, i32 and f32 fields only`);
    }
    return { name: m.name, offset: m.offset, type: m.type.name as 'u32' | 'i32' | 'f32' };
  });
  return { size: v.size, fields };
}

/** Values of the module-scope `const` declarations that evaluate to one number. */
function moduleConsts(code: string): Record<string, number> {
  const out: Record<string, number> = {};
  const ast = new WgslParser().parse(code);
  const exec = new WgslExec(ast);
  for (const node of ast) {
    if (!(node instanceof Const)) continue;
    try {
      const v = node.value.constEvaluate(exec);
      const n = v instanceof ScalarData ? v.value : undefined;
      if (typeof n === 'number') out[node.name] = n;
    } catch {
      // not a scalar constant: not part of the interface
    }
  }
  return out;
}

/**
 * Reflects one kernel module (its code with includes expanded).
 *
 * @example
 * reflectKernel('softmax', expandIncludes('shaders/softmax.wgsl')).entries.main.bindings;
 * // [{ name: 'params', binding: 0, access: 'uniform' }, { name: 'z', binding: 1, access: 'read_write' }]
 */
export function reflectKernel(name: string, code: string): KernelInterface {
  const r = new WgslReflect(code);
  const uniforms: Record<string, StructLayout> = {};
  for (const u of r.uniforms) uniforms[u.name] = structLayout(u.name, u as never);
  const entries: KernelInterface['entries'] = {};
  for (const f of r.entry.compute) {
    const seen = new Map<number, { name: string; binding: number; access: BindingAccess }>();
    for (const v of f.resources) {
      if (v.group !== 0) continue;
      const access: BindingAccess = v.resourceType === ResourceType.Uniform ? 'uniform' : v.access === 'read_write' ? 'read_write' : 'read';
      if (v.resourceType !== ResourceType.Uniform && v.resourceType !== ResourceType.Storage) {
        throw new Error(`${name}.wgsl: ${v.name} is neither a uniform nor a storage buffer`);
      }
      seen.set(v.binding, { name: v.name, binding: v.binding, access });
    }
    const size = f.workgroupSize ?? [1, 1, 1];
    entries[f.name] = { workgroupSize: [size[0], size[1] ?? 1, size[2] ?? 1], bindings: [...seen.values()].sort((a, b) => a.binding - b.binding) };
  }
  return { name, code, entries, uniforms, overrides: [...new Set(r.overrides.map((o) => o.name))], consts: moduleConsts(code) };
}

/** The Vite plugin that serves `*.wgsl?kernel` imports. */
export function wgslKernels(): Plugin {
  return {
    name: 'wgsl-kernels',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith('.wgsl' + SUFFIX)) return null;
      const file = id.slice(0, -SUFFIX.length);
      const path = file.startsWith('/') && importer ? (await this.resolve(file, importer))?.id ?? file : importer ? resolve(dirname(importer.split('?')[0]), file) : file;
      return path.split('?')[0] + SUFFIX;
    },
    load(id) {
      if (!id.endsWith('.wgsl' + SUFFIX)) return null;
      const file = id.slice(0, -SUFFIX.length);
      const code = expandIncludes(file, new Set([file]), (f) => this.addWatchFile(f));
      return `export default ${JSON.stringify(reflectKernel(basename(file, '.wgsl'), code))};`;
    },
  };
}
