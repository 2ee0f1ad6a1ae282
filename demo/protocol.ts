import type { Activation, BackendName, EarlyStoppingOptions, EpochLog, History, LearningRateSchedule, Monitor, ModelConfig, ModelJSON, OptimizerSpec } from '../src';
import type { Float32Trainer, TrainerName } from './backend-names';
import type { DatasetSpec } from './datasets';
import type { Calibration } from './guards';
import type { DatasetName } from './presets';

/**
 * Messages between the demo page and its training worker. The worker owns the data and the
 * model; the page sends requests and draws what the worker reports.
 */

/** One float32 backend's run in the parity check, against the CPU's. */
export interface ParityRun {
  backend: Float32Trainer;
  maxWeightDiff: number;
  maxRelativeDiff: number;
  /** Mean loss of the steps, and the seconds they took. */
  loss: number;
  seconds: number;
  /** The WebGPU adapter, or null (wasm). */
  adapter: string | null;
}

/** Training options the page chooses (the `fit` options that can cross a thread). */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** A step size or a schedule, as `fit` takes it. */
  learningRate: number | LearningRateSchedule;
  optimizer: OptimizerSpec;
  /** Fraction of the (shuffled) rows held out at the end for validation. */
  validationSplit: number;
  /** As `fit` takes it; absent = off. */
  earlyStopping?: EarlyStoppingOptions;
}

/** How a run with early stopping ended: its rule, the best epoch, and whether its weights were restored. */
export interface EarlyStoppingOutcome {
  monitor: Monitor;
  patience: number;
  minDelta: number;
  /** The best epoch, counted as the page counts them (earlier runs of this model included), its place on the charts' x axis, and its value. */
  bestEpoch: number;
  bestX: number;
  bestValue: number;
  /** The model ends with the best epoch's parameters. */
  restored: boolean;
  /** The best epoch's log (its validation figures are the restored model's). */
  log: EpochEntry;
}

/** A model's parameters as last reported by the worker: enough to rebuild it in a new worker. */
export interface Snapshot {
  /** The model's configuration, without weights. */
  config: ModelConfig;
  /** Every layer's weights (`[fanIn][units]`, row-major) then every layer's biases, flat. */
  params: Float64Array;
  completedEpochs: number;
  targetEpochs: number;
  samplesSeen: number;
  /** performance.now() in the worker when it was taken (for "… s before Stop"). */
  takenAt: number;
}

/** What the page asks the views to show: the page of first-layer weight images and the sample. */
export interface ViewOptions {
  weightsPage: number;
  sample: number;
  /** The editor's validation split (views outside a run use it for the training rows). */
  validationSplit: number;
}

/** Page → worker. */
export type Request =
  | { type: 'probe' }
  | { type: 'dataset'; id: number; spec: DatasetSpec }
  | { type: 'calibrate'; backend: TrainerName }
  /** `new`: a fresh model from `config`; `resume`: continue the current model's weights. */
  | { type: 'train'; mode: 'new' | 'resume'; config: ModelConfig; options: TrainOptions }
  | { type: 'stop' }
  | { type: 'parity'; config: ModelConfig; options: TrainOptions; steps: number }
  | { type: 'export' }
  | { type: 'import'; json: unknown; backend: BackendName }
  /** Drop the current model (the architecture changed and the user chose to start over). */
  | { type: 'discard' }
  /** Rebuild a model from a snapshot (after a worker that stopped answering was replaced). */
  | { type: 'restore'; snapshot: Snapshot; backend: BackendName }
  | { type: 'view-options'; options: ViewOptions };

/** Input-space predictions for a 2-D dataset: `size × size` cells, `classes` values per cell. */
export interface BoundaryView {
  size: number;
  classes: number;
  extent: [number, number, number, number];
  /** Row-major probabilities, `[size * size, classes]`, the first row at `extent`'s ymax. */
  probs: Float32Array;
}

/** First-layer weight images per page. */
export const WEIGHTS_PAGE = 32;

/** One page of the first layer's weights, one image per hidden unit (MNIST). */
export interface WeightsView {
  /** Index of the first unit shown, units on this page, and units in the layer. */
  start: number;
  units: number;
  total: number;
  /** `[units, 784]`: unit start+u's incoming weights in pixel order. */
  data: Float32Array;
}

/**
 * A small network drawn node by node: each layer's weights, and each unit's output either over
 * the 2-D input plane (`plane`: `grid × grid` cells per unit) or for one sample (`sample`).
 */
