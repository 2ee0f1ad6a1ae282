// The demo's training worker: it owns the dataset and the model, trains with the library's
// public API, and reports progress to the page through the fit callbacks. The page stays
// responsive because nothing here runs on its thread.
import { type EpochLog, type FitOptions, type Matrix, MLP, type ModelConfig, requestGpu } from '../src';
import { type Dataset, loadDataset } from './datasets';
import type { BoundaryView, Report, Request, WeightsView } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Minimum milliseconds between progress, epoch-log and view messages. */
const PROGRESS_MS = 100;
const VIEW_MS = 400;
/** Longest stretch of training without giving queued messages (stop) a chance to run. */
const YIELD_MS = 30;
/** Digits shown in the MNIST grid and first-layer units drawn. */
const GRID_DIGITS = 48;
const WEIGHT_UNITS = 32;
/** Cells per side of the decision-boundary grid. */
const BOUNDARY_SIZE = 64;

let data: Dataset | null = null;
let model: MLP | null = null;
let controller: AbortController | null = null;
let running = false;
/** Full epochs this model has trained, the run's target, and training rows seen (for the x axis). */
let completedEpochs = 0;
let targetEpochs = 0;
let samplesSeen = 0;
/** Dataset requests received; only the latest one's result is used. */
let datasetRequests = 0;

function post(report: Report, transfer: Transferable[] = []): void {
  scope.postMessage(report, transfer);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Rows [start, start + count) of a matrix, without copying. */
function rowsOf(m: Matrix, start: number, count: number): Matrix {
  const cols = m.shape[1];
  return { data: (m.data as Float32Array | Float64Array).subarray(start * cols, (start + count) * cols), shape: [count, cols] };
}

/**
 * Creates a model; when WebGPU was asked for and cannot be had, trains on the CPU instead and
 * says why.
 */
async function createModel(make: (backend: ModelConfig['backend']) => Promise<MLP>, backend: ModelConfig['backend']): Promise<{ model: MLP; fallback: string | null }> {
  try {
    return { model: await make(backend), fallback: null };
  } catch (e) {
    if (backend !== 'webgpu') throw e;
    const fallback = `WebGPU could not be used (${message(e)}); training continues on the CPU`;
    return { model: await make('cpu'), fallback };
  }
}

function announce(m: MLP, fallback: string | null): void {
  const { seed, initializer, inputSize, layers, loss, l2, useBias, freezeBias } = m.config;
  post({
    type: 'model',
    backend: m.backend,
    reason: m.backendReason,
    adapter: m.adapterDescription,
    parameters: m.parameterCount,
    config: { seed, initializer, inputSize, layers, loss, l2, useBias, freezeBias },
    fallback,
  });
}

async function probe(): Promise<void> {
  const p = await requestGpu();
  post({ type: 'probe', webgpu: p.device !== null, description: p.description, software: p.software });
  p.device?.destroy();
}

async function setDataset(req: Extract<Request, { type: 'dataset' }>): Promise<void> {
  if (running) throw new Error('stop training before changing the dataset');
  const id = ++datasetRequests;
  let loaded: Dataset;
  try {
    loaded = await loadDataset(req.spec);
  } catch (e) {
    if (id !== datasetRequests) return; // superseded: its failure no longer matters
    throw e;
  }
  // a later request (or a training run started meanwhile) wins over a slow fetch
  if (id !== datasetRequests) return;
  if (running) throw new Error('stop training before changing the dataset');
  data = loaded;
  model?.dispose();
  model = null;
  completedEpochs = targetEpochs = samplesSeen = 0;
  const rows = data.x.shape[0];
  let points: Extract<Report, { type: 'dataset' }>['points'] = null;
  if (data.extent) points = { x: Float32Array.from(data.x.data), labels: (data.y as number[]).slice(), extent: data.extent };
  let digits: Extract<Report, { type: 'dataset' }>['digits'] = null;
  if (data.name === 'mnist' && data.test) {
    const count = Math.min(GRID_DIGITS, data.test.y.length);
    const px = data.test.x.data;
    digits = { pixels: Uint8Array.from({ length: count * 784 }, (_, i) => Math.round(px[i] * 255)), labels: data.test.y.slice(0, count) };
  }
  post(
    {
      type: 'dataset',
      name: data.name,
      description: data.description,
      rows,
      inputSize: data.inputSize,
      outputSize: data.outputSize,
      classes: data.classes,
      testRows: data.test?.y.length ?? 0,
      points,
      digits,
    },
    [points?.x.buffer, digits?.pixels.buffer].filter((b): b is ArrayBuffer => b !== undefined),
  );
}

/** Predictions over the input plane (2-D sets), the grid digits and first-layer weights (MNIST). */
async function view(m: MLP, d: Dataset): Promise<void> {
  let boundary: BoundaryView | null = null;
  let digits: number[] | null = null;
  let weights: WeightsView | null = null;
  if (d.extent) {
    const [x0, x1, y0, y1] = d.extent;
    const n = BOUNDARY_SIZE;
    const grid = new Float64Array(n * n * 2);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        grid[2 * (r * n + c)] = x0 + ((c + 0.5) / n) * (x1 - x0);
        grid[2 * (r * n + c) + 1] = y1 - ((r + 0.5) / n) * (y1 - y0);
      }
    }
    const p = await m.predictMatrix({ data: grid, shape: [n * n, 2] });
    boundary = { size: n, classes: p.shape[1], extent: d.extent, probs: Float32Array.from(p.data) };
  }
  if (d.name === 'mnist' && d.test) {
    const count = Math.min(GRID_DIGITS, d.test.y.length);
    const p = await m.predictMatrix(rowsOf(d.test.x, 0, count));
    digits = Array.from({ length: count }, (_, r) => {
      let best = 0;
      for (let j = 1; j < 10; j++) if (p.data[r * 10 + j] > p.data[r * 10 + best]) best = j;
      return best;
    });
    const w = (await m.getWeights()).weights[0]; // [784][units]
    const units = Math.min(WEIGHT_UNITS, w[0].length);
    const data = new Float32Array(units * 784);
    for (let u = 0; u < units; u++) for (let i = 0; i < 784; i++) data[u * 784 + i] = w[i][u];
    weights = { units, data };
  }
  post({ type: 'view', boundary, digits, weights }, [boundary?.probs.buffer, weights?.data.buffer].filter((b): b is ArrayBuffer => b !== undefined));
}

