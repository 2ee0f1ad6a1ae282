// The worker's jobs other than training and the parity check: the WebGPU and WebAssembly probe,
// calibration, loading a dataset, import, discarding the model, and restoring a snapshot.
import { MLP, requestGpu, wasmSimdMissing } from '../src';
import { type Dataset, loadDataset } from './datasets';
import type { TrainerName } from './backend-names';
import type { Report, Request } from './protocol';
import { shuffleRows } from './split';
import { calibrate } from './worker-calibrate';
import { partsOf, publish } from './worker-publish';
import { announce, createModel, message, post, setModel, state, unflattenWeights } from './worker-state';
import { GRID_DIGITS, plainConfig } from './worker-views';

/** Seed of the split's shuffle: the same rows are held out every time a dataset is loaded. */
const SPLIT_SEED = 1;

export async function probe(): Promise<void> {
  const p = await requestGpu();
  const maxBindingBytes = p.device ? p.device.limits.maxStorageBufferBindingSize : null;
  post({ type: 'probe', webgpu: p.device !== null, description: p.description, software: p.software, maxBindingBytes, wasm: wasmSimdMissing() === null });
  p.device?.destroy();
}

export async function runCalibration(backend: TrainerName): Promise<void> {
  try {
    post({ type: 'calibration', ...(await calibrate(backend)) });
  } catch (e) {
    post({ type: 'error', during: `calibrate:${backend}`, message: message(e) });
  }
}

/** Loads a dataset, shuffles its rows for the split, and describes it to the page. */
export async function setDataset(req: Extract<Request, { type: 'dataset' }>): Promise<void> {
  if (state.running) throw new Error('stop training before changing the dataset');
  const loaded: Dataset = await loadDataset(req.spec);
  shuffleRows(loaded.x, loaded.y, SPLIT_SEED);
  state.data = loaded;
  setModel(null);
  state.view = { ...state.view, weightsPage: 0, sample: 0 };
  let points: Extract<Report, { type: 'dataset' }>['points'] = null;
  if (loaded.extent) points = { x: Float32Array.from(loaded.x.data), labels: (loaded.y as number[]).slice(), extent: loaded.extent };
  let digits: Extract<Report, { type: 'dataset' }>['digits'] = null;
  if (loaded.name === 'mnist' && loaded.test) {
    const count = Math.min(GRID_DIGITS, loaded.test.y.length);
    const px = loaded.test.x.data;
    digits = { pixels: Uint8Array.from({ length: count * 784 }, (_, i) => Math.round(px[i] * 255)), labels: loaded.test.y.slice(0, count) };
  }
  const { name, description, inputSize, outputSize, classes } = loaded;
  post(
    { type: 'dataset', id: req.id, name, description, rows: loaded.x.shape[0], inputSize, outputSize, classes, testRows: loaded.test?.y.length ?? 0, points, digits },
    [points?.x.buffer, digits?.pixels.buffer].filter((b): b is ArrayBuffer => b !== undefined),
  );
}

/** Checks that `m` fits the loaded dataset; disposes it and throws, naming both, when it does not. */
function checkFits(m: MLP, d: Dataset): void {
  const outputs = m.config.layers[m.config.layers.length - 1].units;
  if (m.config.inputSize !== d.inputSize || outputs !== d.outputSize) {
    m.dispose();
    throw new Error(`the model takes ${m.config.inputSize} inputs and gives ${outputs} outputs, but the loaded dataset (${d.description}) has ${d.inputSize} inputs and ${d.outputSize} outputs`);
  }
}

export async function importModel(req: Extract<Request, { type: 'import' }>): Promise<void> {
  if (state.running) throw new Error('stop training before importing a model');
  const d = state.data;
  if (!d) throw new Error('load a dataset before importing a model');
  const created = await createModel((backend) => MLP.fromJSON(req.json, { backend }), req.backend);
  const m = created.model;
  checkFits(m, d);
  setModel(m);
  announce(m, created.fallback);
  const parts = partsOf(d, state.view.validationSplit);
  const train = await m.evaluate(d.x, d.y);
  const test = d.test ? await m.evaluate(d.test.x, d.test.y) : null;
  const regression = await publish(m, d, parts, { view: true, snapshot: true, x: 0, metricRows: Infinity });
  post({ type: 'imported', config: plainConfig(m), train, test, regression });
}

/** Rebuilds the model from a snapshot the page kept (the worker before this one stopped answering). */
export async function restore(req: Extract<Request, { type: 'restore' }>): Promise<void> {
  const d = state.data;
  if (!d) throw new Error('no dataset is loaded to restore the model for');
  const { snapshot } = req;
  const weights = unflattenWeights(snapshot.config, snapshot.params);
  const created = await createModel((backend) => MLP.create({ ...snapshot.config, ...weights, backend }), req.backend);
  checkFits(created.model, d);
  setModel(created.model);
  state.completedEpochs = snapshot.completedEpochs;
  state.targetEpochs = snapshot.targetEpochs;
  state.samplesSeen = snapshot.samplesSeen;
  announce(created.model, created.fallback);
  post({ type: 'restored', completedEpochs: snapshot.completedEpochs, parameters: created.model.parameterCount });
  await publish(created.model, d, partsOf(d, state.view.validationSplit), { view: true, snapshot: false, x: state.samplesSeen / Math.max(1, d.x.shape[0]) });
}

export function discard(): void {
  if (state.running) throw new Error('stop training before discarding the model');
  setModel(null);
  post({ type: 'discarded' });
}

/** New view options; when idle with a model, the page gets a fresh view at once. */
export async function viewOptions(req: Extract<Request, { type: 'view-options' }>): Promise<void> {
  state.view = req.options;
  const m = state.model;
  const d = state.data;
  if (state.running || !m || !d) return;
  await publish(m, d, partsOf(d, state.view.validationSplit), { view: true, snapshot: false, x: state.samplesSeen / Math.max(1, d.x.shape[0]) });
}
