// The kernel registry and the host side of the WGSL interface, in Node (no GPU): reflected
// interfaces are sane, every mode the library names has a WGSL code, and a host that disagrees
// with the WGSL (a missing or unknown binding or uniform field) fails with a message naming it.
import { describe, expect, it } from 'vitest';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { reflectKernel } from '../shaders/reflect';
import { ACTIVATIONS, LOSSES, type ResolvedOptimizer, resolveOptimizer } from '../src/core/config';
import { passBatches } from '../src/gpu/kernels/batch-uniform';
import { type BindingAccess, type KernelInterface, modeCode, packParams, packStruct } from '../src/gpu/kernels/kernel-interface';
import { bindGroupEntries } from '../src/gpu/kernels/pipelines';
import {
  BATCH_LAYOUT, type BatchRows, type Epilogue, KERNELS, MATMUL_SIZES, MATMUL_VARIANT_KERNELS, SHARDS_PER_GATHER, MAX_STATS_THREADS,
  activationCode, batchRowsCode, epilogueCode, lossCode, optimizerCode,
} from '../src/gpu/kernels/registry';
import { MATMUL_VARIANTS, type MatmulVariantSpec } from '../src/gpu/kernels/matmul-variants';
import type { Activation, LossName } from '../src/core/types';

// Records keyed by the unions: the typecheck fails when a name is added to a union and not here.
const ACTIVATION_NAMES: Record<Activation, true> = {
  sigmoid: true, tanh: true, relu: true, linear: true, softmax: true,
  leakyRelu: true, elu: true, selu: true, gelu: true, geluTanh: true, silu: true, softplus: true, mish: true,
};
const LOSS_NAMES: Record<LossName, true> = { sse: true, mse: true, binaryCrossEntropy: true, categoricalCrossEntropy: true, huber: true };
const OPTIMIZER_TYPES: Record<ResolvedOptimizer['type'], true> = { sgd: true, momentum: true, adam: true, rmsprop: true, adamw: true };
const EPILOGUES: Record<Epilogue, true> = { none: true, biasActivation: true, activationDerivative: true };
const BATCH_ROWS: Record<BatchRows, true> = { none: true, m: true, k: true };

const kernels = Object.entries(KERNELS) as [string, KernelInterface][];

/** A stand-in for a GPUBuffer (bindGroupEntries only passes it through). */
const fakeBuffer = (label: string) => ({ label }) as unknown as GPUBuffer;

/** Every field of `kernel`'s params uniform, with a value. */
const allFields = (layout: KernelInterface['uniforms'][string]) => Object.fromEntries(layout.fields.map((f, i) => [f.name, i + 1]));

