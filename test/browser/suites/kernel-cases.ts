// The kernel cases, as plain data, so the Node side can list them and the page can run them.
// Cases are grouped by the kernel file and entry point they test (one describe block each), in
// the names of src/gpu/kernels/registry.ts (batchRows 'm' | 'k', epilogue 'biasActivation' | …).
import type { Activation, LossName } from '../../../src/core/types';

import type { MatmulVariantId } from '../../../src/gpu/kernels/matmul-variants';

/**
 * One block per kernel file and entry point (and, for the matmul, per variant: every variant the
 * autotuner can choose runs the same cases): the describe blocks of test/kernels.browser.test.ts.
 */
export const KERNEL_BLOCKS = [
  'matmul.wgsl main (tiled)',
  'matmul.wgsl blocked',
  'matmul.wgsl blocked 4x4',
  'matmul.wgsl blocked 16x16',
  'matmul-vec4.wgsl main 32x32',
  'matmul-vec4.wgsl main 64x64',
  'matmul-vec4.wgsl main 128x64',
  'matmul-subgroups.wgsl main 8x8',
  'matmul-subgroups.wgsl main 16x16',
  'gather.wgsl',
  'softmax.wgsl',
  'loss.wgsl',
  'reduce.wgsl column_sums',
  'reduce.wgsl batch_stats',
  'optimizer.wgsl',
  'norm.wgsl',
  'batch-norm.wgsl',
] as const;
export type KernelBlock = (typeof KERNEL_BLOCKS)[number];

/** The matmul variant a matmul block runs (given to Launches as `matmulVariant`). */
export const MATMUL_BLOCK_VARIANT = {
  'matmul.wgsl main (tiled)': 'tiled',
  'matmul.wgsl blocked': 'blocked-8x8',
  'matmul.wgsl blocked 4x4': 'blocked-4x4',
  'matmul.wgsl blocked 16x16': 'blocked-16x16',
  'matmul-vec4.wgsl main 32x32': 'vec4-32x32',
  'matmul-vec4.wgsl main 64x64': 'vec4-64x64',
  'matmul-vec4.wgsl main 128x64': 'vec4-128x64',
  'matmul-subgroups.wgsl main 8x8': 'subgroups-8x8',
  'matmul-subgroups.wgsl main 16x16': 'subgroups-16x16',
} as const satisfies Partial<Record<KernelBlock, MatmulVariantId>>;

type Elementwise = Exclude<Activation, 'softmax'>;
/** A non-finite loss value, as it is written into rowStats. */
export type NonFinite = 'NaN' | 'Infinity' | '-Infinity';

export type KernelCase =
  /** epilogue 'none'; `rows`: the batch's row count when short of M (AB, ABᵀ) or K (AᵀB). */
  | { kind: 'matmul'; form: 'AB' | 'ATB' | 'ABT'; M: number; N: number; K: number; rows?: number }
  /** epilogue 'biasActivation': f(A·W + b). */
  | { kind: 'forward'; M: number; N: number; K: number; activation: Elementwise; bias: boolean }
  /** epilogue 'activationDerivative': (δ·Wᵀ) ⊙ f'(a). */
  | { kind: 'hiddenDelta'; M: number; N: number; K: number; activation: Elementwise }
  /** `spread`: logits seeded in [−spread, spread] (2 unless given). */
  | { kind: 'softmax'; rows: number; cols: number; spread?: number }
  | { kind: 'outputDelta'; loss: LossName; activation: Activation; rows: number; cols: number; writeDelta?: false }
  | { kind: 'columnSums'; rows: number; cols: number }
  /** Float32 rows; bytes (packed four to a word, rows padded) scaled by 1/255 and offset by −0.5; or float16 (two to a word). */
  | { kind: 'gather'; n: number; rows: number; cols: number; shardRows: number; element: 'f32' | 'u8' | 'f16' }
  /** Row stats of `rows` rows; one batch entry per element of `batches` (its row count). */
  | { kind: 'batchStats'; rows: number; batches: number[] }
  /** Batches of 10, `rows` and 10 rows, submitted one by one, with row 17's loss `bad`. */
  | { kind: 'divergence'; rows: number; bad: NonFinite }
  | { kind: 'optimizer'; optimizer: 'sgd' | 'momentum' | 'adam'; count: number; l2: number; steps: number }
  /**
   * Layer norm of a batch of `rows` rows (one row more allocated, left alone): the forward (x̂, 1/σ,
   * f(γ ⊙ x̂ + β), and y itself with `keep`) or the backward (∂γ, ∂β, then ∂loss/∂z).
   */
  | { kind: 'layerNorm'; direction: 'forward' | 'backward'; rows: number; cols: number; activation: Elementwise; keep?: true }
  /**
   * Batch norm over a batch of `rows` rows (one row more allocated, left alone): the training
   * forward (x̂, 1/σ, the moments, f(γ ⊙ x̂ + β), y with `keep`) and the running update after it,
   * the inference forward from running estimates, or the backward (∂γ, ∂β, then ∂loss/∂z).
   */
  | { kind: 'batchNorm'; direction: 'forward' | 'inference' | 'backward'; rows: number; cols: number; activation: Elementwise; keep?: true };

