// The kernel launch builders in Node (no GPU): each family's request binds exactly what its WGSL
// entry point declares and fills its params uniform; the recorder notes requests and creates
// nothing; the matmul variant is the forced one, else the injected tuner's choice, else the default.
import { describe, expect, it } from 'vitest';
import { resolveOptimizer } from '../src/core/config';
import { packParams } from '../src/gpu/kernels/kernel-interface';
import { bindGroupEntries } from '../src/gpu/kernels/pipelines';
import { FEATURE_KERNELS, KERNELS, MAX_STATS_THREADS, SHARDS_PER_GATHER } from '../src/gpu/kernels/registry';
import { type DeviceTraits, type MatmulShape, type MatmulVariantId, MATMUL_VARIANTS, MATMUL_VARIANT_IDS, defaultVariant, planVariant } from '../src/gpu/kernels/matmul-variants';
import type { DeviceMatrix } from '../src/gpu/kernels/device-matrix';
import { type LaunchRequest, request } from '../src/gpu/kernels/launch-request';
import { LaunchRecorder } from '../src/gpu/kernels/launch-recorder';
import { matmulRequest } from '../src/gpu/kernels/launch-matmul';
import { gatherRequests } from '../src/gpu/kernels/launch-gather';
import { softmaxRequest } from '../src/gpu/kernels/launch-softmax';
import { lossRequest } from '../src/gpu/kernels/launch-loss';
import { dropoutRequest } from '../src/gpu/kernels/launch-dropout';
import { sumSquaresRequest } from '../src/gpu/kernels/launch-clip';
import { batchStatsRequest, columnSumsRequest } from '../src/gpu/kernels/launch-reduce';
import { optimizerRequest } from '../src/gpu/kernels/launch-optimizer';
import { batchNormRequest } from '../src/gpu/kernels/launch-batch-norm';
import { normRequest } from '../src/gpu/kernels/launch-norm';

/** A stand-in buffer: requests and bind-group entries only pass it through. */
class StandInBuffer implements GPUBuffer {
  readonly __brand = 'GPUBuffer' as const;
  readonly usage = 0;
  readonly mapState = 'unmapped' as const;
  constructor(
    public label: string,
    readonly size = 1024,
  ) {}
  mapAsync(): Promise<undefined> {
    return Promise.reject(new Error(`stand-in buffer '${this.label}' cannot be mapped`));
  }
  getMappedRange(): ArrayBuffer {
    throw new Error(`stand-in buffer '${this.label}' has no mapped range`);
  }
  unmap(): undefined {
    return undefined;
  }
  destroy(): undefined {
    return undefined;
  }
}

const buf = (label: string) => new StandInBuffer(label);
const matrix = (shards: number): DeviceMatrix => ({
  buffers: Array.from({ length: shards }, (_, i) => buf(`shard ${i}`)), shardRows: 8, rowStride: 3, element: 'u8', scale: 1 / 255, offset: 0, capacity: 8 * shards, cols: 10,
});

/** Binds `r`'s buffers (and a params uniform when it has one) as a bind group would, and packs its params. */
function bindAndPack(r: LaunchRequest): void {
  const buffers = r.params ? { params: buf('params'), ...r.buffers } : r.buffers;
  bindGroupEntries(r.kernel, r.entry, buffers, (access, nth) => buf(`unused ${access} ${nth}`));
  if (r.params) packParams(r.kernel, r.params);
}

const adamw = resolveOptimizer({ type: 'adamw', weightDecay: 0.01 });

