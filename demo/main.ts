// The demo page: wires the controls to the training worker. All training happens in the worker
// (./worker.ts); this thread sends requests and draws what the worker reports, within a frame
// budget (./render-queue.ts).
import { app, buttons, hooks, log, refreshButtons, resetModelViews, resetRunViews, setState, setStatus, ui } from './app';
import { checkArchitecture, keepModel, startOver } from './arch-check';
import type { EncodedCsv } from './csv';
import type { DatasetSpec } from './datasets';
import { byId, el } from './dom';
import { fmtBytes, fmtCount } from './format';
import { readSettings, updateGuard } from './guard-view';
import { memoryBytes } from './guards';
import { type DatasetName, OUTPUT_UNITS, type Preset, type Settings, modelConfig, trainOptions } from './presets';
import { PresetPicker } from './preset-picker';
import type { Request, Snapshot } from './protocol';
import { handleReport } from './reports';
import { splitCounts } from './split';
import { STOP_TIMEOUT_MS, TrainerClient } from './worker-client';

/** Steps the parity check trains on each backend. */
const PARITY_STEPS = 10;

app.client = new TrainerClient(
  (r) => (r.type === 'exported' ? download(`webgpu-mlp-${app.name}.json`, JSON.stringify(r.json)) : handleReport(r)),
  (snapshot, age) => restoreAfterReplace(snapshot, age),
  (message) => {
    log('error', `worker: ${message}`);
    setState('error');
    setStatus(`The training worker failed: ${message}`, 'error');
  },
);

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
    case 'csv': {
      const c = app.csv;
      if (!c) return null;
      return { name, file: c.file, x: c.data.x, rows: c.data.rows, cols: c.data.cols, y: c.data.y, classes: c.data.classes, targetScale: c.data.targetScale };
    }
  }
}

/** Clears what the old dataset showed and asks the worker for the new one. */
function loadDataset(): void {
  const spec = datasetSpec(app.name);
  app.dataset = null;
  resetRunViews();
  resetModelViews();
  updateGuard();
  app.datasetId++;
  if (!spec) {
    byId('dataset-info').textContent = 'Pick a CSV file: the first line names the columns; numeric columns can be standardized, text columns are one-hot encoded.';
    setState('ready');
    setStatus('Waiting for a CSV file.');
    return;
  }
  byId('dataset-info').textContent = spec.name === 'mnist' ? 'Fetching MNIST…' : 'Loading…';
  setState('loading');
  setStatus('Loading the dataset…');
  app.client.send({ type: 'dataset', id: app.datasetId, spec });
}

hooks.onCsv = (data: EncodedCsv, file: string) => {
  app.csv = { data, file };
  // the output layer follows the task: softmax over the classes, or one linear unit
  const s = readSettings() ?? app.settingsFor.csv;
  const layers = s.layers.slice();
  layers[layers.length - 1] = data.task === 'classification' ? { units: data.classes!.length, activation: 'softmax' } : { units: 1, activation: 'linear' };
  ui.editor.set({ ...s, layers, loss: data.task === 'classification' ? 'categoricalCrossEntropy' : 'mse' });
  ui.editor.setOutputUnits(data.task === 'classification' ? data.classes!.length : 1);
  log('info', `${file}: ${data.rows} rows, ${data.cols} inputs, ${data.badRows.length} skipped`);
  loadDataset();
};
hooks.onCsvError = (message: string) => {
  app.csv = null;
  loadDataset(); // clears the previous file's dataset, model and views
  byId('dataset-info').textContent = message;
  log('error', message);
  setState('error');
  setStatus(`Cannot train on this file: ${message}`, 'error');
};

hooks.onSettings = () => {
  const s = readSettings();
  if (s) app.settingsFor[app.name] = s;
  presets.sync(app.name, s);
  updateGuard();
  checkArchitecture();
  if (s) sendViewOptions();
};
hooks.onWeightsPage = () => sendViewOptions();
hooks.onSample = () => sendViewOptions();

/** The view options last sent, so that only changes reach the worker. */
let sentViewOptions = '';
function sendViewOptions(): void {
  const options = { weightsPage: ui.weights.page, sample: ui.network.sample, validationSplit: readSettings()?.validationSplit ?? 0 };
  const key = JSON.stringify(options);
  if (key === sentViewOptions) return;
  sentViewOptions = key;
  app.client.send({ type: 'view-options', options });
}

const datasetSelect = byId<HTMLSelectElement>('dataset');
/** Shows dataset `name` with its settings (the last ones used with it) and loads it. */
function switchDataset(name: DatasetName): void {
  const s = readSettings();
  if (s) app.settingsFor[app.name] = s;
  app.name = datasetSelect.value = name;
  ui.editor.set(app.settingsFor[app.name]);
  ui.editor.setOutputUnits(app.name === 'csv' && app.csv ? (app.csv.data.classes?.length ?? 1) : OUTPUT_UNITS[app.name]);
  presets.sync(app.name, readSettings());
  showOptions(app.name);
  loadDataset();
}
datasetSelect.addEventListener('change', () => switchDataset(datasetSelect.value as DatasetName));