const FORM = { AB: 'AB', ATB: 'AᵀB', ABT: 'ABᵀ' } as const;

export const caseName = (c: KernelCase): string => {
  switch (c.kind) {
    case 'matmul': {
      const short = c.rows === undefined ? '' : ` (batch of ${c.rows} rows, batchRows '${c.form === 'ATB' ? 'k' : 'm'}')`;
      return `${FORM[c.form]} M×N×K = ${c.M}×${c.N}×${c.K}${short}`;
    }
    case 'forward': return `epilogue biasActivation: ${c.activation}(A·W${c.bias ? ' + b' : ''}) M×N×K = ${c.M}×${c.N}×${c.K}`;
    case 'hiddenDelta': return `epilogue activationDerivative: (δ·Wᵀ) ⊙ ${c.activation}'(a) M×N×K = ${c.M}×${c.N}×${c.K}`;
    case 'softmax': return `softmax ${c.rows}×${c.cols}${c.spread ? ` (logits in ±${c.spread})` : ''}`;
    case 'outputDelta': return `${c.writeDelta === false ? 'loss only (WRITE_DELTA off)' : 'output delta + loss'} ${c.loss} on ${c.activation} ${c.rows}×${c.cols}`;
    case 'columnSums': return `column sums ${c.rows}×${c.cols}`;
    case 'gather': return `gather ${c.rows} of ${c.n} ${c.element} rows × ${c.cols} (${Math.ceil(c.n / c.shardRows)} shard${c.n > c.shardRows ? 's' : ''})`;
    case 'batchStats': return `[loss, correct] sums of ${c.rows} rows, batches of ${c.batches.join(', ')} rows`;
    case 'divergence': return `divergence latch: ${c.bad} loss in a ${c.rows}-row batch, a finite batch after it`;
    case 'optimizer': return `${c.optimizer}${c.l2 ? ' + L2' : ''} × ${c.steps} steps on ${c.count} parameters`;
    case 'layerNorm': return `layer norm ${c.direction} ${c.rows}×${c.cols}${c.direction === 'forward' ? `, ${c.activation}${c.keep ? ' (y kept)' : ''}` : ''}`;
    case 'batchNorm': return `batch norm ${c.direction} ${c.rows}×${c.cols}${c.direction === 'backward' ? '' : `, ${c.activation}${c.keep ? ' (y kept)' : ''}`}`;
  }
};

const shapes: [number, number, number][] = [
  [1, 1, 1], [9, 9, 9], [45, 65, 33], [64, 784, 256], [257, 129, 10], [3, 1, 200], [130, 70, 1], [65, 64, 17],
];
const elementwise: Elementwise[] = ['linear', 'sigmoid', 'tanh', 'relu'];

