// The matmul autotuner's choosing logic, in Node with injected timings (no GPU): which candidates
// each mode measures, the 'fast' budget, ties, failures, cached choices; the variant table
// (what applies where, the grids); and the persistent stores.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CandidateTiming, DeviceTuning, FAST_BUDGET_MS, MIN_GAIN, type TuneRequest, type TunerDeps, choose, fastest, tuneRequests, tunedVariant, tuningOf,
} from '../src/gpu/tune/autotune';
import { candidateOrder } from '../src/gpu/tune/device-timing';
import {
  type DeviceTraits, type MatmulShape, type MatmulVariantId, MATMUL_VARIANTS, MATMUL_VARIANT_IDS, SMALL_WORK, applicableVariants, defaultVariant, isCompact, matmulParams, pipelineConstants, planVariant, shapeKey, whyNot,
} from '../src/gpu/kernels/matmul-variants';
import { MATMUL_SIZES } from '../src/gpu/kernels/registry';
import { adapterKey, fileStore, hash, memoryStore } from '../src/gpu/tune/cache';
import { AUTO_DEFAULT_BATCH, resolveAutoHint } from '../src/model/backend-choice';
import { MLP } from '../src';

const SOFTWARE: DeviceTraits = { subgroups: true, software: true };
const GPU: DeviceTraits = { subgroups: false, software: false };
const modes = { TRANS_A: false, TRANS_B: false, EPILOGUE: 0, ACTIVATION: 0, HAS_BIAS: false };
const req = (M: number, N: number, K: number, form: MatmulShape['form'] = 'AB'): TuneRequest => ({ shape: { M, N, K, form }, modes });

/**
 * Fake device: a clock that compiles and timings advance, given per-variant compile and launch
 * times, a set of failing variants, and a log of what was compiled and timed.
 */
function fakeDeps(o: { traits?: DeviceTraits; compileMs: number | ((v: MatmulVariantId) => number); launchMs: (v: MatmulVariantId, s: MatmulShape) => number; timingCostMs?: number; failing?: MatmulVariantId[] }) {
  let clock = 0;
  const compiled = new Set<string>();
  const log: string[] = [];
  const traits = o.traits ?? SOFTWARE;
  const deps: TunerDeps = {
    now: () => clock,
    candidates: (shape) => candidateOrder(shape, traits),
    isCompiled: (v, r) => compiled.has(`${v} ${shapeKey(r.shape)}`),
    compile: async (v, r) => {
      const ms = typeof o.compileMs === 'number' ? o.compileMs : o.compileMs(v);
      clock += ms;
      log.push(`compile ${v} ${shapeKey(r.shape)}`);
      if (o.failing?.includes(v)) throw new Error(`${v} does not compile`);
      compiled.add(`${v} ${shapeKey(r.shape)}`);
      return ms;
    },
    time: async (v, r) => {
      clock += o.timingCostMs ?? 5;
      log.push(`time ${v} ${shapeKey(r.shape)}`);
      return o.launchMs(v, r.shape);
    },
  };
  return { deps, log, clock: () => clock };
}

describe('fastest', () => {
  it('picks the smallest time, the first of equals', () => {
    const t = (variant: MatmulVariantId, ms: number): CandidateTiming => ({ variant, ms, compileMs: 0 });
    expect(fastest([t('tiled', 2), t('vec4-64x64', 1.5), t('blocked-8x8', 3)]).variant).toBe('vec4-64x64');
    expect(fastest([t('blocked-8x8', 1), t('tiled', 1)]).variant).toBe('blocked-8x8');
    expect(() => fastest([])).toThrow(/at least one/);
  });
});

describe('choose', () => {
  const t = (variant: MatmulVariantId, ms: number): CandidateTiming => ({ variant, ms, compileMs: 0 });
  it(`keeps the default unless another is at least ${MIN_GAIN * 100}% faster`, () => {
    expect(choose([t('subgroups-8x8', 1), t('subgroups-16x16', 0.97)], 'subgroups-8x8')).toBe('subgroups-8x8');
    expect(choose([t('subgroups-8x8', 1), t('subgroups-16x16', 0.9)], 'subgroups-8x8')).toBe('subgroups-16x16');
    // the default failed (not timed): the fastest of the others
    expect(choose([t('blocked-8x8', 1), t('tiled', 0.99)], 'subgroups-8x8')).toBe('tiled');
  });

  it("under 'full', a candidate within the margin of the default does not replace it", async () => {
    const r = req(512, 512, 512);
    const first = candidateOrder(r.shape, SOFTWARE)[0];
    const f = fakeDeps({ compileMs: 10, launchMs: (v) => (v === first ? 1 : v === 'blocked-16x16' ? 0.98 : 2) });
    const [c] = await tuneRequests(new DeviceTuning(), [r], 'full', f.deps);
    expect(c.variant).toBe(first);
    expect(c.timings[0].variant).toBe('blocked-16x16'); // measured faster, by less than the margin
  });
});

