// The feature kernels (dropout.wgsl, clip.wgsl) and the new modes of optimizer.wgsl and loss.wgsl
// as reflected from the WGSL, in Node: bindings, uniforms the host fills, struct Batch carrying the
// dropout key, and the PCG constants of dropout.wgsl the same as src/dropout-mask.ts's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { passBatches } from '../src/gpu/kernels/batch-uniform';
import { packStruct } from '../src/gpu/kernels/kernel-interface';
import { BATCH_LAYOUT, FEATURE_KERNELS, KERNELS, optimizerCode } from '../src/gpu/kernels/registry';
import { batchDropKey, pcgHash } from '../src/core/dropout-mask';

describe('feature kernels: reflected interfaces', () => {
  it('dropout.wgsl: forward binds params, src, dst; backward params, dst; both include struct Batch', () => {
    const k = FEATURE_KERNELS.dropout;
    expect(k.entries.forward.bindings.map((b) => [b.name, b.access])).toEqual([['params', 'uniform'], ['src', 'read'], ['dst', 'read_write']]);
    expect(k.entries.backward.bindings.map((b) => [b.name, b.access])).toEqual([['params', 'uniform'], ['dst', 'read_write']]);
    expect(k.uniforms.batch).toEqual(BATCH_LAYOUT);
    expect(() => packStruct(k.uniforms.params, { cols: 3, layer: 1, threshold: 2 ** 31, scale: 2 }, new DataView(new ArrayBuffer(16)))).not.toThrow();
  });
  it('clip.wgsl: sum_squares binds params, theta, grad, norms in one workgroup of 256', () => {
    const k = FEATURE_KERNELS.clip;
    expect(k.entries.sum_squares.bindings.map((b) => [b.name, b.access])).toEqual([['params', 'uniform'], ['theta', 'read'], ['grad', 'read'], ['norms', 'read_write']]);
    expect(k.entries.sum_squares.workgroupSize).toEqual([256, 1, 1]);
    expect(k.uniforms.batch).toEqual(BATCH_LAYOUT);
  });
  it('optimizer.wgsl has RMSprop and AdamW codes, distinct from the others, and the clipping and decay constants', () => {
    const codes = (['sgd', 'momentum', 'adam', 'rmsprop', 'adamw'] as const).map(optimizerCode);
    expect(new Set(codes).size).toBe(5);
    for (const o of ['NESTEROV', 'WEIGHT_DECAY', 'CLIP_NORM', 'NORM_SLOTS', 'CLIP_VALUE']) expect(KERNELS.optimizer.overrides).toContain(o);
    expect(KERNELS.optimizer.entries.main.bindings.map((b) => b.name)).toContain('norms');
  });
  it('loss.wgsl binds the sample weights and the per-row metric sums, behind WEIGHTED and METRICS', () => {
    const names = KERNELS.loss.entries.main.bindings.map((b) => [b.name, b.access]);
    expect(names).toContainEqual(['sampleWeights', 'read']);
    expect(names).toContainEqual(['rowMetrics', 'read_write']);
    for (const o of ['WEIGHTED', 'METRICS']) expect(KERNELS.loss.overrides).toContain(o);
  });
  it('struct Batch carries the dropout key; passBatches fills it per batch from the epoch key', () => {
    expect(BATCH_LAYOUT.fields.find((f) => f.name === 'dropKey')?.type).toBe('u32');
    const b = passBatches(10, 4, { dropKey: 99 });
    expect(b.map((e) => e.dropKey)).toEqual([0, 1, 2].map((i) => batchDropKey(99, i)));
    expect(passBatches(10, 4).map((e) => e.dropKey)).toEqual([0, 0, 0]);
    expect(passBatches(10, 4, { learningRate: 0.1, learningRates: [0.3, 0.2, 0.1] }).map((e) => e.lr)).toEqual([0.3, 0.2, 0.1]);
  });
  it("dropout.wgsl's pcg uses src/dropout-mask.ts's constants", () => {
    const wgsl = readFileSync(new URL('../shaders/dropout.wgsl', import.meta.url), 'utf8');
    expect(wgsl).toMatch(/v \* 747796405u \+ 2891336453u/);
    expect(wgsl).toMatch(/\(\(state >> \(\(state >> 28u\) \+ 4u\)\) \^ state\) \* 277803737u/);
    expect(wgsl).toMatch(/\(word >> 22u\) \^ word/);
    expect(wgsl).toMatch(/pcg\(pcg\(batch\.dropKey \^ params\.layer\) \^ i\)/);
    expect(pcgHash(0)).toBe(129708002);
  });
});