/** One request of every family, with its optional bindings both given and left out. */
const requests: [string, LaunchRequest][] = [
  ...MATMUL_VARIANT_IDS.map((v): [string, LaunchRequest] => [`matmul ${v}`, matmulRequest({ a: buf('a'), b: buf('b'), c: buf('c'), M: 33, N: 8, K: 17, bias: buf('bias'), epilogue: 'biasActivation', activation: 'relu' }, () => v)]),
  ['matmul ATB', matmulRequest({ a: buf('a'), b: buf('b'), c: buf('c'), M: 17, N: 9, K: 64, batchRows: 'k', transA: true }, () => 'tiled')],
  ...gatherRequests({ order: buf('order'), src: matrix(SHARDS_PER_GATHER + 1), dst: buf('dst'), cols: 10, rows: 8 }).map((r): [string, LaunchRequest] => [r.label, r]),
  ['softmax', softmaxRequest({ z: buf('z'), cols: 10, rows: 64 })],
  ['loss plain', lossRequest({ a: buf('a'), y: buf('y'), delta: null, rowStats: buf('rows'), cols: 3, rows: 9, loss: 'mse', activation: 'linear', writeDelta: false })],
  ['loss weighted', lossRequest({ a: buf('a'), y: buf('y'), delta: buf('d'), rowStats: buf('rows'), cols: 3, rows: 9, loss: 'categoricalCrossEntropy', activation: 'softmax', writeDelta: true, sampleWeights: buf('w'), rowMetrics: buf('m') })],
  ['dropout forward', dropoutRequest({ direction: 'forward', src: buf('src'), dst: buf('dst'), cols: 5, rows: 7, layer: 1, threshold: 100, scale: 2 })],
  ['dropout backward', dropoutRequest({ direction: 'backward', dst: buf('dst'), cols: 5, rows: 7, layer: 1, threshold: 100, scale: 2 })],
  ['sum of squares', sumSquaresRequest({ theta: buf('t'), grad: buf('g'), norms: buf('n'), count: 40, l2: 0, slot: 2 })],
  ['column sums', columnSumsRequest({ src: buf('src'), dst: buf('dst'), cols: 10 })],
  ['batch stats', batchStatsRequest({ rowStats: buf('rows'), stats: buf('stats'), flags: null, rows: 10 })],
  ...((): [string, LaunchRequest][] => {
    const bn = { cols: 65, layer: 1, eps: 1e-5, momentum: 0.1 };
    const fwd = { xhat: buf('x'), invStd: buf('i'), moments: buf('m'), gammaBeta: buf('gb'), dst: buf('a'), activation: 'gelu' as const };
    return [
      ['batch norm forward', batchNormRequest({ op: 'forward', ...fwd, pre: null, ...bn })],
      ['batch norm forward keeping y', batchNormRequest({ op: 'forward', ...fwd, pre: buf('y'), ...bn })],
      ['batch norm inference', batchNormRequest({ op: 'infer', xhat: buf('x'), stats: buf('s'), gammaBeta: buf('gb'), dst: buf('a'), activation: 'tanh', ...bn })],
      ['batch norm running update', batchNormRequest({ op: 'runningUpdate', moments: buf('m'), stats: buf('s'), prev: buf('p'), flags: buf('f'), ...bn })],
      ['batch norm backward', batchNormRequest({ op: 'backward', xhat: buf('x'), invStd: buf('i'), gammaBeta: buf('gb'), delta: buf('d'), grads: buf('g'), ...bn })],
    ];
  })(),
  ...((): [string, LaunchRequest][] => {
    const ln = { xhat: buf('x'), invStd: buf('i'), gammaBeta: buf('gb'), cols: 65, rows: 7, layer: 1, eps: 1e-5 };
    return [
      ['norm forward', normRequest({ op: 'forward', ...ln, dst: buf('a'), pre: null, activation: 'tanh' })],
      ['norm forward keeping y', normRequest({ op: 'forward', ...ln, dst: buf('a'), pre: buf('y'), activation: 'gelu' })],
      ['norm gradients', normRequest({ op: 'paramGrads', ...ln, delta: buf('d'), grads: buf('g') })],
      ['norm backward', normRequest({ op: 'backward', ...ln, delta: buf('d') })],
    ];
  })(),
  ['optimizer sgd', optimizerRequest({ theta: buf('t'), grad: buf('g'), s1: null, s2: null, prev: buf('p'), flags: buf('f'), count: 40, l2: 0.1, opt: resolveOptimizer('sgd') })],
  ['optimizer adamw clipped', optimizerRequest({
    theta: buf('t'), grad: buf('g'), s1: buf('s1'), s2: buf('s2'), prev: buf('p'), flags: buf('f'), count: 40, l2: 0, opt: adamw,
    clip: { norm: 1, value: 0.5, norms: buf('norms'), slots: 4 },
  })],
];

