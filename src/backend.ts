import type { ResolvedOptimizer } from './config';
import type { Dense } from './data';
import type { OptimizerState } from './optimizer-state';
import type { Params } from './params';
import type { StepProfile } from './gpu/profiler';
import type { ClipSettings } from './cpu/optimizers';
import type { TrainOutcome } from './fit-report';

/** Parameters and optimizer state together: what training resumes from. */
export interface Checkpoint {
  params: Params;
  optimizer: OptimizerState | null;
}

/** One epoch's work, decided by the host: the sample order, batching and the optimizer. */
export interface EpochPlan {
  /** Sample indices in the order they are visited (a seeded shuffle, or 0..n−1). */
  order: Uint32Array;
  batchSize: number;
  learningRate: number;
  optimizer: ResolvedOptimizer;
  /** Optimizer steps taken before this epoch (Adam's bias correction counts from here). */
  stepsBefore: number;
  /** Per-step learning rates (a schedule), overriding `learningRate` for the epoch's batches. */
  learningRates?: ArrayLike<number>;
  /** This epoch's dropout key (src/dropout-mask.ts), when a layer drops units. */
  dropKey?: number;
  /** Gradient clipping (see src/cpu/optimizers.ts `clipGradients`). */
  clip?: ClipSettings | null;
}

/** The summed loss and correct count of one batch, measured before its update. */
export interface BatchStats {
  lossSum: number;
  correct: number;
  size: number;
  /** Regression outputs: Σ|y − o| and Σ(y − o)² over the batch (src/metrics.ts). */
  absErr?: number;
  sqErr?: number;
}

/** What a backend reports as batches complete: stats of batches [first, first + stats.length). */
export type BatchReporter = (first: number, stats: BatchStats[]) => void | Promise<void>;

/** The contract both trainers (CPU and WebGPU) implement; the public `MLP` drives it. */
export interface TrainerBackend {
  readonly name: 'cpu' | 'webgpu';
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
   */
  trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[][]; stopped: boolean }>;
  /**
   * Streaming (`fitDataset`): makes `x`, `y` the rows of block slot `slot` (0 or 1), for batches
   * of `batchSize`. The WebGPU backend keeps a device buffer set per slot, reused while blocks fit
   * it, so the next block uploads while the other slot's block trains.
   */
  loadBlock(slot: number, x: Dense, y: Dense, batchSize: number): Promise<void>;
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
