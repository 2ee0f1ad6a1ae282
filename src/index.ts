/**
 * webgpu-mlp: train multilayer perceptrons on the GPU with WebGPU, with a float64 CPU reference
 * path that gives the same numbers.
 *
 * @example
 * import { MLP } from 'webgpu-mlp';
 * const model = await MLP.create({ inputSize: 784, layers: [{ units: 128, activation: 'sigmoid' }, { units: 10, activation: 'softmax' }], loss: 'categoricalCrossEntropy' });
 * await model.fit(images, labels, { epochs: 2, batchSize: 64, learningRate: 0.5 });
 */
export { MLP, AUTO_MIN_PARAMETERS, type CreateOptions } from './model/model';
export { gradientCheck, type GradientCheckGroup, type GradientCheckResult } from './teaching/gradient-check';
export type { StepExtrasOptions } from './teaching/step-extras';
export { parseModelJSON } from './model/serialize';
export { requestGpu, describeAdapter, type GpuProbe } from './gpu/device';
export { GpuDeviceLostError, GpuDisposedError } from './core/errors';
export type { TrainerName } from './core/trainer';
export { wasmSimdMissing } from './wasm/support';
export { kernelTimings, type StepProfile, type LaunchTiming, type KernelTiming } from './core/profile';
export type { TuneMode } from './gpu/tune/autotune';
export type { AutoHint } from './model/backend-choice';
export { Rng } from './core/random';
export type * from './core/types';
export { parseIdx, mnistToMatrix } from './streams/idx';
export { traceStep, type StepTrace, type LayerTrace, type BatchNormTrace } from './teaching/trace';
// The resolved forms that `model.config` and `gradientCheck` use.
export type { ResolvedConfig, NetSpec } from './core/config';
// The validators `MLP.create` and `fit` run on these options, for editors that check a field before training.
export { resolveSchedule, type ResolvedSchedule } from './fit/schedules';
export { resolveEarlyStopping, type ResolvedEarlyStopping, type MonitorContext } from './fit/early-stopping';
export { resolveDropout } from './core/dropout-mask';
// Streaming training data: readers for IDX and CSV files, and the chunk types fitDataset takes.
export { idxDataset, type IdxDatasetOptions } from './streams/idx-stream';
export { csvDataset, type CsvDatasetOptions, type CsvColumn } from './streams/csv';
export { readBytes, ByteReader } from './streams/bytes';
export type { DatasetChunk, DatasetSource, ByteSource, ByteSourceFactory } from './streams/chunk';