describe("tuneRequests 'full'", () => {
  it('times every applicable variant and chooses the fastest, each shape once', async () => {
    const speed: Partial<Record<MatmulVariantId, number>> = { 'subgroups-16x16': 1.0, 'blocked-16x16': 0.8, 'subgroups-8x8': 1.3 };
    const f = fakeDeps({ compileMs: 100, launchMs: (v) => speed[v] ?? 2 });
    const state = new DeviceTuning();
    const r = req(1024, 1024, 1024);
    const out = await tuneRequests(state, [r, r], 'full', f.deps);
    expect(out).toHaveLength(1);
    const c = out[0];
    expect(c.variant).toBe('blocked-16x16');
    expect(c.source).toBe('measured');
    expect(c.complete).toBe(true);
    expect(c.timings.map((t) => t.variant).sort()).toEqual(applicableVariants(r.shape, SOFTWARE).sort());
    expect(c.timings.map((t) => t.ms)).toEqual([...c.timings.map((t) => t.ms)].sort((a, b) => a - b));
    expect(state.choices.get(shapeKey(r.shape))).toBe(c);
  });

  it('times the three fastest again, interleaved, and keeps each one\'s least time: a disturbed first timing does not decide', async () => {
    // blocked-16x16 is the fastest, but its first timing was disturbed (1.5 instead of 0.8)
    const sequence: Partial<Record<MatmulVariantId, number[]>> = { 'blocked-16x16': [1.5, 0.8, 0.8], 'subgroups-16x16': [1.0, 1.0, 1.0], 'subgroups-8x8': [1.3, 1.2, 1.25] };
    const seen = new Map<MatmulVariantId, number>();
    const f = fakeDeps({
      compileMs: 100,
      launchMs: (v) => {
        const k = seen.get(v) ?? 0;
        seen.set(v, k + 1);
        return sequence[v]?.[Math.min(k, 2)] ?? 2;
      },
    });
    const [c] = await tuneRequests(new DeviceTuning(), [req(512, 512, 512)], 'full', f.deps);
    expect(c.variant).toBe('blocked-16x16');
    expect(c.timings.slice(0, 3).map((t) => [t.variant, t.ms])).toEqual([['blocked-16x16', 0.8], ['subgroups-16x16', 1.0], ['subgroups-8x8', 1.2]]);
    // the three timed again twice, one after another
    const times = f.log.filter((l) => l.startsWith('time'));
    expect(times.slice(-6).map((l) => l.split(' ')[1])).toEqual(['subgroups-16x16', 'subgroups-8x8', 'blocked-16x16', 'subgroups-16x16', 'subgroups-8x8', 'blocked-16x16']);
  });

  it('leaves out a candidate that does not compile', async () => {
    const f = fakeDeps({ compileMs: 10, launchMs: (v) => (v === 'subgroups-8x8' ? 0.1 : 1), failing: ['subgroups-8x8'] });
    const [c] = await tuneRequests(new DeviceTuning(), [req(300, 300, 300)], 'full', f.deps);
    expect(c.timings.some((t) => t.variant === 'subgroups-8x8')).toBe(false);
    expect(c.variant).not.toBe('subgroups-8x8');
    expect(c.complete).toBe(true); // every candidate was tried
  });
});