describe('KERNELS: reflected interfaces', () => {
  it('has every kernel family, named after its file', () => {
    expect(Object.keys(KERNELS).sort()).toEqual(['gather', 'loss', 'matmul', 'optimizer', 'reduce', 'softmax']);
    for (const [key, k] of kernels) expect(k.name, key).toBe(key);
  });

  for (const [name, k] of kernels) {
    describe(`${name}.wgsl`, () => {
      it('has compute entry points with workgroup sizes', () => {
        expect(Object.keys(k.entries).length, name).toBeGreaterThan(0);
        for (const [entry, e] of Object.entries(k.entries)) {
          expect(e.workgroupSize.length, `${name} ${entry}`).toBe(3);
          for (const s of e.workgroupSize) expect(Number.isInteger(s) && s >= 1, `${name} ${entry} workgroup size ${e.workgroupSize}`).toBe(true);
          expect(e.workgroupSize[0] * e.workgroupSize[1] * e.workgroupSize[2], `${name} ${entry}`).toBeLessThanOrEqual(256);
        }
      });

      it('binds each group-0 resource once, in binding order, with a known access', () => {
        for (const [entry, e] of Object.entries(k.entries)) {
          const what = `${name}.wgsl ${entry}()`;
          const numbers = e.bindings.map((b) => b.binding);
          const names = e.bindings.map((b) => b.name);
          expect(new Set(numbers).size, `${what} binding numbers ${numbers}`).toBe(numbers.length);
          expect(new Set(names).size, `${what} binding names ${names}`).toBe(names.length);
          expect(numbers, `${what} bindings sorted`).toEqual([...numbers].sort((a, b) => a - b));
          for (const b of e.bindings) expect(['uniform', 'read', 'read_write'], `${what} ${b.name}`).toContain(b.access);
          // the only uniform at group 0 is the kernel's params
          for (const b of e.bindings.filter((x) => x.access === 'uniform')) expect(b.name, what).toBe('params');
        }
      });

      it('declares a params uniform that packStruct fills, when an entry binds one', () => {
        const usesParams = Object.values(k.entries).some((e) => e.bindings.some((b) => b.name === 'params'));
        if (!usesParams) return;
        const layout = k.uniforms.params;
        expect(layout, `${name}.wgsl binds params but declares no uniform struct for it`).toBeDefined();
        expect(layout.fields.length).toBeGreaterThan(0);
        let end = 0;
        for (const f of layout.fields) {
          expect(f.offset % 4, `${name} params.${f.name} offset ${f.offset}`).toBe(0);
          expect(f.offset, `${name} params.${f.name} after the previous field`).toBeGreaterThanOrEqual(end);
          end = f.offset + 4;
        }
        expect(layout.size, `${name} params size`).toBeGreaterThanOrEqual(end);
        const view = new DataView(new ArrayBuffer(Math.max(16, layout.size)));
        expect(() => packStruct(layout, allFields(layout), view)).not.toThrow();
      });

      it('includes batch.wgsl: the per-batch uniform is struct Batch', () => {
        expect(k.uniforms.batch, name).toEqual(BATCH_LAYOUT);
      });
    });
  }

  it('struct Batch packs from BatchValues (passBatches)', () => {
    expect(BATCH_LAYOUT.fields.map((f) => f.name).sort()).toEqual(Object.keys(passBatches(10, 4)[0]).sort());
    const view = new DataView(new ArrayBuffer(BATCH_LAYOUT.size));
    packStruct(BATCH_LAYOUT, { ...passBatches(10, 4, { learningRate: 0.5 })[2] }, view);
    const at = (name: string) => BATCH_LAYOUT.fields.find((f) => f.name === name)!.offset;
    expect(view.getUint32(at('start'), true)).toBe(8);
    expect(view.getUint32(at('rows'), true)).toBe(2);
    expect(view.getFloat32(at('lr'), true)).toBe(0.5);
  });

  it('sizes and counts come from the WGSL', () => {
    expect(MATMUL_SIZES.tile).toBe(KERNELS.matmul.consts.TILE);
    expect(MATMUL_SIZES.block).toBe(KERNELS.matmul.consts.BLOCK);
    expect(SHARDS_PER_GATHER).toBeGreaterThanOrEqual(1);
    expect(KERNELS.gather.entries.main.bindings.filter((b) => /^src\d+$/.test(b.name)).map((b) => b.name)).toEqual(Array.from({ length: SHARDS_PER_GATHER }, (_, i) => `src${i}`));
    expect(Math.log2(MAX_STATS_THREADS) % 1, `MAX_STATS_THREADS ${MAX_STATS_THREADS} is a power of two`).toBe(0);
  });
});

