// The demo page: controls, charts and views. All training happens in ./worker.ts; this thread
// only sends requests and draws what the worker reports.
import { TrainingCharts } from './charts';
import type { EncodedCsv } from './csv';
import { CsvPanel } from './csv-panel';
import type { DatasetSpec } from './datasets';
import { byId, el, fmt, pct } from './dom';
import { ArchitectureEditor } from './editor';
import { type DatasetName, PRESETS, type Settings, modelConfig, optimizerSpec } from './presets';
import type { Report, Request, TrainOptions } from './protocol';
import { TutorialView } from './tutorial-view';
import { drawBoundary, renderDigits, renderWeights } from './views';

/** Steps the parity check trains on each backend. */
const PARITY_STEPS = 10;

type DatasetReport = Extract<Report, { type: 'dataset' }>;
type State = 'starting' | 'loading' | 'ready' | 'training' | 'stopped' | 'done' | 'checking' | 'error';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (req: Request) => worker.postMessage(req);

const datasetSelect = byId<HTMLSelectElement>('dataset');
const buttons = {
  train: byId<HTMLButtonElement>('train'),
  stop: byId<HTMLButtonElement>('stop'),
  resume: byId<HTMLButtonElement>('resume'),
  parity: byId<HTMLButtonElement>('parity'),
  export: byId<HTMLButtonElement>('export'),
};
let state: State = 'starting';
let dataset: DatasetReport | null = null;
let hasModel = false;
let csvData: { data: EncodedCsv; file: string } | null = null;
const settingsFor: Record<DatasetName, Settings> = structuredClone(PRESETS);
let currentName = datasetSelect.value as DatasetName;
/** The adapter the worker's WebGPU probe found, if any. */
let probedAdapter: string | null = null;
const charts = new TrainingCharts(byId<HTMLCanvasElement>('loss-chart'), byId<HTMLCanvasElement>('accuracy-chart'));
const editor = new ArchitectureEditor(byId('editor'), () => onSettingsChange());
const tutorial = new TutorialView(byId('tutorial'));
const csvPanel = new CsvPanel(
  byId('csv-options'),
  (data, file) => useCsv(data, file),
  (msg) => {
    csvData = null;
    log('error', msg);
    setStatus(`CSV: ${msg}`, 'error');
  },
);


function setState(s: State): void {
  state = s;
  document.body.dataset.state = s;
  const busy = s === 'training' || s === 'checking' || s === 'loading' || s === 'starting';
  buttons.train.disabled = busy || !dataset;
  buttons.stop.disabled = s !== 'training';
  buttons.resume.disabled = busy || !hasModel || !dataset;
  buttons.parity.disabled = busy || !dataset;
  buttons.export.disabled = busy || !hasModel;
  // the data cannot change under a running job
  for (const id of ['dataset', 'mnist-train', 'mnist-test', 'toy-points', 'toy-noise', 'csv-file', 'csv-target', 'csv-task']) {
    byId<HTMLInputElement>(id).disabled = s === 'training' || s === 'checking';
  }
}

function setStatus(text: string, level: 'info' | 'error' = 'info'): void {
  const p = byId('status');
  p.textContent = text;
  p.classList.toggle('error', level === 'error');
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  const list = byId('log');
  list.append(el('li', { class: level }, `${new Date().toLocaleTimeString()} ${message}`));
  list.scrollTop = list.scrollHeight;
}

function banner(text: string, level: 'ok' | 'warn' | 'bad'): void {
  const b = byId('gpu-banner');
  b.textContent = text;
  b.className = `banner ${level === 'ok' ? '' : level}`;
}

// ------------------------------------------------------------------ datasets

function showOptions(name: DatasetName): void {
  byId('mnist-options').hidden = name !== 'mnist';
  byId('toy-options').hidden = name !== 'spiral' && name !== 'circles';
  byId('csv-options').hidden = name !== 'csv';
  byId('boundary-card').hidden = !['xor', 'spiral', 'circles'].includes(name);
  byId('mnist-card').hidden = name !== 'mnist';
  byId('tutorial-card').hidden = name !== 'tutorial';
}

function datasetSpec(name: DatasetName): DatasetSpec | null {
  const num = (id: string) => Number(byId<HTMLInputElement>(id).value);
  switch (name) {
    case 'mnist':
      return { name, trainCount: num('mnist-train'), testCount: num('mnist-test') };
    case 'spiral':
    case 'circles':
      return { name, points: num('toy-points'), noise: num('toy-noise'), seed: 1 };
    case 'xor':
    case 'tutorial':
      return { name };
    case 'csv':
      if (!csvData) return null;
      return { name, file: csvData.file, x: csvData.data.x, rows: csvData.data.rows, cols: csvData.data.cols, y: csvData.data.y, classes: csvData.data.classes };
  }
}

