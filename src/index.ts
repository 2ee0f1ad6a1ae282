/**
 * webgpu-mlp: train multilayer perceptrons on the GPU with WebGPU, with a float64 CPU reference
 * path that gives the same numbers.
 *
 * @example
 * import { MLP } from 'webgpu-mlp';
 * const model = await MLP.create({ inputSize: 784, layers: [{ units: 128, activation: 'sigmoid' }, { units: 10, activation: 'softmax' }], loss: 'categoricalCrossEntropy' });
 * await model.fit(images, labels, { epochs: 2, batchSize: 64, learningRate: 0.5 });
 */
export { MLP, AUTO_MIN_PARAMETERS, type CreateOptions } from './model';
export { gradientCheck, type GradientCheckResult } from './gradient-check';
export { parseModelJSON } from './serialize';
export { requestGpu, describeAdapter, type GpuProbe } from './gpu/device';
export { GpuDeviceLostError, GpuDisposedError } from './gpu/errors';
export { kernelTimings, type StepProfile, type LaunchTiming, type KernelTiming } from './gpu/profiler';
export type { TuneMode } from './gpu/autotune';
export type { AutoHint } from './backend-choice';
export { Rng } from './random';
export type * from './types';
export { parseIdx, mnistToMatrix } from './idx';
export { traceStep, type StepTrace, type LayerTrace } from './trace';
// The validators `MLP.create` and `fit` run on these options, for editors that check a field before training.
export { resolveSchedule } from './schedules';
export { resolveEarlyStopping } from './early-stopping';
export { resolveDropout } from './dropout-mask';
// Streaming training data: readers for IDX and CSV files, and the chunk types fitDataset takes.
export { idxDataset, type IdxDatasetOptions } from './data-streams/idx-stream';
export { csvDataset, type CsvDatasetOptions, type CsvColumn } from './data-streams/csv-stream';
export { readBytes, ByteReader } from './data-streams/bytes';
export type { DatasetChunk, DatasetSource, ByteSource, ByteSourceFactory } from './data-streams/chunk';