/** Cases of matmul.wgsl, run on each entry point. */
const matmulCases: KernelCase[] = [
  ...(['AB', 'ATB', 'ABT'] as const).flatMap((form) => shapes.map(([M, N, K]) => ({ kind: 'matmul' as const, form, M, N, K }))),
  // a short last batch: only its rows are computed
  { kind: 'matmul', form: 'AB', M: 45, N: 65, K: 33, rows: 30 },
  { kind: 'matmul', form: 'ATB', M: 45, N: 65, K: 33, rows: 20 },
  // small and thin products run register blocks with the modes read at run time (one pipeline for
  // all of them); 40×70×401 (over a million multiply-adds, 16 or more rows and columns) with the
  // modes compiled in
  ...elementwise.flatMap((activation) => [
    { kind: 'forward' as const, M: 45, N: 65, K: 33, activation, bias: true },
    { kind: 'forward' as const, M: 257, N: 10, K: 129, activation, bias: false },
    { kind: 'forward' as const, M: 40, N: 70, K: 401, activation, bias: true },
    { kind: 'hiddenDelta' as const, M: 45, N: 65, K: 33, activation },
    { kind: 'hiddenDelta' as const, M: 1, N: 1, K: 1, activation },
    { kind: 'hiddenDelta' as const, M: 40, N: 70, K: 401, activation },
  ]),
  { kind: 'forward', M: 1, N: 1, K: 1, activation: 'sigmoid', bias: true },
  { kind: 'forward', M: 9, N: 9, K: 9, activation: 'tanh', bias: true },
  { kind: 'hiddenDelta', M: 9, N: 9, K: 9, activation: 'sigmoid' },
];

/**
 * The same for the vec4 variants, which write four columns at a time and so run where N is a
 * multiple of 4: odd M and K with such N, and one odd N each (where the launch must fall back to
 * another variant, and still give the same numbers).
 */
const vec4Shapes: [number, number, number][] = [
  [1, 4, 1], [9, 12, 9], [45, 64, 33], [64, 784, 256], [257, 132, 10], [3, 4, 200], [130, 68, 1], [65, 64, 17],
];
const vec4Cases: KernelCase[] = [
  ...(['AB', 'ATB', 'ABT'] as const).flatMap((form) => vec4Shapes.map(([M, N, K]) => ({ kind: 'matmul' as const, form, M, N, K }))),
  { kind: 'matmul', form: 'AB', M: 45, N: 64, K: 33, rows: 30 },
  { kind: 'matmul', form: 'ATB', M: 45, N: 64, K: 33, rows: 20 },
  { kind: 'matmul', form: 'ATB', M: 44, N: 64, K: 33, rows: 21 },
  ...elementwise.flatMap((activation) => [
    { kind: 'forward' as const, M: 45, N: 64, K: 33, activation, bias: true },
    { kind: 'forward' as const, M: 257, N: 12, K: 129, activation, bias: false },
    { kind: 'hiddenDelta' as const, M: 45, N: 68, K: 33, activation },
  ]),
  { kind: 'forward', M: 1, N: 4, K: 1, activation: 'sigmoid', bias: true },
  { kind: 'hiddenDelta', M: 9, N: 12, K: 9, activation: 'sigmoid' },
  // N not a multiple of 4: another variant runs
  { kind: 'matmul', form: 'AB', M: 45, N: 65, K: 33 },
  { kind: 'forward', M: 9, N: 9, K: 9, activation: 'tanh', bias: true },
];

/**
 * For a variant that runs the same entry point as one swept fully, with other override constants
 * (tile sizes): every product form at every shape but the largest (the tile edges are what the
 * constants change; the multi-tile interior is also reached by 257×129×10 and 130×70×1), and the
 * fused epilogues with one activation — the epilogue code is the entry point's, shared with the
 * fully swept sibling. Keeps `npm test` under its 10 minutes: each shape is a pipeline compile,
 * seconds each on a software adapter, and 64×784×256 seconds more to run there.
 */
const tileSiblingCases = (cases: KernelCase[]): KernelCase[] => cases.filter((c) =>
  c.kind === 'matmul' ? c.M * c.N * c.K < 1e6 : (c.kind !== 'forward' && c.kind !== 'hiddenDelta') || c.activation === 'tanh' || c.M * c.N * c.K < 2000);

