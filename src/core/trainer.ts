import type { ResolvedOptimizer } from './config';
import type { Dense } from './data';
import type { OptimizerState } from './optimizer-state';
import type { Params } from './params';
import type { StepProfile } from './profile';
import type { ClipSettings } from './optimizer-state';

/**
 * Parameters and optimizer state together: what training resumes from.
 *
 * @example
 * const checkpoint: Checkpoint | null = backend.lastCheckpoint();
 */
export interface Checkpoint {
  params: Params;
  optimizer: OptimizerState | null;
}

/**
 * One epoch's work, decided by the host: the sample order, batching and the optimizer.
 *
 * @example
 * const plan: EpochPlan = { order: Uint32Array.of(2, 0, 1), batchSize: 2, learningRate: 0.1, optimizer: { type: 'sgd' }, stepsBefore: 0 };
 */
export interface EpochPlan {
  /**
   * Sample indices in the order they are visited (a seeded shuffle, or 0..n−1). A `trainEpochs`
   * call of one plan may take a part of an epoch: whole batches of its order, from `firstBatch`.
   */
  order: Uint32Array;
  batchSize: number;
  learningRate: number;
  optimizer: ResolvedOptimizer;
  /** Optimizer steps taken before this epoch (Adam's bias correction counts from here). */
  stepsBefore: number;
  /** Per-step learning rates (a schedule), overriding `learningRate` for the epoch's batches. */
  learningRates?: ArrayLike<number>;
  /** This epoch's dropout key (src/core/dropout-mask.ts), when a layer drops units. */
  dropKey?: number;
  /**
   * The epoch's batch index of this plan's first batch (default 0): a stream's later blocks, or a
   * later part of a `fit` epoch (src/fit/epoch-parts.ts), whose batch b draws the mask
   * `batchDropKey(dropKey, firstBatch + b)` as the whole epoch's would.
   */
  firstBatch?: number;
  /** Gradient clipping (see src/cpu/optimizers.ts `clipGradients`). */
  clip?: ClipSettings | null;
}

/**
 * The summed loss and correct count of one batch, measured before its update.
 *
 * @example
 * const meanLoss = stats.lossSum / stats.size;
 */
export interface BatchStats {
  lossSum: number;
  correct: number;
  size: number;
  /** Regression outputs: Σ|y − o| and Σ(y − o)² over the batch (src/core/metrics.ts). */
  absErr?: number;
  sqErr?: number;
}

/**
 * What a backend reports as batches complete: stats of batches [first, first + stats.length).
 *
 * @example
 * const report: BatchReporter = (first, stats) => console.log(first, stats.length);
 */
export type BatchReporter = (first: number, stats: BatchStats[]) => void | Promise<void>;

/**
 * How a training call ended in divergence: at the first batch whose objective is not finite, or
 * whose update leaves the state non-finite. The backend then puts back the state from before the
 * last update it cannot vouch for, so the model only ever holds finite state.
 *
 * @example
 * if (outcome.divergence?.kind === 'update') console.log('batch', outcome.divergence.batch, 'diverged');
 */
export interface Divergence {
  /** Which of the call's epochs (0-based). */
  epochIndex: number;
  /** Which batch of that epoch (0-based). */
  batch: number;
  /**
   * `'loss'`: the objective at `batch`, measured on the weights of the update before it, was not
   * finite (that update was undone). `'update'`: the update of `batch` made the state non-finite
   * (it was undone).
   */
  kind: 'loss' | 'update';
  /** Updates this call kept (−1 when the previous call's last update was undone as well). */
  kept: number;
  /** The non-finite objective was measured before any update of this `fit`. */
  beforeAnyUpdate: boolean;
  /** The objective of `batch` (summed over its rows). */
  lossSum: number;
}

/**
 * What a backend's `trainEpochs` resolves to: the batch stats, and how it ended.
 *
 * @example
 * const { stats, stopped, divergence } = await backend.trainEpochs([plan], null);
 */
export interface TrainOutcome {
  stats: BatchStats[][];
  stopped: boolean;
  divergence?: Divergence;
  /**
   * What the reporter (the caller's `onBatchEnd`) threw: training stopped there, the backend
   * settled its state (checked finite, checkpointed) and every batch in `stats` was kept.
   */
  callbackError?: { error: unknown };
}

/**
 * Calls `report`; what it throws is returned (the caller settles its state first), not thrown.
 *
 * @example
 * const failed = await reportSafely(report, 0, stats); // { error } when onBatchEnd threw
 */