/** What the loaded (or loading) dataset was made from, to skip reloading the same one. */
let loadedKey = '';
const specKey = (spec: DatasetSpec | null) => (spec ? JSON.stringify(spec.name === 'csv' ? { ...spec, x: spec.x.length } : spec) : '');

function loadDataset(force = false): void {
  const spec = datasetSpec(currentName);
  if (!force && spec && specKey(spec) === loadedKey && dataset) return;
  loadedKey = specKey(spec);
  dataset = null;
  hasModel = false;
  if (!spec) {
    byId('dataset-info').textContent = 'Pick a CSV file: numeric columns are standardized, text columns one-hot encoded.';
    setState('ready');
    setStatus('Waiting for a CSV file.');
    return;
  }
  byId('dataset-info').textContent = spec.name === 'mnist' ? 'Fetching MNIST…' : 'Loading…';
  setState('loading');
  setStatus('Loading the dataset…');
  send({ type: 'dataset', spec });
}

function onDataset(r: DatasetReport): void {
  dataset = r;
  hasModel = false;
  byId('dataset-info').textContent = `${r.description}.`;
  editor.setOutputUnits(r.outputSize);
  charts.reset();
  // accuracy of real-valued targets is the library's rule: argmax match, or the same side of 0.5
  charts.setAccuracyNote(r.classes === null ? (r.outputSize === 1 ? 'same side of 0.5' : 'argmax match') : null);
  resetMetrics();
  if (r.points) drawBoundary(byId<HTMLCanvasElement>('boundary'), r.points, null);
  if (r.digits) {
    renderDigits(byId('digits'), r.digits, null);
    byId('weights').replaceChildren();
    byId('digits-summary').textContent = '';
  }
  onSettingsChange();
  setState('ready');
  setStatus('Ready: press Train.');
  byId('backend').textContent = 'no model yet';
  byId('backend').className = 'pill';
}

function useCsv(data: EncodedCsv, file: string): void {
  csvData = { data, file };
  // the output layer follows the task: softmax over the classes, or one linear unit
  const s = readSettings() ?? settingsFor.csv;
  const layers = s.layers.slice();
  const classes = data.classes?.length ?? 1;
  layers[layers.length - 1] = data.task === 'classification' ? { units: classes, activation: 'softmax' } : { units: 1, activation: 'linear' };
  editor.set({ ...s, layers, loss: data.task === 'classification' ? 'categoricalCrossEntropy' : 'mse' });
  log('info', `${file}: ${data.rows} rows, ${data.cols} inputs, ${data.badRows.length} skipped`);
  if (state !== 'training') loadDataset(true);
}

function resetMetrics(): void {
  for (const id of ['train-loss', 'train-accuracy', 'val-loss', 'val-accuracy', 'test-loss', 'test-accuracy', 'samples-per-second', 'epoch-label']) byId(id).textContent = '–';
  byId<HTMLProgressElement>('epoch-progress').value = 0;
  byId<HTMLProgressElement>('run-progress').value = 0;
}

function readSettings(): Settings | null {
  try {
    return editor.get();
  } catch {
    return null;
  }
}

function onSettingsChange(): void {
  const s = readSettings();
  if (!s || !dataset) return;
  settingsFor[currentName] = s;
  let count = 0;
  s.layers.forEach((l, i) => (count += ((i === 0 ? dataset!.inputSize : s.layers[i - 1].units) + 1) * l.units));
  byId('parameters').textContent = `${[dataset.inputSize, ...s.layers.map((l) => l.units)].join('-')} network, ${count.toLocaleString()} parameters`;
}

datasetSelect.addEventListener('change', () => {
  const s = readSettings();
  if (s) settingsFor[currentName] = s;
  currentName = datasetSelect.value as DatasetName;
  editor.set(settingsFor[currentName]);
  showOptions(currentName);
  loadDataset();
});
let reloadTimer = 0;
for (const id of ['mnist-train', 'mnist-test', 'toy-points', 'toy-noise']) {
  byId(id).addEventListener('change', () => {
    clearTimeout(reloadTimer);
    reloadTimer = window.setTimeout(loadDataset, 200);
  });
}

// ------------------------------------------------------------------ training