/**
 * For the fully swept entry points after the first: every case, but the fused epilogues' loops over
 * activations keep tanh (a transcendental) and relu (a select). Every matmul kernel applies its
 * epilogue through matmul-modes.wgsl's epilogue() and activation.wgsl's one function per activation,
 * so which activation a kernel applies is the same code in each; 'matmul.wgsl main (tiled)' runs all
 * four, and each activation at each shape is another pipeline compile on a software adapter.
 */
const twoActivationCases = (cases: KernelCase[]): KernelCase[] => cases.filter((c) =>
  (c.kind !== 'forward' && c.kind !== 'hiddenDelta') || c.activation === 'tanh' || c.activation === 'relu' || c.M * c.N * c.K < 2000);

/**
 * The blocks whose entry point another block sweeps fully, with other tile constants (see
 * tileSiblingCases).
 */
export const TILE_SIBLING_BLOCKS: readonly KernelBlock[] = ['matmul.wgsl blocked 4x4', 'matmul.wgsl blocked 16x16', 'matmul-vec4.wgsl main 64x64', 'matmul-vec4.wgsl main 128x64', 'matmul-subgroups.wgsl main 16x16'];

export const kernelCases: Record<KernelBlock, KernelCase[]> = {
  'matmul.wgsl main (tiled)': matmulCases,
  'matmul.wgsl blocked': twoActivationCases(matmulCases),
  'matmul.wgsl blocked 4x4': tileSiblingCases(matmulCases),
  'matmul.wgsl blocked 16x16': tileSiblingCases(matmulCases),
  'matmul-vec4.wgsl main 32x32': twoActivationCases(vec4Cases),
  'matmul-vec4.wgsl main 64x64': tileSiblingCases(vec4Cases),
  'matmul-vec4.wgsl main 128x64': tileSiblingCases(vec4Cases),
  'matmul-subgroups.wgsl main 8x8': twoActivationCases(matmulCases),
  'matmul-subgroups.wgsl main 16x16': tileSiblingCases(matmulCases),
  'gather.wgsl': (['f32', 'u8', 'f16'] as const).flatMap((element) => [
    { kind: 'gather', n: 100, rows: 33, cols: 7, shardRows: 100, element },
    { kind: 'gather', n: 100, rows: 60, cols: 7, shardRows: 40, element },
    { kind: 'gather', n: 100, rows: 83, cols: 3, shardRows: 25, element },
    { kind: 'gather', n: 100, rows: 1, cols: 1, shardRows: 100, element },
    { kind: 'gather', n: 100, rows: 9, cols: 9, shardRows: 40, element },
    { kind: 'gather', n: 100, rows: 45, cols: 65, shardRows: 30, element },
    // more shards than one launch binds: three launches
    { kind: 'gather', n: 100, rows: 80, cols: 8, shardRows: 9, element },
  ]),
  'softmax.wgsl': [
    { kind: 'softmax', rows: 37, cols: 10, spread: 6 },
    { kind: 'softmax', rows: 5, cols: 1, spread: 6 },
    { kind: 'softmax', rows: 3, cols: 300, spread: 6 },
    { kind: 'softmax', rows: 1, cols: 1 },
    { kind: 'softmax', rows: 9, cols: 9 },
    { kind: 'softmax', rows: 45, cols: 65 },
  ],
  'loss.wgsl': [
    ...(['sigmoid', 'tanh', 'relu', 'linear', 'softmax'] as const).flatMap((activation) =>
      (['sse', 'mse'] as const).map((loss) => ({ kind: 'outputDelta' as const, loss, activation, rows: 33, cols: 7 })),
    ),
    { kind: 'outputDelta', loss: 'binaryCrossEntropy', activation: 'sigmoid', rows: 33, cols: 7 },
    { kind: 'outputDelta', loss: 'binaryCrossEntropy', activation: 'sigmoid', rows: 9, cols: 1 },
    { kind: 'outputDelta', loss: 'categoricalCrossEntropy', activation: 'softmax', rows: 65, cols: 10 },
    { kind: 'outputDelta', loss: 'sse', activation: 'sigmoid', rows: 1, cols: 1 },
    { kind: 'outputDelta', loss: 'mse', activation: 'tanh', rows: 9, cols: 9 },
    { kind: 'outputDelta', loss: 'sse', activation: 'softmax', rows: 9, cols: 9 },
    { kind: 'outputDelta', loss: 'categoricalCrossEntropy', activation: 'softmax', rows: 45, cols: 65 },
    { kind: 'outputDelta', loss: 'mse', activation: 'relu', rows: 9, cols: 9, writeDelta: false },
    // huber at its default δ = 1: targets in [−2, 2] put errors on both sides of it
    { kind: 'outputDelta', loss: 'huber', activation: 'linear', rows: 33, cols: 7 },
    { kind: 'outputDelta', loss: 'huber', activation: 'tanh', rows: 9, cols: 1 },
    { kind: 'outputDelta', loss: 'huber', activation: 'softmax', rows: 9, cols: 9 },
  ],
  'reduce.wgsl column_sums': [
    { kind: 'columnSums', rows: 45, cols: 65 },
    { kind: 'columnSums', rows: 1, cols: 1 },
    { kind: 'columnSums', rows: 300, cols: 3 },
    { kind: 'columnSums', rows: 9, cols: 9 },
  ],
  'reduce.wgsl batch_stats': [
    { kind: 'batchStats', rows: 1, batches: [1, 1] },
    { kind: 'batchStats', rows: 9, batches: [9, 4, 1] },
    { kind: 'batchStats', rows: 45, batches: [45, 44, 7] },
    { kind: 'batchStats', rows: 65, batches: [65, 64, 33, 1] },
    // more rows than the 256-thread maximum, and batches around the thread counts
    { kind: 'batchStats', rows: 300, batches: [300, 257, 256, 255, 129, 1] },
    { kind: 'divergence', rows: 40, bad: 'Infinity' },
    { kind: 'divergence', rows: 40, bad: '-Infinity' },
    { kind: 'divergence', rows: 40, bad: 'NaN' },
  ],
  'optimizer.wgsl': (['sgd', 'momentum', 'adam'] as const).flatMap((optimizer) => [
    { kind: 'optimizer' as const, optimizer, count: 1000, l2: 0, steps: 10 },
    { kind: 'optimizer' as const, optimizer, count: 65, l2: 0.5, steps: 10 },
    { kind: 'optimizer' as const, optimizer, count: 1, l2: 0.5, steps: 3 },
  ]).concat([{ kind: 'optimizer', optimizer: 'adam', count: 2925, l2: 0, steps: 3 }]),
  // odd widths up to a row of several strides of the workgroup's 64 threads; the forward with f(y)
  // read from y (tanh) and with y kept for an f' that reads it (gelu); forwards first, so that the
  // Dawn file's one case in six takes one of each direction
  'norm.wgsl': (['forward', 'backward'] as const).flatMap((direction) => [1, 3, 9, 65, 300].map((cols, i) => ({
    kind: 'layerNorm' as const, direction, rows: 7, cols,
    ...(direction === 'backward' ? { activation: 'linear' as const } : i < 3 ? { activation: 'tanh' as const } : { activation: 'gelu' as const, keep: true as const }),
  }))),
  // a thread a unit over the rows: widths 1 to past one workgroup of 64, batches of 2 (the fewest
  // training allows) to 33 rows, each direction on its own
  'batch-norm.wgsl': (['forward', 'inference', 'backward'] as const).flatMap((direction) => [1, 3, 9, 65].map((cols, i) => ({
    kind: 'batchNorm' as const, direction, rows: [2, 5, 33][i % 3], cols,
    ...(direction === 'backward' ? { activation: 'linear' as const } : direction === 'inference' ? { activation: 'sigmoid' as const } : i < 2 ? { activation: 'tanh' as const } : { activation: 'gelu' as const, keep: true as const }),
  }))),
};