export interface NetworkDiagram {
  kind: 'diagram';
  /** Units per layer, the inputs first. */
  sizes: number[];
  activations: Activation[];
  /** Per layer: `[fanIn × units]` row-major (`w[i * units + u]`). */
  weights: Float32Array[];
  mode: 'plane' | 'sample';
  grid: number;
  /** Per layer, inputs first: `[units × grid²]` (plane) or `[units]` (sample). */
  values: Float32Array[];
  /** Sample mode: which training row, of how many, and its target. */
  sample: { index: number; count: number; target: string } | null;
}

/** A large network summarized layer by layer. */
export interface NetworkSummary {
  kind: 'summary';
  sizes: number[];
  layers: {
    activation: Activation;
    /** Weight histogram: `counts` over equal bins from `min` to `max`. */
    histogram: { min: number; max: number; counts: number[] };
    /** Mean |a| over the probe rows and units. */
    meanAbsActivation: number;
    /** Share of units that output 0 on every probe row (ReLU layers), else null. */
    deadFraction: number | null;
  }[];
  probeRows: number;
}

export type NetworkView = NetworkDiagram | NetworkSummary;

/** Regression quality in the target's own units. */
export interface RegressionMetrics {
  train: { mae: number; r2: number };
  validation: { mae: number; r2: number } | null;
  /** Rows the figures were computed on (live views use at most a few thousand). */
  rows: number;
}

/** One epoch's log as the charts plot it. */
export type EpochEntry = EpochLog & { x: number; testLoss?: number; testAccuracy?: number };

/** The regression metrics at a point of the run (for the chart). */
export type RegressionPoint = RegressionMetrics & { x: number };

/** Worker → page. */
export type Report =
  /** `wasm`: whether the worker's engine has WebAssembly SIMD128, which the wasm backend needs. */
  | { type: 'probe'; webgpu: boolean; description: string; software: boolean; maxBindingBytes: number | null; wasm: boolean }
  | ({ type: 'calibration' } & Calibration)
  | {
      type: 'dataset';
      id: number;
      name: DatasetName;
      description: string;
      rows: number;
      inputSize: number;
      outputSize: number;
      classes: string[] | null;
      testRows: number;
      /** 2-D sets: the points (`[rows, 2]`) and labels, for drawing. */
      points: { x: Float32Array; labels: number[]; extent: [number, number, number, number] } | null;
      /** MNIST: the test digits shown in the grid, `[count, 784]` bytes, and their labels. */
      digits: { pixels: Uint8Array; labels: number[] } | null;
    }
  | {
      type: 'model';
      backend: TrainerName;
      reason: string;
      adapter: string | null;
      parameters: number;
      config: ModelConfig;
      /** Set when the requested backend could not be used and the CPU took over. */
      fallback: string | null;
    }
  | {
      type: 'progress';
      /** Epoch of the run (1-based, counting earlier runs of this model) and its batch. */
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      /** Epochs of data seen by this model so far, fractional (the charts' x axis). */
      x: number;
      loss: number;
      accuracy: number;
      /** Samples trained in this run over the seconds spent training (the demo's views excluded). */
      samples: number;
      trainSeconds: number;
      /** Epoch logs since the last report (evenly thinned when there are very many). */
      logs: EpochEntry[];
    }
  | { type: 'view'; boundary: BoundaryView | null; digits: number[] | null; weights: WeightsView | null; network: NetworkView | null; regression: RegressionPoint | null }
  | { type: 'snapshot'; snapshot: Snapshot }
  /** The worker received Stop (so it is not stuck); the run ends after its current batch or group. */
  | { type: 'stopping'; running: boolean }
  | {
      type: 'done';
      stopped: boolean;
      /** `fit`'s reason: all epochs ran, early stopping, or Stop. */
      stopReason: History['stopReason'];
      /** Set when the run used early stopping (and had a best epoch). */
      earlyStopping: EarlyStoppingOutcome | null;
      completedEpochs: number;
      targetEpochs: number;
      seconds: number;
      samples: number;
      trainSeconds: number;
      backend: TrainerName;
      train: { loss: number; accuracy: number } | null;
      test: { loss: number; accuracy: number } | null;
      regression: RegressionMetrics | null;
    }
  | {
      type: 'parity';
      steps: number;
      batchSize: number;
      lossCpu: number;
      cpuSeconds: number;
      /** Each float32 backend that ran, WebGPU first. */
      runs: ParityRun[];
      /** Why a float32 backend could not run ("the parity check needs WebGPU, which is unavailable here: …"). */
      skipped: string[];
    }
  | { type: 'exported'; json: ModelJSON }
  | { type: 'imported'; config: ModelConfig; test: { loss: number; accuracy: number } | null; train: { loss: number; accuracy: number }; regression: RegressionMetrics | null }
  | { type: 'restored'; completedEpochs: number; parameters: number }
  | { type: 'discarded' }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'error'; during: string; message: string };