async function train(req: Extract<Request, { type: 'train' }>): Promise<void> {
  const d = data;
  if (!d) throw new Error('no dataset is loaded yet');
  if (running) throw new Error('training is already running; stop it first');
  running = true;
  try {
    await trainUnlocked(d, req);
  } finally {
    running = false;
    controller = null;
  }
}

async function trainUnlocked(d: Dataset, req: Extract<Request, { type: 'train' }>): Promise<void> {
  const { config, options } = req;
  if (req.mode === 'new' || !model) {
    model?.dispose();
    model = null;
    const created = await createModel((backend) => MLP.create({ ...config, backend }), config.backend);
    model = created.model;
    completedEpochs = samplesSeen = 0;
    targetEpochs = options.epochs;
    announce(model, created.fallback);
  } else {
    const wanted = config.backend ?? 'auto';
    const now = model.backend;
    if ((wanted === 'cpu' && now !== 'cpu') || (wanted === 'webgpu' && now !== 'webgpu')) {
      // carry the weights over to the other backend (the optimizer's moments start afresh)
      const json = await model.toJSON();
      const created = await createModel((backend) => MLP.fromJSON(json, { backend }), wanted);
      model.dispose();
      model = created.model;
      announce(model, created.fallback);
      post({ type: 'log', level: 'info', message: `moved the weights to the ${model.backend === 'cpu' ? 'CPU' : 'WebGPU'} backend; the optimizer state starts afresh` });
    }
    if (completedEpochs >= targetEpochs) targetEpochs = completedEpochs + options.epochs;
  }
  const m = model;
  const epochs = targetEpochs - completedEpochs;
  const rows = d.x.shape[0];
  const trainRows = rows - Math.floor(rows * options.validationSplit);
  controller = new AbortController();
  const signal = controller.signal;

  let batchInEpoch = 0;
  let batchesPerEpoch = 1;
  let runEpoch = 0;
  let lastProgress = 0;
  let rateFrom = { t: performance.now(), samples: samplesSeen };
  let rate = 0;
  let lastLogs = 0;
  let lastView = 0;
  let lastYield = performance.now();
  let pending: Extract<Report, { type: 'epochs' }>['logs'] = [];
  const flush = () => {
    if (pending.length) post({ type: 'epochs', logs: pending });
    pending = [];
    lastLogs = performance.now();
  };
  const t0 = performance.now();
  const fitOptions: FitOptions = {
    epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    optimizer: options.optimizer,
    validationSplit: options.validationSplit > 0 ? options.validationSplit : undefined,
    signal,
    onBatchEnd: (log) => {
      batchInEpoch = log.batch;
      batchesPerEpoch = log.batches;
      runEpoch = log.epoch;
      samplesSeen += log.size;
      const now = performance.now();
      if (now - rateFrom.t >= 300) {
        rate = ((samplesSeen - rateFrom.samples) * 1000) / (now - rateFrom.t);
        rateFrom = { t: now, samples: samplesSeen };
      }
      if (now - lastProgress >= PROGRESS_MS || log.batch === log.batches) {
        lastProgress = now;
        post({
          type: 'progress',
          epoch: completedEpochs + 1,
          epochs: targetEpochs,
          batch: log.batch,
          batches: log.batches,
          x: samplesSeen / trainRows,
          loss: log.loss,
          accuracy: log.accuracy,
          samplesPerSecond: rate || log.size / Math.max((now - t0) / 1000, 1e-3),
        });
      }
    },
    onEpochEnd: async (log: EpochLog) => {
      const full = batchInEpoch === batchesPerEpoch && runEpoch === log.epoch;
      if (full) completedEpochs++;
      const entry: Extract<Report, { type: 'epochs' }>['logs'][number] = { ...log, epoch: full ? completedEpochs : completedEpochs + batchInEpoch / batchesPerEpoch, x: samplesSeen / trainRows };
      if (d.test) {
        const t = await m.evaluate(d.test.x, d.test.y);
        entry.testLoss = t.loss;
        entry.testAccuracy = t.accuracy;
      }
      pending.push(entry);
      let now = performance.now();
      if (now - lastYield >= YIELD_MS) {
        // let queued messages (a stop request) run: many short epochs would otherwise never yield
        await new Promise((r) => setTimeout(r, 0));
        now = lastYield = performance.now();
      }
      const last = completedEpochs >= targetEpochs;
      if (now - lastLogs >= PROGRESS_MS || last) flush();
      if (now - lastView >= VIEW_MS || last) {
        await view(m, d);
        lastView = performance.now();
      }
    },
  };
  let stopped = false;
  try {
    const history = await m.fit(d.x, d.y, fitOptions);
    stopped = history.stopped;
  } finally {
    flush();
  }
  await view(m, d);
  const seconds = (performance.now() - t0) / 1000;
  const trainEval = await m.evaluate(d.x, d.y);
  const test = d.test ? await m.evaluate(d.test.x, d.test.y) : null;
  post({ type: 'done', stopped, completedEpochs, targetEpochs, seconds, backend: m.backend, train: trainEval, test });
}