function trainRequest(mode: 'new' | 'resume'): Request | null {
  if (!dataset) return null;
  let s: Settings;
  try {
    s = editor.get();
  } catch (e) {
    setStatus((e as Error).message, 'error');
    return null;
  }
  const options: TrainOptions = { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, optimizer: optimizerSpec(s), validationSplit: s.validationSplit };
  return { type: 'train', mode, config: modelConfig(currentName, s, dataset.inputSize), options };
}

buttons.train.addEventListener('click', () => {
  const req = trainRequest('new');
  if (!req) return;
  charts.reset();
  resetMetrics();
  setState('training');
  setStatus('Creating the model…');
  send(req);
});
buttons.resume.addEventListener('click', () => {
  const req = trainRequest('resume');
  if (!req) return;
  setState('training');
  setStatus('Resuming from the current weights…');
  send(req);
});
buttons.stop.addEventListener('click', () => {
  send({ type: 'stop' });
  setStatus('Stopping after the current batch…');
});
buttons.parity.addEventListener('click', () => {
  const req = trainRequest('new');
  if (!req || req.type !== 'train') return;
  setState('checking');
  byId('parity-result').textContent = `Training ${PARITY_STEPS} steps on the CPU and on WebGPU…`;
  send({ type: 'parity', config: req.config, options: req.options, steps: PARITY_STEPS });
});
buttons.export.addEventListener('click', () => send({ type: 'export' }));
byId<HTMLInputElement>('import-file').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  input.value = '';
  if (!f) return;
  let json: unknown;
  try {
    json = JSON.parse(await f.text());
  } catch (err) {
    setStatus(`${f.name} is not JSON: ${(err as Error).message}`, 'error');
    return;
  }
  setStatus(`Importing ${f.name}…`);
  send({ type: 'import', json, backend: editor.backend });
});

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ------------------------------------------------------------------ worker reports