describe("tuneRequests 'fast'", () => {
  it('with slow compiles (above the budget) times nothing: the default, compiled once, and no other compile', async () => {
    const f = fakeDeps({ compileMs: 600, launchMs: () => 1 });
    const requests = [req(256, 256, 784), req(784, 256, 256, 'ATB'), req(256, 784, 256, 'ABT')];
    const out = await tuneRequests(new DeviceTuning(), requests, 'fast', f.deps);
    expect(out.map((c) => c.source)).toEqual(['default', 'default', 'default']);
    expect(out.map((c) => c.variant)).toEqual(requests.map((r) => defaultVariant(r.shape, SOFTWARE)));
    expect(f.log.filter((l) => l.startsWith('time'))).toEqual([]);
    expect(f.log).toEqual(requests.map((r) => `compile ${defaultVariant(r.shape, SOFTWARE)} ${shapeKey(r.shape)}`));
  });

  it('with fast compiles tries up to three candidates per shape and picks the fastest', async () => {
    const f = fakeDeps({ compileMs: 10, launchMs: (v) => (v === candidateOrder(req(512, 512, 512).shape, SOFTWARE)[2] ? 0.5 : 1) });
    const [c] = await tuneRequests(new DeviceTuning(), [req(512, 512, 512)], 'fast', f.deps);
    expect(c.source).toBe('measured');
    expect(c.timings).toHaveLength(3);
    expect(c.variant).toBe(candidateOrder(req(512, 512, 512).shape, SOFTWARE)[2]);
    expect(c.complete).toBe(false);
  });

  it('keeps the extra cost (compiles it would not need, timing) within the budget over all shapes', async () => {
    const f = fakeDeps({ compileMs: 40, launchMs: () => 1, timingCostMs: 10 });
    const requests = [req(100, 100, 100), req(200, 200, 200), req(300, 300, 300), req(400, 400, 400), req(500, 500, 500)];
    const start = f.clock();
    await tuneRequests(new DeviceTuning(), requests, 'fast', f.deps);
    const defaults = requests.length * 40; // compiled anyway, for training
    expect(f.clock() - start - defaults).toBeLessThanOrEqual(FAST_BUDGET_MS);
    expect(f.log.filter((l) => l.startsWith('time')).length).toBeGreaterThan(1);
  });

  it('keeps the default of a small or thin product and measures nothing for it (full still does)', async () => {
    const thin = req(512, 10, 1024);
    const f0 = fakeDeps({ compileMs: 1, launchMs: (v) => (v === 'blocked-4x4' ? 1 : 0.1) });
    expect((await tuneRequests(new DeviceTuning(), [thin], 'fast', f0.deps))[0]).toMatchObject({ variant: 'blocked-4x4', source: 'default' });
    const small = req(4, 8, 2);
    expect(4 * 8 * 2).toBeLessThan(SMALL_WORK);
    const f = fakeDeps({ compileMs: 1, launchMs: (v) => (v === 'blocked-4x4' ? 1 : 0.1) });
    const [c] = await tuneRequests(new DeviceTuning(), [small], 'fast', f.deps);
    expect(c).toMatchObject({ variant: 'blocked-4x4', source: 'default' });
    expect(f.log).toEqual([`compile blocked-4x4 ${shapeKey(small.shape)}`]);
    const [full] = await tuneRequests(new DeviceTuning(), [small], 'full', f.deps);
    expect(full.source).toBe('measured');
  });

  it("estimates an unseen variant's compile as twice the slowest seen, not their mean: a cheap default does not make a costly candidate look affordable", async () => {
    const r = req(512, 512, 512);
    const [first, second, third] = candidateOrder(r.shape, SOFTWARE);
    // the default compiles in 30 ms, the second candidate in 100, the third in 400: after the
    // second, a third at 2 × 100 ms does not fit the budget (at their mean, 65 ms, it would)
    const compileMs = (v: MatmulVariantId) => (v === first ? 30 : v === second ? 100 : 400);
    const f = fakeDeps({ compileMs, launchMs: () => 1 });
    const [c] = await tuneRequests(new DeviceTuning(), [r], 'fast', f.deps);
    expect(f.log.filter((l) => l.startsWith('compile')).map((l) => l.split(' ')[1])).toEqual([first, second]);
    expect(c.timings.map((t) => t.variant).sort()).toEqual([first, second].sort());
    expect(third).toBeDefined();
    const state = new DeviceTuning();
    state.noteCompile(second, 100);
    state.noteCompile(second, 120);
    expect(state.compileEstimate(second)).toBe(110);
    expect(state.compileEstimate(third)).toBe(240);
    expect(new DeviceTuning().compileEstimate(third, 50)).toBe(50);
  });

  it('reuses a measured choice, and a complete one under full; measures again under full when it was partial', async () => {
    const state = new DeviceTuning();
    const f = fakeDeps({ compileMs: 10, launchMs: () => 1 });
    await tuneRequests(state, [req(512, 512, 512)], 'fast', f.deps);
    const n = f.log.length;
    await tuneRequests(state, [req(512, 512, 512)], 'fast', f.deps);
    expect(f.log.length).toBe(n);
    await tuneRequests(state, [req(512, 512, 512)], 'full', f.deps);
    expect(f.log.length).toBeGreaterThan(n);
    const m = f.log.length;
    await tuneRequests(state, [req(512, 512, 512)], 'full', f.deps);
    expect(f.log.length).toBe(m);
  });
});