export async function reportSafely(report: BatchReporter, first: number, stats: BatchStats[]): Promise<{ error: unknown } | undefined> {
  try {
    await report(first, stats);
    return undefined;
  } catch (error) {
    return { error };
  }
}

/**
 * The backends that train: float64 JavaScript, WebGPU and WebAssembly SIMD (both float32).
 *
 * @example
 * const name: TrainerName = 'wasm';
 */
export type TrainerName = 'cpu' | 'webgpu' | 'wasm';

/**
 * True for the backends that hold their numbers as float32 (data and settings are checked
 * against float32's range before they reach them).
 *
 * @example
 * computesInFloat32('wasm'); // true
 */
export const computesInFloat32 = (name: TrainerName): boolean => name !== 'cpu';

/**
 * The contract every trainer (CPU, WebGPU, wasm) implements; the public `MLP` drives it.
 *
 * @example
 * const backend: TrainerBackend = new CpuBackend(net, initParams(config));
 */
export interface TrainerBackend {
  readonly name: TrainerName;
  /**
   * Makes `x`, `y` the training set for batches of `batchSize` (uploaded once on the GPU), with
   * one weight per row multiplying its loss and gradient when `sampleWeights` is given.
   */
  setTrainingData(x: Dense, y: Dense, batchSize: number, sampleWeights?: Float64Array | null): Promise<void>;
  /** Releases the training set. */
  clearTrainingData(): void;
  /**
   * Runs the epochs of `plans` back to back (the WebGPU path submits them together and reads back
   * once) and returns each epoch's batch stats. Stops early (after a batch, or a chunk of batches)
   * when `signal` aborts. When a batch's loss is not finite, training stops there (that epoch's
   * stats end with the bad batch) and the parameters and optimizer state are put back to those
   * after the last step whose weights still gave a finite loss. With a `report`er, one epoch.
   * A single plan may hold a part of an epoch (fewer indices than rows held; see EpochPlan.order).
   */
  trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome>;
  /**
   * Streaming (`fitDataset`): makes `x`, `y` the rows of block slot `slot` (0 or 1), for batches
   * of `batchSize`, with one weight per row when `sampleWeights` is given. The WebGPU backend keeps
   * a device buffer set per slot, reused while blocks fit it, so the next block uploads while the
   * other slot's block trains.
   */
  loadBlock(slot: number, x: Dense, y: Dense, batchSize: number, sampleWeights?: Float64Array | null): Promise<void>;
  /** Trains one pass over slot `slot`'s block in `plan.order` (as `trainEpochs` does one epoch). */
  trainBlock(slot: number, plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome>;
  /** Frees the block slots. */
  releaseBlocks(): void;
  /** How many epochs of `batches` batches one `trainEpochs` call may take. */
  maxEpochsPerCall(batches: number): number;
  /** Output activations for `x`, `[rows, outputs]`. */
  predict(x: Dense): Promise<Float64Array>;
  /** Summed loss and correct count over `x`, `y`. */
  evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }>;
  /** A copy of the current parameters. */
  readParams(): Promise<Params>;
  /** Replaces the parameters (shapes already checked). */
  writeParams(p: Params): Promise<void>;
  /** Zeroes optimizer state (new optimizer spec). */
  resetOptimizer(): void;
  /** A copy of the optimizer slots (null when none are allocated yet). */
  readOptimizerState(): Promise<OptimizerState | null>;
  /** Replaces the optimizer slots (allocating them for the layout given). */
  writeOptimizerState(s: OptimizerState): Promise<void>;
  /**
   * The last state known to be consistent, held on the host: parameters and optimizer slots at
   * the end of the last completed epoch (or the last `writeParams`). Training resumes from it on
   * another backend when this one fails (a lost GPU device). Null before any state exists.
   */
  lastCheckpoint(): Checkpoint | null;
  /**
   * Times each kernel launch of `steps` training steps of `plan` on `x`, `y`, leaving the
   * parameters and optimizer state as they were (the WebGPU backend only).
   */
  profile?(x: Dense, y: Dense, plan: EpochPlan, steps: number): Promise<StepProfile>;
  /** Keeps a copy of the current parameters as the best so far (early stopping; on WebGPU a device-side copy). */
  keepBestParams(): void;
  /** Puts the kept best parameters back (the optimizer state is left as it is); false when none were kept. */
  restoreBestParams(): Promise<boolean>;
  /** Frees everything the backend holds. */
  dispose(): void;
}