worker.onmessage = (e: MessageEvent<Report>) => {
  const r = e.data;
  switch (r.type) {
    case 'probe':
      probedAdapter = r.webgpu ? r.description : null;
      if (!r.webgpu) banner(`WebGPU is not available here (${r.description}). Training runs on the float64 CPU path; everything else works the same.`, 'bad');
      else if (r.software) banner(`WebGPU adapter: ${r.description}. It is a software renderer, so 'auto' trains on the CPU, which is faster; pick WebGPU to use it anyway.`, 'warn');
      else banner(`WebGPU adapter: ${r.description}.`, 'ok');
      log('info', `WebGPU probe (in the worker): ${r.webgpu ? r.description : 'unavailable: ' + r.description}`);
      return;
    case 'dataset':
      return onDataset(r);
    case 'model': {
      hasModel = true;
      const pill = byId('backend');
      pill.textContent = r.backend === 'webgpu' ? 'WebGPU' : 'CPU';
      pill.className = `pill ${r.backend}`;
      byId('backend-reason').textContent = r.fallback ?? r.reason;
      byId('adapter').textContent = r.adapter ?? (probedAdapter ? `none used (the worker found ${probedAdapter})` : 'none');
      log('info', `model: ${r.parameters.toLocaleString()} parameters on ${r.backend}: ${r.reason}`);
      if (r.fallback) {
        banner(r.fallback, 'bad');
        log('warn', r.fallback);
      }
      return;
    }
    case 'progress': {
      byId<HTMLProgressElement>('epoch-progress').value = r.batch / r.batches;
      byId<HTMLProgressElement>('run-progress').value = Math.min(1, (r.epoch - 1 + r.batch / r.batches) / r.epochs);
      byId('epoch-label').textContent = `epoch ${r.epoch} of ${r.epochs} · batch ${r.batch}/${r.batches}`;
      byId('samples-per-second').textContent = Math.round(r.samplesPerSecond).toLocaleString();
      charts.addBatch(r.x, r.loss, r.accuracy);
      if (state === 'training') setStatus('Training…');
      return;
    }
    case 'epochs': {
      charts.addEpochs(r.logs);
      const l = r.logs[r.logs.length - 1];
      byId('train-loss').textContent = fmt(l.loss);
      byId('train-accuracy').textContent = pct(l.accuracy);
      byId('val-loss').textContent = fmt(l.valLoss);
      byId('val-accuracy').textContent = pct(l.valAccuracy);
      if (l.testAccuracy !== undefined) {
        byId('test-loss').textContent = fmt(l.testLoss);
        byId('test-accuracy').textContent = pct(l.testAccuracy);
      }
      return;
    }
    case 'view':
      if (r.boundary && dataset?.points) drawBoundary(byId<HTMLCanvasElement>('boundary'), dataset.points, r.boundary);
      if (r.digits && dataset?.digits) {
        renderDigits(byId('digits'), dataset.digits, r.digits);
        const wrong = r.digits.filter((p, i) => p !== dataset!.digits!.labels[i]).length;
        byId('digits-summary').textContent = `(${r.digits.length - wrong} of ${r.digits.length} right; wrong ones in red, with the true label)`;
      }
      if (r.weights) renderWeights(byId('weights'), r.weights);
      return;
    case 'done': {
      hasModel = true;
      const where = r.backend === 'webgpu' ? 'WebGPU' : 'the CPU';
      if (r.test) {
        byId('test-loss').textContent = fmt(r.test.loss);
        byId('test-accuracy').textContent = pct(r.test.accuracy);
      }
      const acc = r.test
        ? `test accuracy ${pct(r.test.accuracy)}`
        : r.train
          ? `accuracy on all ${dataset?.rows ?? ''} rows ${pct(r.train.accuracy)}, loss ${r.train.loss.toPrecision(4)}`
          : '';
      if (r.stopped) {
        setState('stopped');
        setStatus(`Stopped after ${r.completedEpochs} full epoch(s) of ${r.targetEpochs} on ${where} (${r.seconds.toFixed(1)} s); ${acc}. Resume continues from the current weights.`);
      } else {
        setState('done');
        setStatus(`Trained ${r.completedEpochs} epoch(s) on ${where} in ${r.seconds.toFixed(1)} s; ${acc}.`);
      }
      log('info', byId('status').textContent ?? '');
      return;
    }
    case 'parity': {
      const text =
        `${r.steps} steps of batch ${r.batchSize} from the same seed: max |w_cpu − w_gpu| = ${r.maxWeightDiff.toExponential(2)} ` +
        `(max relative ${r.maxRelativeDiff.toExponential(2)}); mean loss cpu ${r.lossCpu.toFixed(6)}, gpu ${r.lossGpu.toFixed(6)}; ` +
        `${r.seconds.cpu.toFixed(2)} s on the CPU, ${r.seconds.webgpu.toFixed(2)} s on ${r.adapter ?? 'WebGPU'}.`;
      byId('parity-result').textContent = text;
      log('info', `parity: ${text}`);
      setState(hasModel ? 'done' : 'ready');
      return;
    }
    case 'exported': {
      const name = `webgpu-mlp-${currentName}.json`;
      const text = JSON.stringify(r.json);
      download(name, text);
      log('info', `exported the model as ${name} (${(text.length / 1024).toFixed(0)} KiB)`);
      return;
    }
    case 'imported': {
      editor.setModel({ layers: r.config.layers, loss: r.config.loss, l2: r.config.l2, seed: r.config.seed, freezeBias: r.config.freezeBias });
      onSettingsChange();
      charts.reset();
      resetMetrics();
      byId('train-loss').textContent = fmt(r.train.loss);
      byId('train-accuracy').textContent = pct(r.train.accuracy);
      if (r.test) {
        byId('test-loss').textContent = fmt(r.test.loss);
        byId('test-accuracy').textContent = pct(r.test.accuracy);
      }
      setState('done');
      setStatus(`Imported the model: accuracy on the training rows ${pct(r.train.accuracy)}` + (r.test ? `, test accuracy ${pct(r.test.accuracy)}` : '') + '. Resume trains it further.');
      return;
    }
    case 'log':
      return log(r.level, r.message);
    case 'error': {
      log('error', `${r.during}: ${r.message}`);
      if (r.during === 'parity') {
        byId('parity-result').textContent = r.message;
        setState(hasModel ? 'done' : 'ready');
        return;
      }
      if (r.during === 'dataset') {
        dataset = null;
        loadedKey = '';
        byId('dataset-info').textContent = r.message;
      }
      setState('error');
      setStatus(r.message, 'error');
      return;
    }
  }
};
worker.onerror = (e) => {
  log('error', `worker: ${e.message}`);
  setState('error');
  setStatus(`The training worker failed: ${e.message}`, 'error');
};

// ------------------------------------------------------------------ start

editor.set(settingsFor[currentName]);
showOptions(currentName);
setState('starting');
send({ type: 'probe' });
loadDataset();
// for tests and the curious: the tutorial view and the CSV panel can be driven from the console
Object.assign(window, { demo: { tutorial, csvPanel } });