describe("tuneRequests 'off'", () => {
  it('measures and compiles nothing: each shape gets its default', async () => {
    const f = fakeDeps({ compileMs: 10, launchMs: () => 1 });
    const requests = [req(9, 9, 9), req(1024, 1024, 1024), req(64, 12, 784)];
    const out = await tuneRequests(new DeviceTuning(), requests, 'off', f.deps);
    expect(f.log).toEqual([]);
    expect(out.map((c) => c.variant)).toEqual(requests.map((r) => defaultVariant(r.shape, SOFTWARE)));
  });
});

describe('tunedVariant', () => {
  it('finds the exact shape, else a measured one of the same form, N and K (another batch size)', async () => {
    const device = {} as GPUDevice;
    const state = tuningOf(device);
    state.choices.set(shapeKey(req(256, 128, 784).shape), { shape: req(256, 128, 784).shape, variant: 'blocked-16x16', source: 'measured', timings: [], complete: true });
    expect(tunedVariant(device, { M: 256, N: 128, K: 784, form: 'AB' })).toBe('blocked-16x16');
    expect(tunedVariant(device, { M: 2048, N: 128, K: 784, form: 'AB' })).toBe('blocked-16x16');
    expect(tunedVariant(device, { M: 256, N: 128, K: 784, form: 'ABT' })).toBeNull();
    expect(tunedVariant({} as GPUDevice, { M: 256, N: 128, K: 784, form: 'AB' })).toBeNull();
  });
});