/** A preset's settings in the editor (the backend chosen stays), switching to its dataset when needed. */
function pickPreset(p: Preset): void {
  const settings: Settings = { ...structuredClone(p.settings), backend: ui.editor.backend };
  if (p.dataset !== app.name) {
    app.settingsFor[p.dataset] = settings;
    return switchDataset(p.dataset);
  }
  ui.editor.set(settings);
  hooks.onSettings();
}
const presets = new PresetPicker(byId<HTMLSelectElement>('preset'), pickPreset);
let reloadTimer = 0;
for (const id of ['mnist-train', 'mnist-test', 'toy-points', 'toy-noise']) {
  byId(id).addEventListener('change', () => {
    clearTimeout(reloadTimer);
    reloadTimer = window.setTimeout(loadDataset, 200);
  });
}

// ------------------------------------------------------------------ training

function trainRequest(mode: 'new' | 'resume'): Extract<Request, { type: 'train' }> | null {
  if (!app.dataset) return null;
  let s;
  try {
    s = ui.editor.get();
  } catch (e) {
    setStatus((e as Error).message, 'error');
    return null;
  }
  return { type: 'train', mode, config: modelConfig(app.name, s, app.dataset.inputSize), options: trainOptions(s) };
}

buttons.train.addEventListener('click', () => {
  const req = trainRequest('new');
  if (!req || app.guard?.level === 'refuse') return;
  resetRunViews();
  resetModelViews();
  app.stopping = false;
  setState('training');
  const d = app.dataset!;
  const shape = [d.inputSize, ...req.config.layers.map((l) => l.units)].join('-');
  setStatus(`Creating a ${shape} model (${fmtCount(app.guard?.parameters ?? 0)} parameters, about ${fmtBytes(app.guard?.bytes ?? 0)} to train)…`);
  app.client.send(req);
});
buttons.resume.addEventListener('click', () => {
  const req = trainRequest('resume');
  if (!req) return;
  app.stopping = false;
  setState('training');
  setStatus('Resuming from the current weights…');
  app.client.send(req);
});
buttons.stop.addEventListener('click', () => {
  app.stopping = true;
  app.client.stop();
  setStatus('Stopping after the current batch…');
  refreshButtons();
});
buttons.parity.addEventListener('click', () => {
  const req = trainRequest('new');
  if (!req) return;
  setState('checking');
  byId('parity-result').textContent = `Training ${PARITY_STEPS} steps on the CPU, on WebGPU and on WebAssembly…`;
  app.client.send({ type: 'parity', config: req.config, options: req.options, steps: PARITY_STEPS });
});
buttons.export.addEventListener('click', () => app.client.send({ type: 'export' }));
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
  app.client.send({ type: 'import', json, backend: ui.editor.backend });
});
byId('arch-restart').addEventListener('click', startOver);
byId('arch-keep').addEventListener('click', keepModel);
byId<HTMLInputElement>('loss-log').addEventListener('change', (e) => ui.charts.setLogScale((e.target as HTMLInputElement).checked));

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  log('info', `exported the model as ${name} (${(text.length / 1024).toFixed(0)} KiB)`);
}

/** After Stop replaced an unresponsive worker: reload the dataset in the new one and restore the snapshot. */
function restoreAfterReplace(snapshot: Snapshot | null, age: number): void {
  app.stopping = false;
  const spec = datasetSpec(app.name);
  log('warn', `the worker did not answer Stop within ${STOP_TIMEOUT_MS / 1000} s; it was terminated and a new one started`);
  if (!spec || !snapshot) {
    app.readyNote = `Stopped. The worker did not answer Stop within ${STOP_TIMEOUT_MS / 1000} s, so it was closed; it had not reported any weights yet, so there is no model: press Train to start again.`;
    loadDataset();
    return;
  }
  setState('restoring');
  setStatus(`The worker did not answer Stop within ${STOP_TIMEOUT_MS / 1000} s, so it was closed. Restoring the weights it last reported (${age.toFixed(1)} s before Stop) in a new worker…`);
  app.datasetId++;
  app.client.send({ type: 'dataset', id: app.datasetId, spec });
  app.client.send({ type: 'restore', snapshot, backend: ui.editor.backend });
  sentViewOptions = ''; // the new worker starts with defaults
  sendViewOptions();
}

// ------------------------------------------------------------------ start

ui.editor.set(app.settingsFor[app.name]);
ui.editor.setOutputUnits(OUTPUT_UNITS[app.name]);
presets.sync(app.name, readSettings());
showOptions(app.name);
setState('starting');
app.client.send({ type: 'probe' });
loadDataset();
// for tests and the curious: the parts of the page can be driven from the console
Object.assign(window, { demo: { app, ui, splitCounts, memoryBytes } });