async function parity(req: Extract<Request, { type: 'parity' }>): Promise<void> {
  const d = data;
  if (!d) throw new Error('no dataset is loaded yet');
  if (running) throw new Error('stop training before checking parity');
  const batchSize = Math.min(req.options.batchSize, d.x.shape[0]);
  const count = Math.min(d.x.shape[0], req.steps * batchSize);
  const x = rowsOf(d.x, 0, count);
  const y = d.y.slice(0, count) as number[] | number[][];
  const results: Record<'cpu' | 'webgpu', { params: number[]; loss: number; seconds: number; adapter: string | null }> = {} as never;
  for (const backend of ['cpu', 'webgpu'] as const) {
    let m: MLP;
    try {
      m = await MLP.create({ ...req.config, backend });
    } catch (e) {
      throw new Error(backend === 'webgpu' ? `the parity check needs WebGPU, which is unavailable here: ${message(e)}` : message(e));
    }
    try {
      const t0 = performance.now();
      const h = await m.fit(x, y, { epochs: 1, batchSize, learningRate: req.options.learningRate, optimizer: req.options.optimizer });
      const w = await m.getWeights();
      results[backend] = { params: [...w.weights.flat(2), ...w.biases.flat()], loss: h.epochs[0].loss, seconds: (performance.now() - t0) / 1000, adapter: m.adapterDescription };
    } finally {
      m.dispose();
    }
  }
  let maxWeightDiff = 0;
  let maxRelativeDiff = 0;
  results.cpu.params.forEach((w, i) => {
    const diff = Math.abs(w - results.webgpu.params[i]);
    maxWeightDiff = Math.max(maxWeightDiff, diff);
    maxRelativeDiff = Math.max(maxRelativeDiff, diff / Math.max(Math.abs(w), 1e-3));
  });
  post({
    type: 'parity',
    steps: Math.ceil(count / batchSize),
    batchSize,
    maxWeightDiff,
    maxRelativeDiff,
    lossCpu: results.cpu.loss,
    lossGpu: results.webgpu.loss,
    adapter: results.webgpu.adapter,
    seconds: { cpu: results.cpu.seconds, webgpu: results.webgpu.seconds },
  });
}