describe('variant table', () => {
  it('vec4 variants need N a multiple of 4, subgroups the feature', () => {
    expect(whyNot('vec4-64x64', { M: 9, N: 9, K: 9, form: 'AB' }, GPU)).toMatch(/N = 9 is not a multiple of 4/);
    expect(whyNot('vec4-64x64', { M: 9, N: 12, K: 9, form: 'AB' }, GPU)).toBeNull();
    expect(whyNot('subgroups-8x8', { M: 9, N: 12, K: 9, form: 'AB' }, GPU)).toMatch(/subgroups/);
    expect(whyNot('subgroups-8x8', { M: 9, N: 12, K: 9, form: 'AB' }, SOFTWARE)).toBeNull();
    expect(whyNot('nope' as MatmulVariantId, { M: 9, N: 12, K: 9, form: 'AB' }, SOFTWARE)).toMatch(/no matmul variant named 'nope'/);
  });

  it('defaults: software adapters get register blocks, GPUs vec4 tiles where N allows', () => {
    for (const [M, N, K] of [[1, 1, 1], [9, 9, 9], [45, 65, 33], [256, 10, 256], [1024, 1024, 1024], [64, 128, 784]]) {
      for (const traits of [SOFTWARE, GPU, { subgroups: false, software: true }]) {
        const shape = { M, N, K, form: 'AB' as const };
        expect(whyNot(defaultVariant(shape, traits), shape, traits), `${M}x${N}x${K}`).toBeNull();
      }
    }
    expect(defaultVariant({ M: 1024, N: 1024, K: 1024, form: 'AB' }, SOFTWARE)).toMatch(/^subgroups-/);
    expect(defaultVariant({ M: 1024, N: 1024, K: 1024, form: 'AB' }, { subgroups: false, software: true })).toMatch(/^blocked-/);
    expect(defaultVariant({ M: 4, N: 8, K: 2, form: 'AB' }, SOFTWARE)).toBe('blocked-4x4');
    // thin: a 10-unit output layer at batch 512 (5 M multiply-adds) and its weight gradient
    expect(defaultVariant({ M: 512, N: 10, K: 1024, form: 'AB' }, SOFTWARE)).toBe('blocked-4x4');
    expect(defaultVariant({ M: 1024, N: 10, K: 512, form: 'ATB' }, SOFTWARE)).toBe('blocked-4x4');
    expect(defaultVariant({ M: 512, N: 16, K: 1024, form: 'AB' }, SOFTWARE)).toBe('subgroups-8x8');
    expect(defaultVariant({ M: 1024, N: 1024, K: 1024, form: 'AB' }, GPU)).toMatch(/^vec4-/);
    expect(defaultVariant({ M: 45, N: 65, K: 33, form: 'AB' }, GPU)).toBe('tiled');
  });

  it('candidates: the default first, then every other applicable variant once', () => {
    for (const traits of [SOFTWARE, GPU]) {
      const shape = { M: 300, N: 64, K: 70, form: 'ABT' as const };
      const c = candidateOrder(shape, traits);
      expect(c[0]).toBe(defaultVariant(shape, traits));
      expect([...c].sort()).toEqual(applicableVariants(shape, traits).sort());
    }
  });

  it('grids cover C exactly once per output block', () => {
    const shapes: MatmulShape[] = [{ M: 1, N: 1, K: 1, form: 'AB' }, { M: 257, N: 129, K: 10, form: 'AB' }, { M: 1024, N: 1024, K: 1024, form: 'AB' }, { M: 256, N: 12, K: 784, form: 'AB' }];
    for (const shape of shapes) {
      for (const v of MATMUL_VARIANT_IDS) {
        const p = planVariant(v, shape);
        const spec = MATMUL_VARIANTS[v];
        const c = p.constants;
        const q = MATMUL_SIZES.block;
        const [cols, rows] =
          spec.layout === 'tile' ? [MATMUL_SIZES.tile, MATMUL_SIZES.tile]
            : spec.layout === 'blocks' ? [q * c.CB * c.WG_X, q * c.RB * c.WG_Y]
              : spec.layout === 'rowBlocks' ? [q * c.CB * c.WG_X, q * c.RB]
                : [MATMUL_SIZES.vec4Cols * c.WG_X, c.ROWS * c.WG_Y];
        const what = `${v} ${shapeKey(shape)}`;
        expect(p.workgroups[0] * cols, what).toBeGreaterThanOrEqual(shape.N);
        expect((p.workgroups[0] - 1) * cols, what).toBeLessThan(shape.N);
        expect(p.workgroups[1] * rows, what).toBeGreaterThanOrEqual(shape.M);
        expect((p.workgroups[1] - 1) * rows, what).toBeLessThan(shape.M);
        for (const name of Object.keys(c)) expect(spec.kernel.overrides, `${what}: override ${name}`).toContain(name);
        if (spec.layout === 'rowBlocks') expect(c.WG_X % 4, `${what}: whole subgroups`).toBe(0);
      }
    }
  });

  it('small and thin products share one pipeline whatever their modes; the others compile their modes in', () => {
    const forward = { TRANS_A: false, TRANS_B: false, EPILOGUE: 1, ACTIVATION: 1, HAS_BIAS: true };
    const gradient = { TRANS_A: true, TRANS_B: false, EPILOGUE: 0, ACTIVATION: 0, HAS_BIAS: false };
    const delta = { TRANS_A: false, TRANS_B: true, EPILOGUE: 2, ACTIVATION: 3, HAS_BIAS: false };
    // mlp-1024's output layer at batch 512: forward, weight gradient (thin), and XOR's (small)
    const compact: [MatmulShape, typeof forward][] = [
      [{ M: 512, N: 10, K: 1024, form: 'AB' }, forward], [{ M: 1024, N: 10, K: 512, form: 'ATB' }, gradient],
      [{ M: 4, N: 8, K: 2, form: 'AB' }, forward], [{ M: 4, N: 2, K: 8, form: 'ABT' }, delta],
    ];
    const keys = compact.map(([shape, m]) => {
      expect(isCompact(shape), shapeKey(shape)).toBe(true);
      return JSON.stringify(pipelineConstants(planVariant(defaultVariant(shape, SOFTWARE), shape), m));
    });
    expect(new Set(keys).size).toBe(1);
    expect(JSON.parse(keys[0])).toMatchObject({ RUNTIME_MODES: 1 });
    const big: MatmulShape = { M: 512, N: 1024, K: 784, form: 'AB' };
    expect(isCompact(big)).toBe(false);
    const c = pipelineConstants(planVariant(defaultVariant(big, SOFTWARE), big), forward);
    expect(c).toMatchObject(forward);
    expect(c.RUNTIME_MODES).toBeUndefined();
    // the params uniform carries the modes either way
    expect(matmulParams(big, 1, delta)).toEqual({ M: 512, N: 1024, K: 784, batchRows: 1, transA: 0, transB: 1, epilogue: 2, activation: 3, alpha: 0, hasBias: 0 });
  });
});