describe('named modes have WGSL codes', () => {
  const distinct = (codes: number[]) => new Set(codes).size === codes.length;

  it('every activation (Activation in src/core/types/, ACTIVATIONS re-exported by src/core/config/)', () => {
    expect([...ACTIVATIONS].sort()).toEqual(Object.keys(ACTIVATION_NAMES).sort());
    const codes = ACTIVATIONS.map((a) => {
      expect(() => activationCode(a), a).not.toThrow();
      // loss.wgsl includes the same prelude: the codes agree
      expect(modeCode(KERNELS.loss, 'ACTIVATION', a), `loss.wgsl ACTIVATION code of ${a}`).toBe(activationCode(a));
      return activationCode(a);
    });
    expect(distinct(codes), `activation codes ${codes}`).toBe(true);
    for (const k of [KERNELS.matmul, KERNELS.loss]) expect(k.overrides, k.name).toContain('ACTIVATION');
  });

  it('every loss (LossName in src/core/types/, LOSSES re-exported by src/core/config/)', () => {
    expect([...LOSSES].sort()).toEqual(Object.keys(LOSS_NAMES).sort());
    const codes = LOSSES.map((l) => {
      expect(() => lossCode(l), l).not.toThrow();
      return lossCode(l);
    });
    expect(distinct(codes), `loss codes ${codes}`).toBe(true);
  });

  it('every optimizer type (resolveOptimizer in src/core/config/)', () => {
    const types = Object.keys(OPTIMIZER_TYPES) as ResolvedOptimizer['type'][];
    const codes = types.map((t) => {
      expect(resolveOptimizer(t).type, `resolveOptimizer accepts ${t}`).toBe(t);
      expect(() => optimizerCode(t), t).not.toThrow();
      return optimizerCode(t);
    });
    expect(distinct(codes), `optimizer codes ${codes}`).toBe(true);
  });

  it('every epilogue and batch-rows mode (src/gpu/kernels/registry.ts)', () => {
    const epilogues = (Object.keys(EPILOGUES) as Epilogue[]).map((e) => epilogueCode(e));
    expect(distinct(epilogues), `epilogue codes ${epilogues}`).toBe(true);
    expect(epilogueCode('none')).toBe(KERNELS.matmul.consts.EPILOGUE_NONE);
    const rows = (Object.keys(BATCH_ROWS) as BatchRows[]).map((b) => batchRowsCode(b));
    expect(distinct(rows), `batch-rows codes ${rows}`).toBe(true);
  });

  it('an unknown mode throws, naming the const it looked for', () => {
    expect(() => activationCode('swish' as Activation)).toThrow(/ACTIVATION_SWISH/);
    expect(() => lossCode('hinge' as LossName)).toThrow(/LOSS_HINGE/);
    expect(() => optimizerCode('adagrad' as ResolvedOptimizer['type'])).toThrow(/OPTIMIZER_ADAGRAD/);
  });
});

describe('bindGroupEntries: buffers by binding name', () => {
  const k = KERNELS.softmax;
  const placeholders: [BindingAccess, number][] = [];
  const placeholder = (access: BindingAccess, nth: number) => {
    placeholders.push([access, nth]);
    return fakeBuffer(`placeholder ${access} ${nth}`);
  };

  it('maps names to binding numbers, and null to a placeholder', () => {
    const params = fakeBuffer('params');
    const z = fakeBuffer('z');
    const entries = bindGroupEntries(k, 'main', { params, z }, placeholder);
    expect(entries.map((e) => e.binding)).toEqual(k.entries.main.bindings.map((b) => b.binding));
    expect(entries.map((e) => (e.resource as GPUBufferBinding).buffer)).toEqual([params, z]);

    placeholders.length = 0;
    const m = KERNELS.matmul.entries.main.bindings;
    const named: Record<string, GPUBuffer | null> = Object.fromEntries(m.map((b) => [b.name, fakeBuffer(b.name)]));
    named.bias = null;
    named.aux = null;
    const matmul: KernelInterface = KERNELS.matmul; // names in a Record: checked at run time only
    const e2 = bindGroupEntries(matmul, 'main', named, placeholder);
    expect(placeholders).toEqual([['read', 0], ['read', 1]]);
    expect(((e2.find((e) => e.binding === m.find((b) => b.name === 'bias')!.binding)!.resource) as GPUBufferBinding).buffer).toEqual(fakeBuffer('placeholder read 0'));
  });

  // The run-time checks, for callers the compiler cannot check (a kernel typed as the generic
  // KernelInterface, as the tuner's plans are); test/kernel-types.test.ts has the compile-time ones.
  const loose: KernelInterface = k;

  it('throws naming a binding no buffer was given for', () => {
    expect(() => bindGroupEntries(loose, 'main', { params: fakeBuffer('params') }, placeholder)).toThrow(/softmax\.wgsl main\(\) binds 'z'/);
  });

  it('throws naming a buffer the entry point does not bind', () => {
    expect(() => bindGroupEntries(loose, 'main', { params: fakeBuffer('params'), z: fakeBuffer('z'), logits: fakeBuffer('logits') }, placeholder)).toThrow(/binds no logits/);
  });

  it('throws naming an entry point the kernel lacks', () => {
    expect(() => bindGroupEntries(loose, 'blocked', {}, placeholder)).toThrow(/softmax\.wgsl has no compute entry point 'blocked'/);
  });
});