describe('launch requests: each family agrees with its WGSL', () => {
  for (const [name, r] of requests) {
    it(`${name}: binds what ${r.kernel.name}.wgsl ${r.entry}() declares and fills its params`, () => {
      expect(() => bindAndPack(r)).not.toThrow();
      expect(r.workgroups[0] * r.workgroups[1], name).toBeGreaterThan(0);
    });
  }

  it('gathers a matrix of more shards than one launch binds in several launches', () => {
    const rs = gatherRequests({ order: buf('order'), src: matrix(SHARDS_PER_GATHER + 1), dst: buf('dst'), cols: 10, rows: 8, label: 'gather x' });
    expect(rs.map((r) => r.label)).toEqual([`gather x shards 0..${SHARDS_PER_GATHER - 1}`, `gather x shards ${SHARDS_PER_GATHER}..${SHARDS_PER_GATHER}`]);
    expect(rs.map((r) => r.params?.firstShard)).toEqual([0, SHARDS_PER_GATHER]);
  });

  it('sizes batch_stats to the batch: the next power of two, at most MAX_STATS_THREADS', () => {
    expect(batchStatsRequest({ rowStats: buf('r'), stats: buf('s'), flags: null, rows: 10 }).constants.STATS_THREADS).toBe(16);
    expect(batchStatsRequest({ rowStats: buf('r'), stats: buf('s'), flags: null, rows: 100_000 }).constants.STATS_THREADS).toBe(MAX_STATS_THREADS);
  });

  it('norm and batch norm forward: one entry point, y kept exactly when `pre` is given (KEEP_PRE), else pre left to a placeholder', () => {
    const keeps = requests.filter(([name]) => /^(batch )?norm forward/.test(name));
    expect(keeps.map(([name, r]) => [name, r.entry, r.constants.KEEP_PRE, r.buffers.pre === null])).toEqual([
      ['batch norm forward', 'forward', false, true],
      ['batch norm forward keeping y', 'forward', true, false],
      ['norm forward', 'forward', false, true],
      ['norm forward keeping y', 'forward', true, false],
    ]);
  });

  it('makes fixed optimizer settings pipeline constants: AdamW decays biases only with decayBiases, clipping by norm and value', () => {
    const base = { theta: buf('t'), grad: buf('g'), s1: buf('s1'), s2: buf('s2'), prev: buf('p'), flags: buf('f'), count: 40, l2: 0, opt: adamw };
    expect(optimizerRequest(base).constants.WEIGHT_DECAY).toBeCloseTo(0.01, 12);
    expect(optimizerRequest({ ...base, bias: true }).constants.WEIGHT_DECAY).toBeUndefined();
    const clipped = optimizerRequest({ ...base, clip: { norm: 2, value: null, norms: buf('n'), slots: 6 } }).constants;
    expect(clipped.NORM_SLOTS).toBe(6);
    expect(clipped.CLIP_NORM).toBeCloseTo(2, 12);
    expect(clipped.CLIP_VALUE).toBeUndefined();
  });
});

