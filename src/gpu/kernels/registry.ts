import batchKernel from '../../../shaders/batch.wgsl?kernel';
import clipKernel from '../../../shaders/clip.wgsl?kernel';
import activateKernel from '../../../shaders/activate.wgsl?kernel';
import dropoutKernel from '../../../shaders/dropout.wgsl?kernel';
import gatherKernel from '../../../shaders/gather.wgsl?kernel';
import lossKernel from '../../../shaders/loss.wgsl?kernel';
import matmulKernel from '../../../shaders/matmul.wgsl?kernel';
import matmulSubgroupsKernel from '../../../shaders/matmul-subgroups.wgsl?kernel';
import matmulVec4Kernel from '../../../shaders/matmul-vec4.wgsl?kernel';
import optimizerKernel from '../../../shaders/optimizer.wgsl?kernel';
import reduceKernel from '../../../shaders/reduce.wgsl?kernel';
import normKernel from '../../../shaders/norm.wgsl?kernel';
import batchNormKernel from '../../../shaders/batch-norm.wgsl?kernel';
import residualKernel from '../../../shaders/residual.wgsl?kernel';
import softmaxKernel from '../../../shaders/softmax.wgsl?kernel';
import type { Activation, LossName } from '../../core/types';
import type { ResolvedOptimizer } from '../../core/config';
import { type KernelInterface, kernelConst, modeCode } from './kernel-interface';

/**
 * Every kernel family, one shaders/NAME.wgsl each, with its interface reflected at build time and
 * its names typed per file (wgsl-modules.d.ts), so that launches are checked by the compiler.
 *
 * @example
 * KERNELS.matmul.entries.main.bindings.map((b) => b.name); // ['params', 'a', 'b', 'c', 'bias', 'aux']
 */
export const KERNELS = {
  // Adding a kernel: write shaders/NAME.wgsl, run `npm run typecheck` (which declares its types),
  // import it here with `?kernel`, add a request builder in src/gpu/kernels/launch-NAME.ts (built
  // with request(), which checks its binding and Params names) and a method on LaunchBuilder.
  matmul: matmulKernel,
  gather: gatherKernel,
  softmax: softmaxKernel,
  loss: lossKernel,
  reduce: reduceKernel,
  optimizer: optimizerKernel,
} satisfies Record<string, KernelInterface>;

/**
 * The kernels of the optional training features, one `.wgsl` file each: inverted dropout
 * (dropout.wgsl), the global-norm half of gradient clipping (clip.wgsl), residual layers' adds
 * (residual.wgsl), the activation pass of the layers that keep z (activate.wgsl), layer
 * normalization (norm.wgsl) and batch normalization (batch-norm.wgsl). Launched only when a model or a `fit` uses the feature.
 *
 * @example
 * FEATURE_KERNELS.dropout.entries.forward.bindings.map((b) => b.name); // ['params', 'src', 'dst']
 */
export const FEATURE_KERNELS = {
  dropout: dropoutKernel,
  clip: clipKernel,
  residual: residualKernel,
  activate: activateKernel,
  norm: normKernel,
  batchNorm: batchNormKernel,
} satisfies Record<string, KernelInterface>;

/** Name of a kernel family. */
export type KernelName = keyof typeof KERNELS;

/** The per-batch uniform (struct Batch in batch.wgsl), shared by every kernel at group 1. */
export const BATCH_LAYOUT = batchKernel.uniforms.batch;

/**
 * The other kernel files of the matrix product: matmul.wgsl's math, bindings and uniforms with vec4
 * loads and stores, or subgroup operations (devices with `subgroups` only). Each variant of
 * {@link MATMUL_VARIANTS} runs one of their entry points or one of matmul.wgsl's.
 */
export const MATMUL_VARIANT_KERNELS = {
  'matmul-vec4': matmulVec4Kernel,
  'matmul-subgroups': matmulSubgroupsKernel,
} satisfies Record<string, KernelInterface>;

/** Sizes of the matmul entry points (defined once, in the WGSL). */
export const MATMUL_SIZES = {
  /** Outputs per workgroup side of matmul.wgsl's tiled entry point. */
  tile: kernelConst(matmulKernel, 'TILE'),
  /** Outputs per side of one register block (matmul-blocks.wgsl): a thread holds RB × CB of them. */
  block: kernelConst(matmulKernel, 'BLOCK'),
  /** Most register blocks a thread holds along rows or columns (the largest RB and CB). */
  maxQuads: kernelConst(matmulKernel, 'MAX_QUADS'),
  /** Most rows per thread of matmul-vec4.wgsl (its largest ROWS). */
  vec4MaxRows: kernelConst(matmulVec4Kernel, 'MAX_ROWS'),
  /** Columns per thread of matmul-vec4.wgsl: one vec4. */
  vec4Cols: 4,
} as const;

/**
 * How many shards (storage bindings, `src0..src3`) one gather.wgsl launch reads a dataset from;
 * a dataset of more shards takes more launches.
 */
export const SHARDS_PER_GATHER = kernelConst(gatherKernel, 'SHARDS');

/** How a dataset is stored on the device: float32, bytes packed four to a word, or float16 two to a word (gather.wgsl's `ELEMENT_*`). */
export type Element = 'f32' | 'u8' | 'f16';
/** The WGSL code of a dataset element format (gather.wgsl's `ELEMENT_*`). */
export const elementCode = (e: Element): number => modeCode(gatherKernel, 'ELEMENT', e);

/** Most threads batch_stats (reduce.wgsl) runs in its one workgroup. */
export const MAX_STATS_THREADS = kernelConst(reduceKernel, 'MAX_STATS_THREADS');

/** What matmul.wgsl does after the product. */
export type Epilogue = 'none' | 'biasActivation' | 'activationDerivative';
/** Which size of a matmul is the batch's row count, read per batch: none, M or K. */
export type BatchRows = 'none' | 'm' | 'k';

/** The WGSL code of an activation (activation.wgsl's `ACTIVATION_*`). */
export const activationCode = (a: Activation): number => modeCode(matmulKernel, 'ACTIVATION', a);
/** The WGSL code of a loss (loss.wgsl's `LOSS_*`). */
export const lossCode = (l: LossName): number => modeCode(lossKernel, 'LOSS', l);
/** The WGSL code of an optimizer (optimizer.wgsl's `OPTIMIZER_*`). */
export const optimizerCode = (o: ResolvedOptimizer['type']): number => modeCode(optimizerKernel, 'OPTIMIZER', o);
/** The WGSL code of a matmul epilogue (`EPILOGUE_*`). */
export const epilogueCode = (e: Epilogue): number => modeCode(matmulKernel, 'EPILOGUE', e);
/** The WGSL code of a batch-rows mode (`BATCH_ROWS_*`). */
export const batchRowsCode = (b: BatchRows): number => modeCode(matmulKernel, 'BATCH_ROWS', b);