describe('tuning stores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-mlp-tuning-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('memory: what is written is read back, a missing key is null', async () => {
    const s = memoryStore();
    await s.write('a', { x: [1, 2] });
    expect(await s.read('a')).toEqual({ x: [1, 2] });
    expect(await s.read('b')).toBeNull();
  });

  it('file: records survive a new store on the same file; writes do not lose each other', async () => {
    const path = join(dir, 'sub', 'tuning.json');
    const s = fileStore(path);
    await Promise.all([s.write('one', { v: 1 }), s.write('two', { v: 2 })]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ one: { v: 1 }, two: { v: 2 } });
    const again = fileStore(path);
    expect(await again.read('two')).toEqual({ v: 2 });
    expect(await again.read('three')).toBeNull();
    expect(await fileStore(join(dir, 'missing.json')).read('one')).toBeNull();
  });

  it('adapter keys name the adapter, its limits and features, and the kernels', () => {
    const fake = (vendor: string, features: string[], invocations = 256) =>
      ({ adapterInfo: { vendor, architecture: 'arch', device: '', description: 'd' }, limits: { maxComputeInvocationsPerWorkgroup: invocations, maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 1 << 27, maxComputeWorkgroupSizeX: 256 }, features: new Set(features) }) as unknown as GPUDevice;
    const k = adapterKey(fake('google', ['subgroups', 'timestamp-query']));
    expect(k).toMatch(/^google\|arch\|\|d\|limits 256,16384,134217728,256\|subgroups,timestamp-query\|kernels [0-9a-f]{8}$/);
    expect(adapterKey(fake('google', ['timestamp-query', 'subgroups']))).toBe(k);
    expect(adapterKey(fake('nvidia', ['subgroups', 'timestamp-query']))).not.toBe(k);
    expect(adapterKey(fake('google', ['timestamp-query']))).not.toBe(k);
    expect(adapterKey(fake('google', ['subgroups', 'timestamp-query'], 1024))).not.toBe(k);
    expect(hash('abc')).toBe(hash('abc'));
    expect(hash('abc')).not.toBe(hash('abd'));
  });
});

describe("the tune and auto options of MLP.create", () => {
  const config = { inputSize: 2, layers: [{ units: 3, activation: 'tanh' as const }, { units: 1, activation: 'sigmoid' as const }], loss: 'mse' as const, backend: 'cpu' as const };

  it('accepts the tuning modes and a batch-size (and steps) hint', async () => {
    for (const tune of ['off', 'fast', 'full'] as const) (await MLP.create(config, { tune })).dispose();
    (await MLP.create(config, { auto: { batchSize: 256, steps: 1000 } })).dispose();
    expect(resolveAutoHint(undefined)).toEqual({ batchSize: AUTO_DEFAULT_BATCH, steps: null });
    expect(resolveAutoHint({ batchSize: 4 })).toEqual({ batchSize: 4, steps: null });
  });

  it('refuses a bad value, naming it, before anything is built', async () => {
    await expect(MLP.create(config, { tune: 'fastest' as never })).rejects.toThrow(/tune/);
    await expect(MLP.create(config, { auto: { batchSize: 0 } })).rejects.toThrow(RangeError);
    await expect(MLP.create(config, { auto: { batchSize: 0 } })).rejects.toThrow(/auto\.batchSize/);
    await expect(MLP.create(config, { auto: { steps: 2.5 } })).rejects.toThrow(/auto\.steps/);
    await expect(MLP.create(config, { auto: { batch: 64 } as never })).rejects.toThrow(/auto has no option 'batch'/);
    await expect(MLP.create(config, { auto: 64 as never })).rejects.toThrow(TypeError);
  });
});
