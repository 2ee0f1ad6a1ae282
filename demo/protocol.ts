import type { BackendName, EpochLog, ModelConfig, ModelJSON, OptimizerSpec } from '../src';
import type { DatasetName } from './presets';
import type { DatasetSpec } from './datasets';

/**
 * Messages between the demo page and its training worker. The worker owns the data and the
 * model; the page sends requests and draws what the worker reports.
 */

/** Training options the page chooses (the `fit` options that can cross a thread). */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerSpec;
  validationSplit: number;
}

/** Page → worker. */
export type Request =
  | { type: 'probe' }
  | { type: 'dataset'; spec: DatasetSpec }
  /** `new`: a fresh model from `config`; `resume`: continue the current model's weights. */
  | { type: 'train'; mode: 'new' | 'resume'; config: ModelConfig; options: TrainOptions }
  | { type: 'stop' }
  | { type: 'parity'; config: ModelConfig; options: TrainOptions; steps: number }
  | { type: 'export' }
  | { type: 'import'; json: unknown; backend: BackendName };

/** Input-space predictions for a 2-D dataset: `size × size` cells, `classes` values per cell. */
export interface BoundaryView {
  size: number;
  classes: number;
  extent: [number, number, number, number];
  /** Row-major probabilities, `[size * size, classes]`, the first row at `extent`'s ymax. */
  probs: Float32Array;
}

/** The first layer's weights, one image per hidden unit (MNIST). */
export interface WeightsView {
  /** Units shown. */
  units: number;
  /** `[units, 784]`: unit u's incoming weights in pixel order. */
  data: Float32Array;
}

/** Worker → page. */
export type Report =
  | { type: 'probe'; webgpu: boolean; description: string; software: boolean }
  | {
      type: 'dataset';
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
      backend: 'cpu' | 'webgpu';
      reason: string;
      adapter: string | null;
      parameters: number;
      config: ModelConfig;
      /** Set when the requested backend could not be used and the CPU took over. */
      fallback: string | null;
    }
  | {
      type: 'progress';
      /** Epoch of this run (1-based) and its batch. */
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      /** Epochs of data seen by this model so far, fractional (the charts' x axis). */
      x: number;
      loss: number;
      accuracy: number;
      samplesPerSecond: number;
    }
  | { type: 'epochs'; logs: (EpochLog & { x: number; testLoss?: number; testAccuracy?: number })[] }
  | { type: 'view'; boundary: BoundaryView | null; digits: number[] | null; weights: WeightsView | null }
  | {
      type: 'done';
      stopped: boolean;
      completedEpochs: number;
      targetEpochs: number;
      seconds: number;
      backend: 'cpu' | 'webgpu';
      train: { loss: number; accuracy: number } | null;
      test: { loss: number; accuracy: number } | null;
    }
  | {
      type: 'parity';
      steps: number;
      batchSize: number;
      maxWeightDiff: number;
      maxRelativeDiff: number;
      lossCpu: number;
      lossGpu: number;
      adapter: string | null;
      seconds: { cpu: number; webgpu: number };
    }
  | { type: 'exported'; json: ModelJSON }
  | { type: 'imported'; config: ModelConfig; test: { loss: number; accuracy: number } | null; train: { loss: number; accuracy: number } }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'error'; during: string; message: string };