describe('request(): what every builder builds its launch with', () => {
  it('passes the parts on as they are: no constants by default, a matmul record only where given', () => {
    const z = buf('z');
    const r = request(KERNELS.softmax, 'main', { label: 'softmax', params: { cols: 10 }, buffers: { z }, workgroups: [2, 1] });
    expect(r).toEqual({ label: 'softmax', kernel: KERNELS.softmax, entry: 'main', constants: {}, params: { cols: 10 }, buffers: { z }, workgroups: [2, 1] });
    expect('matmul' in r).toBe(false);
  });

  it('gather: each launch binds its own shards by name, those past the last unused', () => {
    const src = matrix(SHARDS_PER_GATHER + 1);
    const [first, second] = gatherRequests({ order: buf('order'), src, dst: buf('dst'), cols: 10, rows: 8 });
    for (let i = 0; i < SHARDS_PER_GATHER; i++) expect(first.buffers[`src${i}`], `first launch src${i}`).toBe(src.buffers[i]);
    expect(second.buffers.src0).toBe(src.buffers[SHARDS_PER_GATHER]);
    for (let i = 1; i < SHARDS_PER_GATHER; i++) expect(second.buffers[`src${i}`], `second launch src${i}`).toBeNull();
  });

  it('dropout: forward binds src and dst, backward dst alone', () => {
    const o = { src: buf('src'), dst: buf('dst'), cols: 5, rows: 7, layer: 1, threshold: 100, scale: 2 };
    expect(dropoutRequest({ ...o, direction: 'forward' })).toMatchObject({ kernel: FEATURE_KERNELS.dropout, entry: 'forward', buffers: { src: o.src, dst: o.dst } });
    const backward = dropoutRequest({ ...o, direction: 'backward' });
    expect(backward).toMatchObject({ kernel: FEATURE_KERNELS.dropout, entry: 'backward' });
    expect(Object.keys(backward.buffers)).toEqual(['dst']);
  });

  it('matmul: each variant runs the kernel file and entry point of its row, and its plan holds no more than the launch needs', () => {
    const shape: MatmulShape = { M: 33, N: 8, K: 17, form: 'AB' };
    for (const v of MATMUL_VARIANT_IDS) {
      const r = matmulRequest({ a: buf('a'), b: buf('b'), c: buf('c'), M: shape.M, N: shape.N, K: shape.K }, () => v);
      expect(r.kernel, v).toBe(MATMUL_VARIANTS[v].kernel);
      expect(r.entry, v).toBe(MATMUL_VARIANTS[v].entry);
      expect(Object.keys(planVariant(v, shape)).sort(), v).toEqual(['constants', 'entry', 'kernel', 'workgroups']);
    }
  });
});

describe('LaunchRecorder', () => {
  const software: DeviceTraits = { subgroups: false, software: true };

  it('notes each request and returns it, building no GPU object', () => {
    const recorder = new LaunchRecorder(software);
    const s = recorder.softmax({ z: buf('z'), cols: 10, rows: 64 });
    const g = recorder.gather({ order: buf('order'), src: matrix(SHARDS_PER_GATHER + 1), dst: buf('dst'), cols: 10, rows: 8 });
    const m = recorder.matmul({ a: buf('a'), b: buf('b'), c: buf('c'), M: 64, N: 10, K: 784, transA: true });
    expect(recorder.requests).toEqual([s, ...g, m]);
    expect(recorder.requests.map((r) => r.kernel.name)).toEqual(['softmax', 'gather', 'gather', 'matmul']);
    expect(m.matmul?.shape).toEqual({ M: 64, N: 10, K: 784, form: 'ATB' });
    expect(m.matmul?.modes.TRANS_A).toBe(true);
    expect(Object.keys(s)).not.toContain('pipeline');
  });

  it('runs the forced variant where it applies, else the tuned one where it applies, else the default', () => {
    const asked: MatmulShape[] = [];
    const tuned = (variant: MatmulVariantId) => (shape: MatmulShape) => (asked.push(shape), variant);
    const wide: MatmulShape = { M: 64, N: 8, K: 32, form: 'AB' };
    const odd: MatmulShape = { M: 64, N: 10, K: 32, form: 'AB' };
    expect(new LaunchRecorder(software, { matmulVariant: 'vec4-64x64', tuned: tuned('blocked-8x8') }).variantFor(wide)).toBe('vec4-64x64');
    expect(new LaunchRecorder(software, { matmulVariant: 'vec4-64x64', tuned: tuned('blocked-8x8') }).variantFor(odd)).toBe('blocked-8x8');
    expect(new LaunchRecorder(software, { tuned: tuned('subgroups-8x8') }).variantFor(odd)).toBe(defaultVariant(odd, software));
    expect(new LaunchRecorder(software, { tuned: () => null }).variantFor(odd)).toBe(defaultVariant(odd, software));
    expect(new LaunchRecorder(software).variantFor(odd)).toBe(defaultVariant(odd, software));
    expect(asked).toEqual([odd, odd]);

    const recorder = new LaunchRecorder(software, { tuned: tuned('tiled') });
    const r = recorder.matmul({ a: buf('a'), b: buf('b'), c: buf('c'), M: 9, N: 9, K: 9, transB: true });
    expect(r.matmul?.variant).toBe('tiled');
    expect(asked[asked.length - 1]).toEqual({ M: 9, N: 9, K: 9, form: 'ABT' });
  });
});