async function importModel(req: Extract<Request, { type: 'import' }>): Promise<void> {
  if (running) throw new Error('stop training before importing a model');
  const created = await createModel((backend) => MLP.fromJSON(req.json, { backend }), req.backend);
  const m = created.model;
  const d = data;
  const outputs = m.config.layers[m.config.layers.length - 1].units;
  if (d && (m.config.inputSize !== d.inputSize || outputs !== d.outputSize)) {
    m.dispose();
    throw new Error(`the model takes ${m.config.inputSize} inputs and gives ${outputs} outputs, but the loaded dataset (${d.description}) has ${d.inputSize} inputs and ${d.outputSize} outputs`);
  }
  model?.dispose();
  model = m;
  completedEpochs = targetEpochs = samplesSeen = 0;
  announce(m, created.fallback);
  if (!d) return;
  const trainEval = await m.evaluate(d.x, d.y);
  const test = d.test ? await m.evaluate(d.test.x, d.test.y) : null;
  const { seed, initializer, inputSize, layers, loss, l2, useBias, freezeBias } = m.config;
  post({ type: 'imported', config: { seed, initializer, inputSize, layers, loss, l2, useBias, freezeBias }, train: trainEval, test });
  await view(m, d);
}

scope.onmessage = async (e: MessageEvent<Request>) => {
  const req = e.data;
  try {
    switch (req.type) {
      case 'probe':
        return await probe();
      case 'dataset':
        return await setDataset(req);
      case 'train':
        return await train(req);
      case 'stop':
        controller?.abort();
        return;
      case 'parity':
        return await parity(req);
      case 'export':
        if (!model) throw new Error('there is no model yet: train or import one first');
        return post({ type: 'exported', json: await model.toJSON() });
      case 'import':
        return await importModel(req);
    }
  } catch (err) {
    post({ type: 'error', during: req.type, message: message(err) });
  }
};
