// The training worker's state (the dataset, the model, where the run is) and what several of its
// jobs share: posting reports, creating models with a CPU fallback, snapshots of the weights.
import { type MLP, type ModelConfig, type Weights } from '../src';
import type { Dataset } from './datasets';
import type { Report, Snapshot, ViewOptions } from './protocol';
import { plainConfig } from './worker-views';

/** Everything the worker keeps between requests. */
export interface WorkerState {
  data: Dataset | null;
  model: MLP | null;
  /** Set while a training run (or another long job) owns the model. */
  running: boolean;
  /** Full epochs this model has trained, the run's target, and training rows seen (the charts' x axis). */
  completedEpochs: number;
  targetEpochs: number;
  samplesSeen: number;
  view: ViewOptions;
}

export const state: WorkerState = {
  data: null,
  model: null,
  running: false,
  completedEpochs: 0,
  targetEpochs: 0,
  samplesSeen: 0,
  view: { weightsPage: 0, sample: 0, validationSplit: 0 },
};

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Posts a report to the page, transferring `transfer`. */
export function post(report: Report, transfer: Transferable[] = []): void {
  scope.postMessage(report, transfer);
}

export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Replaces the model (disposing the old one) and resets the run counters. */
export function setModel(m: MLP | null): void {
  if (state.model && state.model !== m) state.model.dispose();
  state.model = m;
  state.completedEpochs = state.targetEpochs = state.samplesSeen = 0;
}

/**
 * Creates a model; when WebGPU was asked for and cannot be had, trains on the CPU instead and
 * says why.
 */
export async function createModel(make: (backend: ModelConfig['backend']) => Promise<MLP>, backend: ModelConfig['backend']): Promise<{ model: MLP; fallback: string | null }> {
  try {
    return { model: await make(backend), fallback: null };
  } catch (e) {
    if (backend !== 'webgpu') throw e;
    const fallback = `WebGPU could not be used (${message(e)}); training continues on the CPU`;
    return { model: await make('cpu'), fallback };
  }
}

/** Tells the page which model it now has. */
export function announce(m: MLP, fallback: string | null): void {
  post({ type: 'model', backend: m.backend, reason: m.backendReason, adapter: m.adapterDescription, parameters: m.parameterCount, config: plainConfig(m), fallback });
}

/** Every layer's weights, then every layer's biases, in one flat array. */
export function flattenWeights(w: Weights): Float64Array {
  let n = 0;
  for (const l of w.weights) n += l.length * (l[0]?.length ?? 0);
  for (const b of w.biases) n += b.length;
  const out = new Float64Array(n);
  let k = 0;
  for (const l of w.weights) for (const row of l) for (const v of row) out[k++] = v;
  for (const b of w.biases) for (const v of b) out[k++] = v;
  return out;
}

/** The inverse of {@link flattenWeights} for `config`'s shapes. */
export function unflattenWeights(config: ModelConfig, flat: Float64Array): Weights {
  let k = 0;
  let fanIn = config.inputSize;
  const weights = config.layers.map((l) => {
    const layer = Array.from({ length: fanIn }, () => Array.from(flat.subarray(k, (k += l.units))));
    fanIn = l.units;
    return layer;
  });
  const biases = config.layers.map((l) => Array.from(flat.subarray(k, (k += l.units))));
  if (k !== flat.length) throw new RangeError(`the snapshot has ${flat.length} values, but the model needs ${k}`);
  return { weights, biases };
}

/** Posts the model's current weights, so a replacement worker can restore them. */
export function postSnapshot(m: MLP, w: Weights): void {
  const snapshot: Snapshot = {
    config: plainConfig(m),
    params: flattenWeights(w),
    completedEpochs: state.completedEpochs,
    targetEpochs: state.targetEpochs,
    samplesSeen: state.samplesSeen,
    takenAt: performance.now(),
  };
  post({ type: 'snapshot', snapshot }, [snapshot.params.buffer]);
}