describe('packStruct', () => {
  const layout = KERNELS.optimizer.uniforms.params;
  const values = { count: 65, l2: 0.5, l1: 0.25, momentum: 0.9, beta1: 0.8, beta2: 0.999, epsilon: 1e-8 };

  it('writes each field at its reflected offset and type', () => {
    expect(layout.fields.map((f) => f.name).sort()).toEqual(Object.keys(values).sort());
    const view = packStruct(layout, values, new DataView(new ArrayBuffer(64)), 16);
    for (const f of layout.fields) {
      const v = values[f.name as keyof typeof values];
      const got = f.type === 'u32' ? view.getUint32(16 + f.offset, true) : view.getFloat32(16 + f.offset, true);
      expect(got, `${f.name} at ${16 + f.offset}`).toBe(f.type === 'u32' ? v : Math.fround(v));
    }
    expect(new Uint8Array(view.buffer, 0, 16).every((b) => b === 0), 'nothing written before `at`').toBe(true);
  });

  it('throws naming a missing field', () => {
    const { beta2: _, ...missing } = values;
    expect(() => packStruct(layout, missing, new DataView(new ArrayBuffer(64)), 0, 'optimizer.wgsl struct Params')).toThrow(/optimizer\.wgsl struct Params has a field 'beta2' that was not given/);
  });

  it('throws naming an extra field', () => {
    expect(() => packStruct(layout, { ...values, rho: 0.9 }, new DataView(new ArrayBuffer(64)))).toThrow(/no field named 'rho'/);
  });

  it('packParams: fields by name at their offsets, at least 16 bytes; a name the WGSL lacks throws', () => {
    const words = new DataView(packParams(KERNELS.softmax, { cols: 10 }));
    expect(words.byteLength).toBe(16);
    expect(words.getUint32(KERNELS.softmax.uniforms.params.fields[0].offset, true)).toBe(10);
    const loose: KernelInterface = KERNELS.softmax; // unnarrowed: checked at run time only
    expect(() => packParams(loose, { cols: 10, rows: 4 })).toThrow(/softmax\.wgsl struct Params has no field named 'rows'/);
    expect(() => packParams(loose, {})).toThrow(/softmax\.wgsl struct Params has a field 'cols' that was not given/);
    expect(() => packParams(reflectKernel('none', '@compute @workgroup_size(1) fn main() {}'), {})).toThrow(/none\.wgsl declares no params uniform/);
  });
});

describe('reflectKernel on a known WGSL text', () => {
  const code = `
const MODE_B: u32 = 2u;
const SIZE: u32 = 4u * 8u;
override FLAG: bool = false;
struct Params {
  n: u32,
  scale: f32,
  @align(16) shift: i32,
}
struct Pair { n: u32, scale: f32, v: vec4<f32>, }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> pairs: array<Pair>;

@compute @workgroup_size(SIZE, 2)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= params.n || FLAG) { return; }
  dst[g.x] = src[g.x] * params.scale + f32(params.shift);
}

@compute @workgroup_size(1)
fn other() { dst[0] = pairs[0].v.x; }
`;
  const k = reflectKernel('toy', code);

  it('lays out a uniform struct under WGSL alignment (u32 at 0, f32 at 4, 16-aligned field at 16)', () => {
    expect(k.uniforms.params).toEqual({
      size: 32,
      fields: [
        { name: 'n', offset: 0, type: 'u32' },
        { name: 'scale', offset: 4, type: 'f32' },
        { name: 'shift', offset: 16, type: 'i32' },
      ],
    });
    const view = packStruct(k.uniforms.params, { n: 9, scale: 1.5, shift: -3 }, new DataView(new ArrayBuffer(32)));
    expect([view.getUint32(0, true), view.getFloat32(4, true), view.getInt32(16, true)]).toEqual([9, 1.5, -3]);
  });

  it('puts a vec4<f32> after u32, f32 at offset 16 (wgsl_reflect, which reflectKernel builds on)', () => {
    const pair = new WgslReflect(code).structs.find((s) => s.name === 'Pair')!;
    expect(pair.members.map((m) => [m.name, m.offset])).toEqual([['n', 0], ['scale', 4], ['v', 16]]);
    expect(pair.size).toBe(32);
  });

  it('refuses a uniform field the host cannot pack, naming it', () => {
    const vec = `struct P { n: u32, s: f32, v: vec4<f32>, }
@group(0) @binding(0) var<uniform> params: P;
@compute @workgroup_size(1) fn main() { let x = params.v; }`;
    expect(() => reflectKernel('vec', vec)).toThrow(/params\.v is a vec4/);
  });

  it('lists each entry point\'s bindings in binding order with their access', () => {
    expect(k.entries.main).toEqual({
      workgroupSize: [32, 2, 1],
      bindings: [
        { name: 'params', binding: 0, access: 'uniform' },
        { name: 'src', binding: 1, access: 'read' },
        { name: 'dst', binding: 3, access: 'read_write' },
      ],
    });
    // only what the entry point uses
    expect(k.entries.other).toEqual({
      workgroupSize: [1, 1, 1],
      bindings: [
        { name: 'pairs', binding: 2, access: 'read' },
        { name: 'dst', binding: 3, access: 'read_write' },
      ],
    });
  });

  it('reports overrides and scalar consts', () => {
    expect(k.overrides).toEqual(['FLAG']);
    expect(k.consts).toEqual({ MODE_B: 2, SIZE: 32 });
    expect(modeCode(k, 'MODE', 'b')).toBe(2);
    expect(() => modeCode(k, 'MODE', 'c')).toThrow(/toy\.wgsl declares no const MODE_C/);
  });
});

describe('matmul variant kernels (matmul-vec4.wgsl, matmul-subgroups.wgsl)', () => {
  const matmul = KERNELS.matmul;
  const binding = (k: KernelInterface, entry: string) => k.entries[entry].bindings.map((b) => `${b.binding} ${b.name} ${b.access}`);

  for (const [name, k] of Object.entries(MATMUL_VARIANT_KERNELS) as [string, KernelInterface][]) {
    it(`${name}.wgsl: the bindings, uniforms, modes and operand overrides of matmul.wgsl`, () => {
      expect(k.name).toBe(name);
      expect(binding(k, 'main')).toEqual(binding(matmul, 'blocked'));
      expect(k.uniforms.params).toEqual(matmul.uniforms.params);
      expect(k.uniforms.batch).toEqual(BATCH_LAYOUT);
      for (const c of ['EPILOGUE_NONE', 'EPILOGUE_BIAS_ACTIVATION', 'EPILOGUE_ACTIVATION_DERIVATIVE', 'BATCH_ROWS_M', 'BATCH_ROWS_K']) expect(k.consts[c], `${name} ${c}`).toBe(matmul.consts[c]);
      for (const o of ['TRANS_A', 'TRANS_B', 'EPILOGUE', 'HAS_BIAS', 'ACTIVATION', 'RUNTIME_MODES', 'WG_X']) expect(k.overrides, `${name} override ${o}`).toContain(o);
    });
  }

  it('struct Params carries the sizes and every mode (read with RUNTIME_MODES)', () => {
    expect(KERNELS.matmul.uniforms.params!.fields.map((f) => f.name)).toEqual(['M', 'N', 'K', 'batchRows', 'transA', 'transB', 'epilogue', 'activation', 'hasBias', 'alpha']);
    expect(KERNELS.matmul.overrides).toContain('RUNTIME_MODES');
  });

  it('matmul-subgroups.wgsl enables subgroups; the other matmul files do not', () => {
    expect(MATMUL_VARIANT_KERNELS['matmul-subgroups'].code).toMatch(/^enable subgroups;/);
    for (const k of [KERNELS.matmul, MATMUL_VARIANT_KERNELS['matmul-vec4']]) expect(k.code, k.name).not.toMatch(/enable subgroups/);
  });

  it('every variant names an entry point of its kernel and only overrides it declares', () => {
    for (const [id, v] of Object.entries<MatmulVariantSpec>(MATMUL_VARIANTS)) {
      expect(v.kernel.entries[v.entry], `${id}: ${v.kernel.name}.wgsl ${v.entry}()`).toBeDefined();
      for (const c of Object.keys(v.constants)) expect(v.kernel.overrides, `${id}: override ${c}`).toContain(c);
    }
    expect(MATMUL_SIZES.maxQuads).toBe(KERNELS.matmul.consts.MAX_QUADS);
    expect(MATMUL_SIZES.vec4MaxRows).toBe(MATMUL_VARIANT_KERNELS['matmul-vec4'].consts.MAX_ROWS);
    for (const v of Object.values(MATMUL_VARIANTS)) {
      if ('RB' in v.constants) expect(Math.max(v.constants.RB, v.constants.CB)).toBeLessThanOrEqual(MATMUL_SIZES.maxQuads);
      if ('ROWS' in v.constants) expect(v.constants.ROWS).toBeLessThanOrEqual(MATMUL_SIZES.vec4MaxRows);
    }
  });
});
